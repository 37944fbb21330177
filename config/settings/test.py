"""Test settings: a throwaway data folder, fast password hashing, no persistent secrets."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, os, with_sqlite_options

SECRET_KEY = "test-only-not-secret"
DEBUG = False
# Worker processes started by the tests inherit this variable and so share the data folder and database.
os.environ.setdefault("DEEPRECALL_TEST_DATA_DIR", tempfile.mkdtemp(prefix="deeprecall-test-"))
DATA_DIR = Path(os.environ["DEEPRECALL_TEST_DATA_DIR"])
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" in os.environ:
    # Tests use the database DATABASE_URL names (pytest-django recreates it), so worker processes started by the
    # tests with the same environment see the same data.
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    test_db = DATA_DIR / "test.sqlite3"
    DATABASES = {
        "default": with_sqlite_options(
            {"ENGINE": "django.db.backends.sqlite3", "NAME": test_db, "TEST": {"NAME": test_db}}
        )
    }
if CELERY_BROKER_TRANSPORT_OPTIONS:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-processed"),
        "control_folder": str(DATA_DIR / "broker-control"),
    }
