"""Periodic upkeep that keeps run rows truthful: send runs stored while the broker was down, fail lost runs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from demos.models import DemoRun, RunStatus
from demos.submission import dispatch_run


def dispatch_pending_runs() -> int:
    pending = DemoRun.objects.filter(status=RunStatus.QUEUED, dispatched_at__isnull=True).values_list("pk", flat=True)
    return sum(dispatch_run(run_id) for run_id in list(pending))


def reap_stale_runs() -> int:
    """Fail running runs whose worker stopped sending heartbeats (killed, out of memory, hard time limit)."""
    close_old_connections()
    cutoff = timezone.now() - timedelta(seconds=settings.DEMO_STALE_AFTER_SECONDS)
    reaped = 0
    for run in DemoRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff):
        silent = (timezone.now() - run.heartbeat_at).total_seconds()
        error = (
            f"The worker running this demo ({run.worker or 'unknown'}) stopped responding: no heartbeat for "
            f"{silent:.0f} s. It was probably killed, ran out of memory or hit the hard time limit of "
            f"{settings.DEMO_HARD_TIME_LIMIT} s. Submit the run again."
        )
        reaped += DemoRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), message="worker lost", error=error
        )
    return reaped
