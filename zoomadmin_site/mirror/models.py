from __future__ import annotations

from django.conf import settings
from django.db import models


class SyncRun(models.Model):
    """One full refresh of the local mirror from Zoom (from the command line, the UI or the schedule).

    Progress fields are updated while it runs so the UI can poll them; the outcome is also written to
    the audit log as one `mirror.sync` event with the counts and the drift found. The process running it
    holds a lease (`owner`, renewed in `heartbeat_at`, see mirror/lease.py): a run whose process stopped is
    marked interrupted (a `mirror.sync_interrupted` event) and continues where it stopped on the next start.
    """

    class Trigger(models.TextChoices):
        CLI = "cli", "Command line"
        UI = "ui", "Dashboard"
        SCHEDULE = "schedule", "Schedule"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"  # its process stopped (killed, or Ctrl-C): resumable

    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_by_label = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The process holding the lease while it runs: "host|pid namespace|pid|process start|token".
    owner = models.CharField(max_length=255, blank=True)
    phase = models.CharField(max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    zoom_calls = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    resume_state = models.JSONField(default=dict, blank=True)
    # True while queued or running; the partial unique constraint allows one such run at a time.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["status", "-queued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_sync_run"
            )
        ]

    def __str__(self) -> str:
        return f"sync #{self.pk} {self.status}"

    @property
    def duration_label(self) -> str:
        if not (self.started_at and self.finished_at):
            return "—"
        seconds = int((self.finished_at - self.started_at).total_seconds())
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return (
            f"{hours} h {minutes} min"
            if hours
            else f"{minutes} min {seconds} s"
            if minutes
            else f"{seconds} s"
        )

    @property
    def resumable(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.INTERRUPTED}

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class WebhookDelivery(models.Model):
    """A Zoom webhook we accepted. The unique key (a hash of what the signature covers: timestamp and
    body) makes a redelivered event a no-op. `detail` names what in the event could not be applied (a
    value of the wrong type or size, a refused change)."""

    class Result(models.TextChoices):
        APPLIED = "applied", "Applied"
        PARTIAL = "partial", "Applied, except invalid fields"
        IGNORED = "ignored", "Ignored (stale or not mirrored)"
        INVALID = "invalid", "Not applied (invalid fields)"
        CONFLICT = "conflict", "Not applied (conflicts with the mirror)"

    dedupe_key = models.CharField(max_length=64, unique=True)
    zoom_request_id = models.CharField(max_length=128, blank=True)
    event = models.CharField(max_length=64)
    event_ts = models.BigIntegerField(null=True)
    object_id = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=16, choices=Result.choices)
    detail = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["-received_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.object_id}"


class WebhookRejection(models.Model):
    """Webhook deliveries refused for one reason from one source address in one window
    (sync/rejections.py): the first is a `webhook.rejected` audit event naming this row, which counts
    them all. `source` is "*" for addresses beyond the first few of a window."""

    source = models.CharField(max_length=64)
    reason = models.CharField(max_length=32)
    window_start = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reason", "window_start"], name="webhook_rejection_one_row_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.count} x {self.reason} from {self.source} at {self.window_start:%Y-%m-%d %H:%M}"
