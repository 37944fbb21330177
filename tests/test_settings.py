"""Settings come from the environment with safe defaults (checked in fresh interpreters)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRINT_SETTINGS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST'), "
    "'debug': settings.DEBUG, 'broker': settings.CELERY_BROKER_URL, 'hosts': settings.ALLOWED_HOSTS}))"
)


def run_settings(module: str, tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "DEEPRECALL_DATA_DIR"}
    }
    clean.update(DJANGO_SETTINGS_MODULE=module, DEEPRECALL_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_local_defaults_are_sqlite_filesystem_broker_and_no_debug(tmp_path):
    result = run_settings("config.settings.local", tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "data" / "deeprecall.sqlite3")
    assert values["debug"] is False
    assert values["broker"] == "filesystem://"
    key_file = tmp_path / "data" / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_database_url_switches_to_postgresql_and_broker_to_redis(tmp_path):
    result = run_settings(
        "config.settings.local",
        tmp_path,
        DATABASE_URL="postgres://learner:pw@db.example:5432/deeprecall",
        CELERY_BROKER_URL="redis://127.0.0.1:6390/0",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"]) == ("deeprecall", "db.example")
    assert values["broker"] == "redis://127.0.0.1:6390/0"
    assert values["debug"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "recall.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "recall.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "k" * 40}, "ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_without_secrets(tmp_path, env, message):
    result = run_settings("config.settings.production", tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_secrets(tmp_path):
    result = run_settings("config.settings.production", tmp_path, SECRET_KEY="k" * 40, ALLOWED_HOSTS="recall.example")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hosts"] == ["recall.example"]


def test_malformed_debug_value_is_an_error(tmp_path):
    result = run_settings("config.settings.local", tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_cache_url_selects_a_shared_redis_cache(tmp_path):
    code = "import django; from django.conf import settings; django.setup(); print(settings.CACHES['default'])"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEEPRECALL_DATA_DIR": str(tmp_path),
        "CACHE_URL": "redis://127.0.0.1:6390/1",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "RedisCache" in result.stdout and "redis://127.0.0.1:6390/1" in result.stdout


SQLITE_PROBE = (
    "import django, json; from django.conf import settings; django.setup(); from django.db import connection; "
    "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); journal = cursor.fetchone()[0]; "
    "cursor.execute('PRAGMA synchronous'); "
    "print(json.dumps({'options': settings.DATABASES['default']['OPTIONS'], 'journal': journal, "
    "'synchronous': cursor.fetchone()[0], 'max_age': settings.DATABASES['default']['CONN_MAX_AGE'], "
    "'name': str(settings.DATABASES['default']['NAME'])}))"
)


@pytest.mark.parametrize(
    ("how", "settings_module", "database"),
    [
        ("default path", "config.settings.local", "data/deeprecall.sqlite3"),
        ("DATABASE_URL", "config.settings.local", "elsewhere.sqlite3"),
        ("DATABASE_URL", "config.settings.test", "elsewhere.sqlite3"),
        ("test settings' own path", "config.settings.test", "test.sqlite3"),
    ],
)
def test_every_way_of_pointing_at_sqlite_gets_wal_immediate_transactions_and_a_timeout(
    tmp_path, how, settings_module, database
):
    from config.settings.base import SQLITE_OPTIONS

    ignored = {"DATABASE_URL", "DEEPRECALL_DATA_DIR", "DEEPRECALL_TEST_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DEEPRECALL_DATA_DIR=str(tmp_path / "data"),
        DEEPRECALL_TEST_DATA_DIR=str(tmp_path),
    )
    if how == "DATABASE_URL":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", SQLITE_PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["name"] == str(tmp_path / database)
    assert values["options"] == SQLITE_OPTIONS
    assert values["journal"] == "wal"  # the init commands ran on the real connection
    assert values["synchronous"] == 1  # NORMAL: a commit does not wait for the disk
    if settings_module == "config.settings.local":
        assert values["max_age"] > 0  # connections are kept across requests


@pytest.mark.parametrize(("value", "threshold"), [(None, 5), ("false", None)])
def test_postgresql_prepares_the_hot_statements_unless_turned_off(tmp_path, value, threshold):
    probe = "import django, json; from django.conf import settings; django.setup(); "
    probe += "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARED_STATEMENTS"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEEPRECALL_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://learner:pw@db.example:5432/deeprecall",
        **({"DATABASE_PREPARED_STATEMENTS": value} if value else {}),
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["prepare_threshold"] == threshold


def test_sqlite_options_leave_other_databases_and_explicit_options_alone():
    from config.settings.base import with_sqlite_options

    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "deeprecall", "OPTIONS": {}}
    assert with_sqlite_options(postgres) == postgres
    sqlite = with_sqlite_options({"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "OPTIONS": {"timeout": 5}})
    assert sqlite["OPTIONS"] == {
        "timeout": 5,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
