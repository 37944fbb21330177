"""Settings of the load bench's server (bench/server.py): the local settings, whose database DATABASE_URL or
DEEPRECALL_DATA_DIR chooses, with a bench-only URL map that adds ``/bench/trivial/``. Production never loads it."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
