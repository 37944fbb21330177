"""The API side of demo runs: validate and store a run, hand it to the broker, cancel it."""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from common.errors import ServiceError
from demos.catalog import UnknownDemo, cache_key, code_version, get_demo
from demos.models import FINISHED, DemoRun, RunStatus
from demos.predictions import grade_prediction
from demos.trainings.base import ParamError

logger = logging.getLogger(__name__)
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_TASK = "demos.tasks.run_demo"  # sent by name: services do not import tasks


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


def dispatch_run(run_id) -> bool:
    """Hand a stored run to the broker. If the broker is down the run stays queued and undispatched, and
    ``dispatch_pending_runs`` sends it once the broker is back."""
    run = DemoRun.objects.only("queue", "status").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return False
    try:
        current_app.send_task(RUN_TASK, args=[str(run_id)], queue=run.queue, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu raises several connection error types
        logger.warning("Broker unavailable, run %s stays queued until it is back: %s", run_id, exc)
        return False
    DemoRun.objects.filter(pk=run_id, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return True


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
