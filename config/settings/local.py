"""Laptop defaults: SQLite and the filesystem broker under ./data, a secret key generated once and kept there."""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, os


def _persistent_secret_key() -> str:
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _persistent_secret_key()
