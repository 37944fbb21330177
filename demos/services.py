"""Writes for demo runs: submit, dispatch, execute, cancel, and the maintenance that keeps rows truthful."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from common.errors import ServiceError
from demos.catalog import UnknownDemo, cache_key, code_version, get_demo
from demos.models import FINISHED, DemoRun, RunStatus
from demos.trainings.base import ParamError

logger = logging.getLogger(__name__)
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunCancelled(Exception):
    """Raised from the progress callback when the owner cancelled the run."""


class RunTimedOut(Exception):
    """Raised from the progress callback once the run has used its soft time limit."""


def submit_run(
    owner, demo_name: str, params: dict | None, *, device: str = "auto", fresh: bool = False, prediction: str = ""
) -> tuple[DemoRun, bool]:
    """Validate and store a run, and queue it once the transaction commits.

    Returns ``(run, cached)``: with ``cached`` the run is a finished copy of an earlier identical run.
    """
    try:
        demo = get_demo(demo_name)
    except UnknownDemo as exc:
        raise ServiceError("unknown_demo", exc.message, errors={"demo": exc.message}) from None
    try:
        cleaned = demo.validate(params)
    except ParamError as exc:
        errors = {f"params.{name}": message for name, message in exc.errors.items()}
        raise ServiceError("invalid_params", f"Invalid parameters for {demo_name}: {exc}", errors=errors) from None
    if prediction and prediction not in demo.prediction.choices:
        message = f"'{prediction}' is not one of {', '.join(demo.prediction.choices)}."
        raise ServiceError("invalid_prediction", message, errors={"prediction": message})
    queue = _queue_for(device)
    key = cache_key(demo_name, cleaned, queue)

    with transaction.atomic():
        earlier = None if fresh else _latest_success(key)
        if earlier:
            return _copy_of(earlier, owner, prediction), True
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()  # serialises one user's submits
        active = DemoRun.objects.filter(owner=owner, status__in=ACTIVE).count()
        if active >= settings.DEMO_MAX_ACTIVE_RUNS:
            raise ServiceError(
                "active_run_limit",
                f"You already have {active} runs queued or running (the limit is {settings.DEMO_MAX_ACTIVE_RUNS}); "
                "wait for one to finish or cancel one.",
                status=429,
            )
        run = DemoRun.objects.create(
            owner=owner,
            demo=demo_name,
            params=cleaned,
            code_version=code_version(demo_name),
            cache_key=key,
            queue=queue,
            prediction=prediction,
            message="waiting for a worker",
        )
        transaction.on_commit(lambda: dispatch_run(run.pk))
    return run, False


def _queue_for(device: str) -> str:
    if device == "cpu":
        return "cpu"
    if device == "cuda" and not settings.DEMO_GPU_QUEUE:
        message = "No GPU worker is configured on this server (DEMO_GPU_QUEUE is off); use device cpu or auto."
        raise ServiceError("no_gpu_worker", message, errors={"device": message})
    return "gpu" if settings.DEMO_GPU_QUEUE else "cpu"


def _latest_success(key: str) -> DemoRun | None:
    return DemoRun.objects.filter(cache_key=key, status=RunStatus.SUCCEEDED).order_by("-finished_at").first()


def _copy_of(earlier: DemoRun, owner, prediction: str) -> DemoRun:
    now = timezone.now()
    copied = {
        name: getattr(earlier, name)
        for name in ("demo", "params", "code_version", "cache_key", "queue", "metrics", "series", "summary", "device")
    }
    return DemoRun.objects.create(
        owner=owner,
        **copied,
        status=RunStatus.SUCCEEDED,
        progress=1.0,
        message="result taken from an identical run",
        cached_from=earlier.cached_from or earlier,
        prediction=prediction,
        prediction_result=grade_prediction(earlier.demo, prediction, earlier.metrics),
        dispatched_at=now,
        started_at=now,
        finished_at=now,
    )


def grade_prediction(demo_name: str, prediction: str, metrics: dict) -> dict | None:
    if not prediction:
        return None
    question = get_demo(demo_name).prediction
    answer = question.answer(metrics)
    return {
        "question": question.question,
        "prediction": prediction,
        "answer": answer,
        "answer_label": question.choices[answer],
        "correct": prediction == answer,
        "explanation": question.explain(metrics),
    }


def dispatch_run(run_id) -> bool:
    """Hand a stored run to the broker. If the broker is down the run stays queued and undispatched, and
    ``dispatch_pending_runs`` sends it once the broker is back."""
    from demos.tasks import run_demo

    run = DemoRun.objects.only("queue", "status").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return False
    try:
        run_demo.apply_async(args=[str(run_id)], queue=run.queue, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu raises several connection error types
        logger.warning("Broker unavailable, run %s stays queued until it is back: %s", run_id, exc)
        return False
    DemoRun.objects.filter(pk=run_id, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return True


def dispatch_pending_runs() -> int:
    pending = DemoRun.objects.filter(status=RunStatus.QUEUED, dispatched_at__isnull=True).values_list("pk", flat=True)
    return sum(dispatch_run(run_id) for run_id in list(pending))


def execute_run(run_id, worker: str = "") -> None:
    """Run a queued demo and record the outcome. Safe to call twice: only the call that claims the run acts."""
    now = timezone.now()
    claimed = DemoRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, worker=worker[:200], message="starting"
    )
    if not claimed:
        logger.info("Run %s is not queued any more (finished, cancelled or running elsewhere); skipping.", run_id)
        return
    run = DemoRun.objects.get(pk=run_id)
    device = _device_for(run.queue)
    DemoRun.objects.filter(pk=run_id).update(device=str(device))
    try:
        with _Heartbeat(run_id):
            result = get_demo(run.demo).run(run.params, device, _ProgressReporter(run_id))
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
        _finish(run_id, RunStatus.FAILED, message="failed", error=f"{type(exc).__name__}: {exc}")
    else:
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
    finally:
        _release_memory(device)


def _device_for(queue: str):
    import torch

    torch.set_num_threads(settings.DEMO_TORCH_THREADS)
    return torch.device("cuda" if queue == "gpu" and torch.cuda.is_available() else "cpu")


def _release_memory(device) -> None:
    gc.collect()
    if device.type == "cuda":
        import torch

        torch.cuda.empty_cache()


def _finish(run_id, status: str, **fields) -> None:
    DemoRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=status, finished_at=timezone.now(), **fields
    )


class _ProgressReporter:
    """The demo's progress callback: records progress at most twice a second, and stops the run (by raising)
    when its owner cancelled it or it has used its soft time limit."""

    def __init__(self, run_id):
        self.run_id = run_id
        self.started = time.monotonic()
        self.last_write = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.started > settings.DEMO_SOFT_TIME_LIMIT:
            raise RunTimedOut
        if now - self.last_write < 0.5 and fraction < 1.0:
            return
        self.last_write = now
        DemoRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(
            progress=round(min(max(fraction, 0.0), 1.0), 4), message=message[:200]
        )
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
                DemoRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
                if time.monotonic() - started > settings.DEMO_HARD_TIME_LIMIT:
                    self._end_process()
        finally:
            connection.close()

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


def cancel_run(run: DemoRun) -> DemoRun:
    """Cancel a queued run at once; ask a running one to stop at its next progress report."""
    if run.status in FINISHED:
        raise ServiceError(
            "not_cancellable", f"The run has already {run.status}; there is nothing to cancel.", status=409
        )
    now = timezone.now()
    stopped = DemoRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, finished_at=now, message="cancelled before it started", cancel_requested=True
    )
    if not stopped:
        DemoRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            cancel_requested=True, message="cancellation requested"
        )
    run.refresh_from_db()
    return run


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
