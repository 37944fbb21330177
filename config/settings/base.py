"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("DEEPRECALL_DATA_DIR", BASE_DIR / "data")).resolve()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "common",
    "kb",
    "quizzes",
    "cards",
    "demos",
    "curriculum",
    "workers",
    "study",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files carry no policy, so a figure's SVG opened on its own keeps its styles.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the portal's language: cookie from set_language, else the browser's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# WAL and immediate transactions let the web process and a local worker write without "database is locked".
# synchronous=NORMAL is SQLite's advice for WAL: a commit no longer waits for the disk (a review in about a third
# of the time); a crash of the process loses nothing, a power cut may lose the last commits, never the database.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# SQLite connections are kept across requests, as PostgreSQL's are (opening one costs more than a query).
SQLITE_CONN_MAX_AGE = 600


def with_sqlite_options(config: dict) -> dict:
    """A database config with the SQLite options added when it is SQLite (options it sets itself are kept);
    every way of pointing at SQLite (the default path, DATABASE_URL=sqlite:///..., the test settings) goes
    through here."""
    if config.get("ENGINE") != "django.db.backends.sqlite3":
        return config
    return {"CONN_MAX_AGE": SQLITE_CONN_MAX_AGE, **config, "OPTIONS": {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}}


# The hot path's hand-written statements (common/sql.py) are prepared on a PostgreSQL connection once they ran 5
# times there (psycopg's default, which Django turns off), so PostgreSQL plans each once per connection instead of
# on every request. The ORM's own statements are bound client-side and never prepared. Off for a connection pooler
# that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)


def with_postgres_options(config: dict) -> dict:
    if config.get("ENGINE") != "django.db.backends.postgresql":
        return config
    threshold = 5 if DATABASE_PREPARED_STATEMENTS else None
    return {**config, "OPTIONS": {"prepare_threshold": threshold, **config.get("OPTIONS", {})}}


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return with_sqlite_options(with_postgres_options(config))
    return with_sqlite_options({"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "deeprecall.sqlite3"})


DATABASES = {"default": database_config()}

# Throttle counters live in the cache: per process by default, shared across processes and machines with Redis.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A stopped or hung Redis costs a request at most a second; the throttles then let it through.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# The portal speaks English (the source strings) and Simplified Chinese (portal/locale).
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the language switch is remembered for a year, not just the browser session
LOGIN_URL = "portal:login"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

KB_CONTENT_DIR = Path(os.environ.get("KB_CONTENT_DIR", BASE_DIR / "kb" / "content"))
QUIZ_CONTENT_DIR = Path(os.environ.get("QUIZ_CONTENT_DIR", BASE_DIR / "quizzes" / "content"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",  # adds the error statuses the framework gives
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["common.parsers.JSONParser"],  # DRF's, with the nesting depth bounded
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["common.throttles.ScopedRateThrottle"],  # allows requests when the cache is down
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_RATE", "30/minute")},
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "DeepRecall API",
    "DESCRIPTION": "Knowledge base, quizzes, spaced repetition and demo trainings for learning deep learning.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two fields are named "kind": name their enums so neither is renamed by a hash suffix.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "cards.models.CardKind",
        "NextStepKindEnum": "study.serializers.NEXT_STEP_KINDS",
    },
}

# Content-Security-Policy on every page and API response: scripts and styles only from our own files (no inline
# script, no style attribute), nothing framed, no plugins. Views that need more relax it with csp.decorators.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Celery: the embedded default is the filesystem transport under DATA_DIR, so a laptop needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker" / "queue"),
        "data_folder_out": str(DATA_DIR / "broker" / "queue"),
        "processed_folder": str(DATA_DIR / "broker" / "processed"),
        "control_folder": str(DATA_DIR / "broker" / "control"),
        "store_processed": False,
        "polling_interval": 0.05,  # a message waits half of it on average; each poll lists one small folder
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_ROUTES = {
    "demos.tasks.dispatch_pending_runs": {"queue": "maintenance"},
    "demos.tasks.reap_stale_runs": {"queue": "maintenance"},
    "cards.tasks.optimize_scheduler": {"queue": "maintenance"},
    "quizzes.tasks.calibrate_questions": {"queue": "maintenance"},
}
# Long jobs: acknowledge after the run (a lost worker's message is redelivered and finds the run finished or
# reaped), take one message at a time, and give each run a fresh process (memory back to the OS; CUDA is
# initialised only in that child, never before a fork). The pool forks it from a parent that has initialised
# torch and prepared the demos' data (workers/warmup.py, demos/tasks.py) as soon as the previous child exits.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
BROKER_HEALTH_TIMEOUT = float(os.environ.get("BROKER_HEALTH_TIMEOUT", "2"))

# Flashcards
FSRS_MIN_REVIEWS_TO_OPTIMIZE = int(os.environ.get("FSRS_MIN_REVIEWS_TO_OPTIMIZE", "400"))

# Demo runs
DEMO_GPU_QUEUE = env_bool("DEMO_GPU_QUEUE", False)
DEMO_SOFT_TIME_LIMIT = int(os.environ.get("DEMO_SOFT_TIME_LIMIT", "300"))
DEMO_HARD_TIME_LIMIT = DEMO_SOFT_TIME_LIMIT + 30
DEMO_HEARTBEAT_SECONDS = float(os.environ.get("DEMO_HEARTBEAT_SECONDS", "5"))
DEMO_STALE_AFTER_SECONDS = float(os.environ.get("DEMO_STALE_AFTER_SECONDS", "30"))
DEMO_MAINTENANCE_SECONDS = float(os.environ.get("DEMO_MAINTENANCE_SECONDS", "10"))
DEMO_MAX_ACTIVE_RUNS = int(os.environ.get("DEMO_MAX_ACTIVE_RUNS", "3"))
DEMO_SUBMIT_RATE = os.environ.get("DEMO_SUBMIT_RATE", "60/hour")
# Threads per CPU run. Small models run fastest on one thread on a shared machine, and results are only
# bit-identical for the same thread count, so it is fixed rather than left to the machine.
DEMO_TORCH_THREADS = int(os.environ.get("DEMO_TORCH_THREADS", "1"))
CELERY_TASK_TIME_LIMIT = DEMO_HARD_TIME_LIMIT + 30  # a backstop only: demos.services enforces both limits
CELERY_BEAT_SCHEDULE = {
    "dispatch-pending-runs": {"task": "demos.tasks.dispatch_pending_runs", "schedule": DEMO_MAINTENANCE_SECONDS},
    "reap-stale-runs": {"task": "demos.tasks.reap_stale_runs", "schedule": DEMO_MAINTENANCE_SECONDS},
    # Question difficulties move slowly with new answers; once a day, at a quiet hour, is enough.
    "calibrate-questions": {"task": "quizzes.tasks.calibrate_questions", "schedule": crontab(hour=3, minute=0)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
