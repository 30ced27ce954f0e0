"""The local mirror of the Zoom account's users, roles and scheduling delegations.

Rows are written by the sync (full, paged) and by Zoom webhooks, never by the screens. Each row carries
`synced_at` (when Zoom last showed it to us) and `gone_at` (set when a full sync no longer finds it; cleared
when it comes back). Searches hide gone rows unless asked.

How a full sync writes these tables (bulk, one statement per batch, no per-row queries):

    started = timezone.now()
    ZoomUser.objects.bulk_create(
        batch,  # ZoomUser(..., synced_at=started, gone_at=None)
        update_conflicts=True, unique_fields=["email"], update_fields=ZoomUser.MIRROR_FIELDS,
    )
    ...  # every page
    ZoomUser.objects.filter(gone_at__isnull=True, synced_at__lt=started).update(gone_at=timezone.now())

The same recipe works for ZoomRole (unique_fields=["role_id"]), Delegation
(unique_fields=["assistant_zoom_id", "host_zoom_id"]) and meetings.ZoomMeeting (unique_fields=["meeting_id"]).
The text-search index follows every such write by itself (see zoomadmin_site/search/index.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

# "Never logged in" sorts as the oldest possible login; a sort key must never be NULL (see searching.py).
NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

SYSTEM_ROLE_NAMES = {"0": "Owner", "1": "Admin", "2": "Member"}


class MirrorRow:
    """What every mirror row with Zoom's `type` and `status` codes shows: labels that survive codes Zoom
    adds later, and whether the row is gone from Zoom."""

    Type: Any
    Status: Any
    type: Any
    status: str
    gone_at: datetime.datetime | None

    @property
    def is_gone(self) -> bool:
        return self.gone_at is not None

    @property
    def type_label(self) -> str:
        return str(self.Type(self.type).label) if self.type in self.Type.values else f"Type {self.type}"

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label) if self.status in self.Status.values else self.status

    @property
    def status_css(self) -> str:
        """A badge class suffix, only ever one of the known statuses."""
        return self.status if self.status in self.Status.values else "unknown"


class ZoomRole(models.Model):
    """A Zoom role (GET /roles). System roles have ids "0" Owner, "1" Admin, "2" Member; custom roles have
    opaque string ids."""

    role_id = models.CharField(max_length=64, unique=True, help_text="Zoom's role id (a string).")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    total_members = models.PositiveIntegerField(null=True, blank=True)
    synced_at = models.DateTimeField(db_index=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    MIRROR_FIELDS = ["name", "description", "total_members", "synced_at", "gone_at"]

    class Meta:
        ordering = ["role_id"]
        verbose_name = "Zoom role"

    def __str__(self) -> str:
        return f"{self.name} ({self.role_id})"


class ZoomUser(MirrorRow, models.Model):
    """A user of the Zoom account (GET /users, GET /users/{id}).

    Keys: `zoom_id` is Zoom's user id, unique when present and NULL only for pending users (Zoom lists
    them without an id); the mirror matches users on it. `email` is unique too (as in a Zoom account) and
    is the match for a pending user; when the invitation is accepted the same row takes the new id. Emails
    change and move between users, so the mirror lets go of a moved email first (accounts/mirroring.py).
    Pages address a user by Zoom id, or by email when there is none (Zoom's API accepts either too).
    """

    class Type(models.IntegerChoices):
        BASIC = 1, "Basic"
        LICENSED = 2, "Licensed"
        UNASSIGNED = 4, "Unassigned"
        NONE = 99, "None"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        PENDING = "pending", "Pending"

    zoom_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    email = models.CharField(max_length=254, unique=True)
    first_name = models.CharField(max_length=200, blank=True, default="")
    last_name = models.CharField(max_length=200, blank=True, default="")
    display_name = models.CharField(
        max_length=400,
        blank=True,
        default="",
        help_text="Zoom's display name; the sync fills it from "
        "first and last name (or the email) when Zoom has none, because it is the name we sort by.",
    )
    type = models.PositiveSmallIntegerField(choices=Type.choices, default=Type.BASIC)
    role_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    dept = models.CharField(max_length=200, blank=True, default="")
    pmi = models.BigIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True, default="")
    last_login = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="Zoom's user_created_at.")
    synced_at = models.DateTimeField(db_index=True)
    gone_at = models.DateTimeField(null=True, blank=True)
    last_login_sort = models.GeneratedField(
        expression=Coalesce(F("last_login"), Value(NEVER)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    MIRROR_FIELDS = [
        "zoom_id",
        "first_name",
        "last_name",
        "display_name",
        "type",
        "role_id",
        "status",
        "dept",
        "pmi",
        "timezone",
        "last_login",
        "created_at",
        "synced_at",
        "gone_at",
    ]

    class Meta:
        verbose_name = "Zoom user"
        indexes = [
            # Keyset pagination walks these in order: (sort columns, id). The trailing gone_at lets the
            # capped count and the "hide gone rows" filter read the index alone.
            models.Index(fields=["display_name", "id", "gone_at"], name="zoomuser_name_sort"),
            models.Index(fields=["dept", "id", "gone_at"], name="zoomuser_dept_sort"),
            models.Index(fields=["type", "display_name", "id", "gone_at"], name="zoomuser_type_sort"),
            models.Index(fields=["status", "display_name", "id", "gone_at"], name="zoomuser_status_sort"),
            models.Index(fields=["last_login_sort", "id", "gone_at"], name="zoomuser_login_sort"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.url_key])

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name or full or self.email

    @property
    def url_key(self) -> str:
        """How URLs address this user: the Zoom id, or the email for a pending user."""
        return self.zoom_id or self.email


class Delegation(models.Model):
    """Scheduling privilege: the assistant can schedule meetings for the host (GET /users/{host}/assistants,
    or seen from the other side, GET /users/{assistant}/schedulers). Both sides are Zoom user ids; the
    users they name may not be in the mirror yet, so there is no foreign key."""

    assistant_zoom_id = models.CharField(max_length=64)  # indexed by the unique pair
    host_zoom_id = models.CharField(max_length=64, db_index=True)
    can_manage_host_private_event = models.BooleanField(default=False)
    synced_at = models.DateTimeField(db_index=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    MIRROR_FIELDS = ["can_manage_host_private_event", "synced_at", "gone_at"]

    class Meta:
        verbose_name = "scheduling delegation"
        constraints = [
            models.UniqueConstraint(
                fields=["assistant_zoom_id", "host_zoom_id"], name="delegation_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistant_zoom_id} can schedule for {self.host_zoom_id}"
