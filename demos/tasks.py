"""Celery tasks: each looks up an id and calls a service. Safe to run twice."""

from celery import shared_task

from demos import execution, maintenance


@shared_task(bind=True, acks_late=True, ignore_result=True)
def run_demo(self, run_id: str) -> None:
    execution.execute_run(run_id, worker=self.request.hostname or "")


@shared_task(ignore_result=True)
def dispatch_pending_runs() -> int:
    return maintenance.dispatch_pending_runs()


@shared_task(ignore_result=True)
def reap_stale_runs() -> int:
    return maintenance.reap_stale_runs()
