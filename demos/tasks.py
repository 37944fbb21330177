"""Celery tasks: each looks up an id and calls a service. Safe to run twice."""

import os
from pathlib import Path

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from demos import execution, maintenance
from demos.catalog import CATALOG


@shared_task(bind=True, acks_late=True, ignore_result=True)
def run_demo(self, run_id: str) -> None:
    execution.execute_run(run_id, worker=f"{self.request.hostname}, process {os.getpid()}")


@shared_task(ignore_result=True)
def dispatch_pending_runs() -> int:
    return maintenance.dispatch_pending_runs()


@shared_task(ignore_result=True)
def reap_stale_runs() -> int:
    return maintenance.reap_stale_runs()


@worker_init.connect
def prepare_demos_before_forking(sender, **_kwargs) -> None:
    """Each run's process is forked from the worker's parent, so what is prepared there is never done again. The
    maintenance worker (scripts/start.sh, queue maintenance only) runs no demo."""
    if set(sender.app.amqp.queues.consume_from) == {"maintenance"}:
        return
    for demo in CATALOG.values():
        demo.prepare(Path(settings.DATA_DIR) / "demo-data")
    # connected here, after Celery's Django fixup (which closes a child's inherited connections as it starts)
    worker_process_init.connect(prepare_child_for_runs, weak=False)


def prepare_child_for_runs(**_kwargs) -> None:
    execution.prepare_process()
