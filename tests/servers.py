"""The service as deployed, in real processes on 127.0.0.1: gunicorn with a data folder and database of its own,
and a throwaway PostgreSQL cluster that a test can stop and start. Used by tests/faults and tests/test_api_fuzz.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.processes import ROOT, free_port, wait_for

SECRET_KEY = "fault-tests-only-not-a-secret-0123456789"
GUNICORN = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2", "--timeout", "120", "--bind"]


def service_env(data_dir: Path, database_url: str, **env) -> dict:
    """The environment of a deployment (local settings, everything from the environment) with rates high enough
    that the tests' traffic never meets a throttle's limit (the throttles still count, in the cache)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "SECRET_KEY": SECRET_KEY,
        "DEEPRECALL_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "AUTH_RATE": "6000/minute",
        "DEMO_SUBMIT_RATE": "6000/hour",
        "DEMO_MAX_ACTIVE_RUNS": "1000",
        **env,
    }


class WebServer:
    """gunicorn serving the project (2 sync workers, as compose runs it) on a free loopback port."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*GUNICORN, f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> WebServer:
        wait_for(self._answers, 120, interval=0.5, what="gunicorn to answer")
        return self

    def _answers(self) -> bool:
        assert self.process.poll() is None, f"gunicorn exited:\n{self.log.read_text()[-3000:]}"
        try:
            requests.get(f"{self.url}/api/health/", timeout=60)
        except requests.ConnectionError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # nothing of it is kept, and a graceful stop takes seconds
            self.process.wait(30)


def sqlite_copy(template: Path, data_dir: Path) -> str:
    """A copy of the template in the data folder, as DATABASE_URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / "deeprecall.sqlite3")
    return f"sqlite:///{data_dir / 'deeprecall.sqlite3'}"


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a free loopback port, as scripts/with-postgres.sh makes one for the suite's
    PostgreSQL pass, that a test can stop and start. Its folder is outside pytest's (which only root may enter):
    the server runs as the postgres user when the tests run as root (initdb refuses root)."""

    def __init__(self):
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
        assert binaries, "PostgreSQL is not installed: apt-get install postgresql (scripts/test.sh does)"
        self.bin, self.port = binaries[-1], free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="deeprecall-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", "data", "-U", "deeprecall", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "deeprecall", "deeprecall")
        self.url = f"postgres://deeprecall@127.0.0.1:{self.port}/deeprecall"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.bin / program), *args]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{program} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", "data", "-l", "log", "-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart by an administrator or an orchestrator does it: sessions are ended and
        open transactions rolled back."""
        self._run("pg_ctl", "-D", "data", "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", "data", "-m", "immediate", "stop"],
            cwd=self.folder,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def prepare_database(env: dict) -> None:
    """Migrate and load the knowledge base, in one process (each Django start costs seconds)."""
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('load_kb', verbosity=0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
