"""The Celery application. Broker and options come from Django settings (the CELERY_ namespace)."""

import contextlib
import gc
import os

from celery import Celery
from celery.signals import (
    task_prerun,
    worker_before_create_process,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("deeprecall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.worker_pool = "workers.pool:TaskPool"  # prefork, with children replaced as soon as they exit
# Celery's Django fixup closes the database connection before each task and after it; with a reuse count it keeps
# the one a child opens when it starts (below) for its task. Each child runs one task, then closes it as it exits.
app.conf["CELERY_DB_REUSE_MAX"] = 1
app.autodiscover_tasks()


def runs_maintenance_only(worker) -> bool:
    """The maintenance worker (scripts/start.sh) runs no demo: it skips the warm-up (torch is imported anyway)."""
    return set(worker.app.amqp.queues.consume_from) == {"maintenance"}


@worker_init.connect
def warm_up_before_forking(sender, **_kwargs) -> None:
    """Runs once in the worker's parent process, before the pool forks its first child."""
    from workers.warmup import warm_up_torch  # torch is imported by workers only, not by web processes

    if not runs_maintenance_only(sender):
        warm_up_torch()
        worker_process_init.connect(warm_up_child, weak=False)


def warm_up_child(**_kwargs) -> None:
    """Runs in each child as it starts, while it waits for its run (see workers.warmup)."""
    from workers.warmup import warm_up_autograd

    warm_up_autograd()


@worker_init.connect
def connect_children_before_their_tasks(**_kwargs) -> None:
    """Connected here, after Celery's Django fixup, which closes a child's inherited connections when it starts."""
    worker_process_init.connect(connect_to_the_database, weak=False)
    worker_process_shutdown.connect(close_database_connections, weak=False)


def connect_to_the_database(**_kwargs) -> None:
    """A child is forked as soon as the previous one exits: it connects while it waits, not inside its task. If the
    database is unreachable now, its task connects (or fails) as before."""
    from django.db import DatabaseError, connection

    with contextlib.suppress(DatabaseError):
        connection.ensure_connection()


@task_prerun.connect
def drop_stale_connections(task, **_kwargs) -> None:
    """A child may have connected long before its task came: past its age, or broken, the connection is replaced."""
    from django.db import close_old_connections

    if not task.request.is_eager:  # an eager task runs inside its caller's transaction
        close_old_connections()


def close_database_connections(**_kwargs) -> None:
    from django.db import connections

    connections.close_all()


@worker_before_create_process.connect
def freeze_objects_before_forking(**_kwargs) -> None:
    """Keep the garbage collector off what the child inherits: it would walk every object (torch, Django, the demos'
    data), writing to each memory page it touches, so the child would copy the parent's memory and take seconds."""
    gc.freeze()


def ensure_filesystem_broker_folders() -> None:
    """The filesystem transport does not create its folders; make them before the first message."""
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)
