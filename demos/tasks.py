"""Celery tasks: each looks up an id and calls a service. Safe to run twice."""

from celery import shared_task

from demos import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def run_demo(self, run_id: str) -> None:
    services.execute_run(run_id, worker=self.request.hostname or "")


@shared_task(ignore_result=True)
def dispatch_pending_runs() -> int:
    return services.dispatch_pending_runs()


@shared_task(ignore_result=True)
def reap_stale_runs() -> int:
    return services.reap_stale_runs()
