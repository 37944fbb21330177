import uuid

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class DemoRun(models.Model):
    """One request to run a demo. This row, not the broker, is the truth about the job."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_runs")
    demo = models.CharField(max_length=60, db_index=True)
    params = models.JSONField(help_text="The full, validated parameter set (defaults filled in).")
    code_version = models.CharField(max_length=16, help_text="Hash of the demo's source code.")
    cache_key = models.CharField(max_length=64, help_text="Hash of demo, parameters, code version and queue.")
    queue = models.CharField(max_length=10, help_text="cpu or gpu.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=200, blank=True)
    metrics = models.JSONField(null=True, blank=True)
    series = models.JSONField(null=True, blank=True)
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True)
    device = models.CharField(max_length=20, blank=True, help_text="The torch device the run used.")
    prediction = models.CharField(max_length=40, blank=True, help_text="The learner's answer, given before the run.")
    prediction_result = models.JSONField(null=True, blank=True)
    cached_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancel_requested = models.BooleanField(default=False)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When the task was handed to the broker.")
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-queued_at",)
        indexes = [
            models.Index(fields=["owner", "-queued_at"]),
            models.Index(fields=["cache_key", "status"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.demo} {self.status} ({self.id})"

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
