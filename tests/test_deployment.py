"""The deployment as shipped: docker-compose.yml read by a real Compose implementation (Debian's docker-compose),
the Dockerfile linted by hadolint, `check --deploy` on the production settings, and the Content-Security-Policy.

The tools are installed by scripts/test.sh; a missing one fails these tests rather than skipping them."""

import fnmatch
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[1]
ALWAYS_ON = {"db", "redis", "web", "worker-cpu", "worker-maintenance", "beat"}
KEY = "k" * 50
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def tool(name: str) -> str:
    """The program's path: on PATH or beside this interpreter (the virtual environment's bin)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail(f"{name} is missing: scripts/test.sh installs it (docker-compose from apt, hadolint from PyPI)")
    return found


def compose(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """docker-compose on a copy of the file, so neither a developer's .env nor their environment leaks in."""
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    clean = {"PATH": os.environ["PATH"], "HOME": str(folder), **env}
    return subprocess.run(
        [tool("docker-compose"), *args], cwd=folder, env=clean, capture_output=True, text=True, timeout=120
    )


def profile_flags(profiles: tuple[str, ...]) -> list[str]:
    return [arg for profile in profiles for arg in ("--profile", profile)]


@pytest.fixture(scope="module")
def active_services(tmp_path_factory):
    """``active_services(*profiles)``: the services `docker-compose [--profile P] up` would start. Compose 1.29's
    `config` prints them all, each with its profiles; a service with profiles starts only when one is active."""
    printed = {}

    def services(*profiles: str) -> dict:
        if profiles not in printed:
            result = compose(tmp_path_factory.mktemp("compose"), *profile_flags(profiles), "config", SECRET_KEY=KEY)
            assert result.returncode == 0, result.stderr
            printed[profiles] = yaml.safe_load(result.stdout)["services"]
        return {
            name: service
            for name, service in printed[profiles].items()
            if not service.get("profiles") or set(service["profiles"]) & set(profiles)
        }

    return services


def celery_role(service: dict) -> str:
    command = service.get("command") or []
    return command[command.index("workers.celery_app") + 1] if "workers.celery_app" in command else ""


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_compose_without_the_gpu_profile_starts_everything_but_the_gpu_worker(active_services):
    services = active_services()
    assert set(services) == ALWAYS_ON
    assert [name for name, s in services.items() if celery_role(s) == "beat"] == ["beat"]
    for name, service in services.items():
        assert not {"--beat", "-B"} & set(service.get("command") or []), f"{name} runs beat inside a worker"


def test_compose_with_the_gpu_profile_adds_one_gpu_worker_with_a_reserved_gpu(active_services):
    services = active_services("gpu")
    assert set(services) == ALWAYS_ON | {"worker-gpu"}
    assert [name for name, s in services.items() if celery_role(s) == "beat"] == ["beat"]
    gpu = services["worker-gpu"]
    assert celery_role(gpu) == "worker"
    assert (option(gpu["command"], "-Q"), option(gpu["command"], "-c")) == ("gpu", "1")
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]


def test_every_queue_that_tasks_are_sent_to_has_an_always_on_worker(active_services):
    consumed = set()
    for service in active_services().values():
        if celery_role(service) == "worker":
            consumed |= set(option(service["command"], "-Q").split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    scheduled = {entry.get("options", {}).get("queue") for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    needed = ({settings.CELERY_TASK_DEFAULT_QUEUE} | routed | scheduled) - {None, "gpu"}
    assert "maintenance" in needed
    assert needed <= consumed, f"nothing consumes {needed - consumed}"


def test_cpu_workers_scale_and_the_stores_keep_their_data(active_services):
    services = active_services()
    assert not {"container_name", "hostname", "ports"} & set(services["worker-cpu"])
    redis = " ".join(services["redis"]["command"])
    assert "--maxmemory-policy noeviction" in redis and "--appendonly yes" in redis
    for name, mount in (("db", "/var/lib/postgresql/data"), ("redis", "/data")):
        assert "healthcheck" in services[name]
        named_volumes = [volume.split(":") for volume in services[name]["volumes"] if not volume.startswith((".", "/"))]
        assert mount in [target for _, target, *_ in named_volumes], services[name]["volumes"]


def test_web_migrates_loads_the_knowledge_base_and_is_checked_on_the_health_endpoint(active_services):
    web = active_services()["web"]
    command = " ".join(web["command"])
    assert command.index("migrate") < command.index("load_kb") < command.index("exec gunicorn")
    probe = " ".join(web["healthcheck"]["test"])
    path = probe.split("http://127.0.0.1:8000", 1)[1].split("'", 1)[0]
    assert path == "/api/health/" and resolve(path).url_name == "health"


@pytest.mark.parametrize("profiles", [(), ("gpu",)])
def test_compose_file_is_valid_with_and_without_the_gpu_profile(tmp_path, profiles):
    result = compose(tmp_path, *profile_flags(profiles), "config", "-q", SECRET_KEY=KEY)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    result = compose(tmp_path, "config", "-q")
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr


def test_dockerfile_has_no_hadolint_findings():
    result = subprocess.run([tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_docker_context_has_every_app_and_leaves_local_state_out():
    patterns = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    apps = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    assert "study" in apps
    assert not [name for name in [*apps, "manage.py", "pyproject.toml", "README.md"] if ignored(name)]
    assert all(ignored(name) for name in (".git", ".venv", "data", "test-artifacts", ".env"))


def check_deploy(*options: str, **env: str) -> subprocess.CompletedProcess:
    # The environment of a deployment: none of the test session's own switches (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
    excluded = ("SECURE_", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(excluded)}
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="recall.example",
        **env,
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *options]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300)


def test_check_deploy_is_clean_with_production_defaults(tmp_path):
    result = check_deploy(DEEPRECALL_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_settings_come_from_the_environment(tmp_path):
    # Only the security checks: the whole set, with its schema generation, ran in the test above.
    result = check_deploy(
        "--tag",
        "security",
        DEEPRECALL_DATA_DIR=str(tmp_path),
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="no",
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def policy_of(response) -> dict:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/concepts/batch-normalization/", "/api/areas/", "/api/no-such-thing/"])
def test_pages_and_api_responses_carry_the_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert policy_of(response) == EXPECTED_POLICY
