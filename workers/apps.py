from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"

    def ready(self):
        from workers.celery_app import ensure_filesystem_broker_folders

        ensure_filesystem_broker_folders()
