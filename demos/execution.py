"""The worker side of demo runs: claim a queued run, train with progress and a heartbeat, record the outcome."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from common.errors import is_disk_full
from demos.catalog import get_demo
from demos.models import DemoRun, RunStatus
from demos.predictions import grade_prediction

logger = logging.getLogger(__name__)
DISK_FULL_ERROR = (
    "The server's disk is full, so the run's results could not be saved and the run was stopped; nothing partial "
    "was kept. Submit the run again once the server's administrators have freed space in its data folder."
)
DISK_FULL_RETRY_SECONDS = 1
RUN_INPUTS = ("demo", "params", "queue", "prediction")
PROGRESS_WRITE_SECONDS = 0.5


class RunCancelled(Exception):
    """Raised from the progress callback when the owner cancelled the run."""


class RunTimedOut(Exception):
    """Raised from the progress callback once the run has used its soft time limit."""


def execute_run(run_id, worker: str = "") -> None:
    """Run a queued demo and record the outcome. Safe to call twice: only the call that claims the run acts."""
    run = _queued(run_id)
    device = _device_for(run.queue) if run else None
    if not (run and _claim(run_id, worker, device)):
        logger.info("Run %s is not queued any more (finished, cancelled or running elsewhere); skipping.", run_id)
        return
    try:
        with _Heartbeat(run_id):
            result = get_demo(run.demo).run(run.params, device, _ProgressReporter(run_id))
        _finish(
            run_id,
            RunStatus.SUCCEEDED,
            message="done",
            progress=1.0,
            metrics=result.metrics,
            series=result.series,
            summary=result.summary,
            prediction_result=grade_prediction(run.demo, run.prediction, result.metrics),
        )
    except RunCancelled:
        _finish(run_id, RunStatus.CANCELLED, message="cancelled by its owner")
    except RunTimedOut:
        limit = settings.DEMO_SOFT_TIME_LIMIT
        _finish(
            run_id,
            RunStatus.FAILED,
            message="time limit reached",
            error=f"The run took longer than its {limit} s time limit and was stopped. Try smaller parameters.",
        )
    except Exception as exc:
        logger.exception("Run %s failed", run_id)
        if is_disk_full(exc):
            _record_disk_full(run_id)
        else:
            _finish(run_id, RunStatus.FAILED, message="failed", error=f"{type(exc).__name__}: {exc}")
    finally:
        _release_memory(device)


def prepare_process() -> None:
    """In a worker's child as it starts, while it waits for its run: the run's first statement would otherwise pay
    for SQLite reading the schema on a new connection and for Django building the query (about 5 ms)."""
    with contextlib.suppress(DatabaseError):  # unreachable now: the run connects (or fails) as before
        _queued(uuid.UUID(int=0))


def _queued(run_id) -> DemoRun | None:
    return DemoRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).only(*RUN_INPUTS).first()


def _claim(run_id, worker: str, device) -> bool:
    """Move the run from queued to running; only one of two deliveries of its task gets True."""
    now = timezone.now()
    return bool(
        DemoRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=worker[:200],
            message="starting",
            device=str(device),
        )
    )


def _device_for(queue: str):
    import torch

    torch.set_num_threads(settings.DEMO_TORCH_THREADS)
    return torch.device("cuda" if queue == "gpu" and torch.cuda.is_available() else "cpu")


def _release_memory(device) -> None:
    gc.collect()
    if device.type == "cuda":
        import torch

        torch.cuda.empty_cache()


def _record_disk_full(run_id) -> None:
    """Fail the run for a full disk. While the disk stays full this write fails too, so it is tried again until
    space is freed (up to the hard time limit; then the reaper has the last word). Without its curves the row
    is small, so it fits where the curves did not."""
    deadline = time.monotonic() + settings.DEMO_HARD_TIME_LIMIT
    while True:
        try:
            return _finish(run_id, RunStatus.FAILED, message="disk full", error=DISK_FULL_ERROR, series=None)
        except DatabaseError as exc:
            if not is_disk_full(exc) or time.monotonic() > deadline:
                raise
            time.sleep(DISK_FULL_RETRY_SECONDS)


def _finish(run_id, status: str, **fields) -> None:
    DemoRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=status, finished_at=timezone.now(), **fields
    )


class _ProgressReporter:
    """The demo's progress callback: records progress, and the curves so far when the demo passes them, at most
    twice a second and not in the run's first half second (the finished row has the final ones); stops the run (by
    raising) when its owner cancelled it or it has used its soft time limit."""

    def __init__(self, run_id):
        self.run_id = run_id
        self.started = self.last_write = time.monotonic()
        self.unsaved_series = None

    def __call__(self, fraction: float, message: str, series: dict | None = None) -> None:
        now = time.monotonic()
        if now - self.started > settings.DEMO_SOFT_TIME_LIMIT:
            raise RunTimedOut
        if series is not None:
            self.unsaved_series = series  # the latest curves win; earlier unsaved ones are superseded
        if now - self.last_write < PROGRESS_WRITE_SECONDS:
            return
        self.last_write = now
        fields = {"progress": round(min(max(fraction, 0.0), 1.0), 4), "message": message[:200]}
        if self.unsaved_series is not None:
            fields["series"], self.unsaved_series = self.unsaved_series, None
        DemoRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(**fields)
        if DemoRun.objects.filter(pk=self.run_id, cancel_requested=True).exists():
            raise RunCancelled


class _Heartbeat:
    """Touches heartbeat_at from a background thread while the run trains, so a dead worker shows.

    It is also the watchdog for the hard time limit: a run stuck between progress reports past it is marked
    failed and its process ends (the worker starts a fresh one); Celery's own time limits are not reliable.
    """

    def __init__(self, run_id):
        self.run_id = run_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{run_id}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()

    def _beat(self) -> None:
        started = time.monotonic()
        try:
            while not self.stop.wait(settings.DEMO_HEARTBEAT_SECONDS):
                self._touch()
                if time.monotonic() - started > settings.DEMO_HARD_TIME_LIMIT:
                    self._end_process()
        finally:
            connection.close()

    def _touch(self) -> None:
        """A heartbeat the database cannot take now (restarting, disk full) is skipped, not the end of them."""
        try:
            DemoRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
        except DatabaseError as exc:
            logger.warning("Run %s: heartbeat not recorded (%s); trying again at the next one.", self.run_id, exc)
            connection.close()  # the next one opens a fresh connection (a restarted server closed this one)

    def _end_process(self) -> None:
        limit = settings.DEMO_HARD_TIME_LIMIT
        _finish(
            self.run_id,
            RunStatus.FAILED,
            message="hard time limit reached",
            error=f"The run did not stop at its soft time limit and was killed at the hard limit of {limit} s.",
        )
        logger.error("Run %s passed the hard time limit; ending the worker process.", self.run_id)
        os._exit(70)
