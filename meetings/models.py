"""The local mirror of the Zoom account's meetings (GET /users/{id}/meetings, GET /meetings/{id}).

Written by the sync and webhooks with the bulk upsert described in accounts/models.py
(unique_fields=["meeting_id"], update_fields=ZoomMeeting.MIRROR_FIELDS). The host's name and email are
copied onto each meeting so that search needs no join. Zoom's start_url is never stored.
"""

from __future__ import annotations

import datetime
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.models import MirrorRow

# Meetings without a fixed time (recurring type 3, instant) sort after every dated meeting and count as
# upcoming. Far from datetime.max so that showing it in any time zone cannot overflow.
NO_FIXED_TIME = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


# Meetings whose status Zoom has told us (a single read or a webhook); "" means not known.
KNOWN_STATUS = ~models.Q(status="")


class ZoomMeeting(MirrorRow, models.Model):
    class Type(models.IntegerChoices):
        INSTANT = 1, "Instant"
        SCHEDULED = 2, "Scheduled"
        RECURRING_NO_FIXED_TIME = 3, "Recurring, no fixed time"
        PMI = 4, "Personal meeting ID"
        RECURRING_FIXED_TIME = 8, "Recurring, fixed time"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        STARTED = "started", "Started"

    RECURRING_TYPES = (Type.RECURRING_NO_FIXED_TIME, Type.RECURRING_FIXED_TIME)

    meeting_id = models.BigIntegerField(unique=True, help_text="Zoom's meeting id (int64).")
    uuid = models.CharField(max_length=128, blank=True, default="")
    topic = models.CharField(max_length=300, blank=True, default="")
    type = models.PositiveSmallIntegerField(choices=Type.choices, default=Type.SCHEDULED)
    host_zoom_id = models.CharField(max_length=64)
    host_email = models.CharField(max_length=254, blank=True, default="", db_index=True)
    host_name = models.CharField(max_length=400, blank=True, default="")
    assistant_id = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text="Zoom's assistant_id: who created the meeting for the host with schedule_for (empty if "
        "the host created it).",
    )
    start_time = models.DateTimeField(
        null=True, blank=True, help_text="UTC. For fixed-time recurring meetings, the next occurrence."
    )
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Minutes.")
    timezone = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, blank=True, default="", choices=Status.choices)
    agenda = models.TextField(blank=True, default="")
    recurrence = models.JSONField(null=True, blank=True)
    occurrences = models.JSONField(default=list, blank=True)
    is_pmi = models.BooleanField(default=False, help_text="Held on the host's personal meeting ID.")
    alternative_hosts = models.TextField(blank=True, default="", help_text="As Zoom gives it: ';'-separated.")
    join_url = models.CharField(max_length=1024, blank=True, default="")
    created_at = models.DateTimeField(null=True, blank=True)
    details_synced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When GET /meetings/{id} was last read. Zoom's meeting lists do not carry the scheduler of "
        "record (assistant_id), status or alternative hosts: until then those fields are unknown.",
    )
    synced_at = models.DateTimeField(db_index=True)
    gone_at = models.DateTimeField(null=True, blank=True)
    start_sort = models.GeneratedField(
        expression=Coalesce(F("start_time"), Value(NO_FIXED_TIME)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    MIRROR_FIELDS = [
        "uuid",
        "topic",
        "type",
        "host_zoom_id",
        "host_email",
        "host_name",
        "assistant_id",
        "start_time",
        "duration",
        "timezone",
        "status",
        "agenda",
        "recurrence",
        "occurrences",
        "is_pmi",
        "alternative_hosts",
        "join_url",
        "created_at",
        "details_synced_at",
        "synced_at",
        "gone_at",
    ]

    class Meta:
        verbose_name = "Zoom meeting"
        indexes = [
            # Keyset pagination walks these in order; the trailing gone_at lets counts read the index alone.
            models.Index(fields=["start_sort", "id", "gone_at"], name="zoommeeting_start_sort"),
            models.Index(fields=["topic", "id", "gone_at"], name="zoommeeting_topic_sort"),
            models.Index(
                fields=["host_name", "start_sort", "id", "gone_at"], name="zoommeeting_hostname_sort"
            ),
            models.Index(
                fields=["host_zoom_id", "start_sort", "id", "gone_at"], name="zoommeeting_host_start"
            ),
            # Few meetings have a known status (Zoom's lists carry none): a status filter walks these alone.
            # Partial, so SQLite (which keeps no statistics) never takes it for "not known"; it uses it when
            # a query repeats the condition word for word (meetings.selectors.meeting_search).
            models.Index(
                fields=["status", "start_sort", "id", "gone_at"],
                name="zoommeeting_status_start",
                condition=KNOWN_STATUS,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.meeting_id})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.meeting_id])

    @property
    def scheduler_of_record_id(self) -> str:
        """Whose scheduling privileges decide a host transfer (zoom-api.md §1.3): the assistant who created
        the meeting with schedule_for, else the host."""
        return self.assistant_id or self.host_zoom_id

    @property
    def details_known(self) -> bool:
        """Whether the mirror has read this meeting itself (GET /meetings/{id}). Until then the facts that
        Zoom's meeting lists leave out (scheduler of record, status, alternative hosts, recurrence,
        occurrences) are unknown, not empty."""
        return self.details_synced_at is not None

    @property
    def scheduler_known(self) -> bool:
        return self.details_known

    @property
    def status_known(self) -> bool:
        """Zoom gives a status only when the meeting itself is read, or in a meeting.started / .ended
        webhook; the full sync never writes one, so an empty status means "not known"."""
        return bool(self.status)

    @property
    def alternative_hosts_known(self) -> bool:
        """Read from Zoom, or named by a webhook (an empty list from a webhook cannot be told apart)."""
        return self.details_known or bool(self.alternative_hosts.strip())

    @property
    def is_recurring(self) -> bool:
        return self.type in self.RECURRING_TYPES

    @property
    def alternative_host_list(self) -> list[str]:
        raw = self.alternative_hosts.replace(",", ";")
        return [part.strip() for part in raw.split(";") if part.strip()]

    @property
    def join_url_has_passcode(self) -> bool:
        parts = _split_url(self.join_url)
        return parts is not None and any(key == "pwd" for key, _ in parse_qsl(parts.query))

    @property
    def join_url_display(self) -> str:
        """The join link without its embedded passcode (the page says whether there is one)."""
        parts = _split_url(self.join_url)
        if parts is None or parts.scheme not in ("http", "https"):
            return ""
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "pwd"])
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _split_url(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host in data from Zoom
        return None


class TransferJob(models.Model):
    """Offboarding: every upcoming and recurring meeting of one host moved to new hosts, item by item, by
    a background task (meetings/offboarding.py) within Zoom's rate budget and each host's daily quota."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        WAITING = "waiting", "Waiting for Zoom's daily quota"
        DONE = "done", "Done"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_jobs",
    )
    created_by_label = models.CharField(max_length=150)
    source_zoom_id = models.CharField(max_length=64)
    source_email = models.CharField(max_length=254)
    default_new_host = models.CharField(max_length=254)
    reason = models.TextField()
    fixes = models.JSONField(default=list, blank=True)  # assistant grants the plan needs, listed once
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)  # when a quota-bound job continues

    class Meta:
        ordering = ("-created_at", "-id")
        default_permissions = ()

    def __str__(self) -> str:
        return f"Transfer job #{self.pk}: meetings of {self.source_email}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:transfer_job", args=[self.pk])


class TransferItem(models.Model):
    """One meeting of a transfer job. Moved at most once: an item is claimed by a conditional UPDATE
    (`pending → running`), and its change request carries the exactly-once execution."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Moving"
        MOVED = "moved", "Moved"
        FAILED = "failed", "Failed"
        BLOCKED = "blocked", "Needs attention"
        RECREATE = "recreate", "Must be re-created"

    job = models.ForeignKey(TransferJob, on_delete=models.CASCADE, related_name="items")
    meeting_id = models.BigIntegerField()
    topic = models.CharField(max_length=300, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    recurring = models.BooleanField(default=False)
    new_host = models.CharField(max_length=254)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    checks = models.JSONField(default=dict, blank=True)  # check key -> pass / warn / fail (the matrix)
    plan = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)  # why it is blocked, failed or must be re-created
    change_request = models.ForeignKey(
        "changes.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("start_time", "meeting_id")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["job", "meeting_id"], name="one_item_per_meeting")]
        indexes = [models.Index(fields=["job", "status"], name="transferitem_job_status")]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.new_host} ({self.status})"
