"""The Celery application. Broker and options come from Django settings (the CELERY_ namespace)."""

import gc
import os

from celery import Celery
from celery.signals import worker_before_create_process, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("deeprecall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def warm_up_before_forking(**_kwargs) -> None:
    """Runs once in the worker's parent process, before the pool forks its first child."""
    from workers.warmup import warm_up_torch  # torch is imported by workers only, not by web processes

    warm_up_torch()


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
