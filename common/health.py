"""Reachability checks for the services DeepRecall depends on."""

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable; say which
        return {"ok": False, "engine": connection.vendor, "error": f"{type(exc).__name__}: {exc}"}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=settings.BROKER_HEALTH_TIMEOUT,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.BROKER_HEALTH_TIMEOUT)
        return {"ok": True, "transport": _transport(url)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": _transport(url), "error": f"{type(exc).__name__}: {exc}"}


def _transport(url: str) -> str:
    return url.split("://", 1)[0]
