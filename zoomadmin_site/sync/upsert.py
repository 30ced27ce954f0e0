"""Writing Zoom objects into the mirror tables: conversion, bulk upsert, drift counting, gone marking.

Each batch is one pre-read of the existing rows (for drift: what changed in Zoom since we last looked)
and one INSERT ... ON CONFLICT DO UPDATE. The text-search index follows by itself
(zoomadmin_site/search/index.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Delegation, ZoomRole, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.zoom import models as zoom

EXAMPLES_KEPT = 10

# What GET /users/{id}/meetings carries. The rest (assistant_id, status, alternative hosts, occurrences,
# recurrence) only comes with GET /meetings/{id}: a list-based sync must not blank it.
MEETING_FIELDS_FROM_LISTS = [
    "uuid",
    "topic",
    "type",
    "host_zoom_id",
    "host_email",
    "host_name",
    "start_time",
    "duration",
    "timezone",
    "agenda",
    "is_pmi",
    "join_url",
    "created_at",
    "synced_at",
    "gone_at",
]
MEETING_DETAIL_FIELDS = ZoomMeeting.MIRROR_FIELDS


@dataclass
class Drift:
    """What a sync found different from the mirror, per table."""

    created: int = 0
    updated: int = 0
    returned: int = 0
    gone: int = 0
    unchanged: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, key: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if kind != "unchanged":
            bucket = self.examples.setdefault(kind, [])
            if len(bucket) < EXAMPLES_KEPT:
                bucket.append(key)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    key: str
    unique_fields: tuple[str, ...]

    def key_of(self, row: models.Model) -> Any:
        return (
            tuple(getattr(row, f) for f in self.unique_fields)
            if len(self.unique_fields) > 1
            else getattr(row, self.key)
        )


ROLES = Table(ZoomRole, "role_id", ("role_id",))
# Users are written by `upsert_users` (two unique keys); this entry serves `mark_gone`.
USERS = Table(ZoomUser, "email", ("email",))
DELEGATIONS = Table(Delegation, "pair", ("assistant_zoom_id", "host_zoom_id"))
MEETINGS = Table(ZoomMeeting, "meeting_id", ("meeting_id",))


def upsert(table: Table, rows: Sequence[models.Model], *, update_fields: Sequence[str], drift: Drift) -> None:
    """Insert or update `rows`, counting each as created / updated / returned (was gone) / unchanged."""
    if not rows:
        return
    compared = [f for f in update_fields if f not in ("synced_at", "gone_at")]
    existing = _existing(table, rows, compared)
    for row in rows:
        key = table.key_of(row)
        _note_drift(drift, existing.get(key), row, compared, key=str(key))
    table.model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=list(table.unique_fields),
        update_fields=list(update_fields),
    )


def _note_drift(
    drift: Drift, before: dict[str, Any] | None, row: models.Model, compared: Sequence[str], *, key: str
) -> None:
    if before is None:
        drift.note("created", key)
    elif before["gone_at"] is not None:
        drift.note("returned", key)
    elif any(before[f] != getattr(row, f) for f in compared):
        drift.note("updated", key)
    else:
        drift.note("unchanged", key)


def _existing(table: Table, rows: Sequence[models.Model], compared: Sequence[str]) -> dict[Any, dict]:
    fields = [*table.unique_fields, "gone_at", *compared]
    if len(table.unique_fields) == 1:
        keys = [getattr(r, table.key) for r in rows]
        found = table.model.objects.filter(**{f"{table.key}__in": keys}).values(*fields)
        return {row[table.key]: row for row in found}
    # Delegations: a batch belongs to a handful of hosts; read those hosts' rows.
    hosts = {r.host_zoom_id for r in rows}  # type: ignore[attr-defined]
    found = table.model.objects.filter(host_zoom_id__in=hosts).values(*fields)
    return {tuple(row[f] for f in table.unique_fields): row for row in found}


# --- users: two unique keys ---------------------------------------------------------------------------

USER_UPDATE_FIELDS = [*ZoomUser.MIRROR_FIELDS, "email"]


def upsert_users(rows: Sequence[ZoomUser], *, drift: Drift) -> None:
    """Insert or update users, matched the way Zoom identifies them: by Zoom id, or by email for a user Zoom
    lists without one (pending). Emails move (changed in Zoom, swapped between two users, given to a new
    user after the old one left), so a row still holding an email that Zoom now gives someone else lets
    go of it first: the unique email constraint would refuse the write otherwise."""
    if not rows:
        return
    compared = [f for f in USER_UPDATE_FIELDS if f not in ("synced_at", "gone_at")]
    by_id, by_email = _existing_users(rows, compared)
    for row in rows:
        before = _match_user(row, by_id, by_email)
        if before is not None:
            row.pk = before["pk"]
            row.zoom_id = row.zoom_id or before["zoom_id"]  # lists omit a pending user's id: keep one we know
        _note_drift(drift, before, row, compared, key=row.zoom_id or row.email)
    _release_emails(rows, by_email)
    ZoomUser.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["pk"], update_fields=USER_UPDATE_FIELDS
    )


def _existing_users(
    rows: Sequence[ZoomUser], compared: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    ids = [r.zoom_id for r in rows if r.zoom_id]
    found = list(
        ZoomUser.objects.filter(Q(zoom_id__in=ids) | Q(email__in=[r.email for r in rows])).values(
            "pk", "gone_at", *compared
        )
    )
    return {u["zoom_id"]: u for u in found if u["zoom_id"]}, {u["email"]: u for u in found}


def _match_user(
    row: ZoomUser, by_id: dict[str, dict[str, Any]], by_email: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    if not row.zoom_id:
        return by_email.get(row.email)
    if row.zoom_id in by_id:
        return by_id[row.zoom_id]
    held = by_email.get(row.email)
    # A pending user (mirrored without an id) accepted the invitation: the same person, now with an id.
    # A row holding the email under another id is someone else; `_release_emails` frees the email.
    return held if held is not None and held["zoom_id"] is None else None


def _release_emails(rows: Sequence[ZoomUser], by_email: dict[str, dict[str, Any]]) -> None:
    """Rows holding an email that one of `rows` takes get a placeholder (unique: it names the row). Their
    own Zoom entry brings their new email later in the sync; a row that never comes back is marked gone."""
    released = [
        ZoomUser(pk=held["pk"], email=released_email(held["email"], pk=held["pk"]))
        for row in rows
        if (held := by_email.get(row.email)) is not None and held["pk"] != row.pk
    ]
    if released:
        ZoomUser.objects.bulk_update(released, ["email"])


def released_email(email: str, *, pk: int) -> str:
    """Not an address (it has spaces), so no Zoom user can claim it; the old email stays readable."""
    return f"{email[:200]} (email moved; mirror row {pk})"


def mark_gone(
    table: Table, *, seen_before: datetime.datetime, drift: Drift, exclude: dict[str, Iterable] | None = None
) -> int:
    """Rows that this sync did not see (synced before it started) are marked gone, not deleted."""
    stale = table.model.objects.filter(gone_at__isnull=True, synced_at__lt=seen_before)
    for field_name, values in (exclude or {}).items():
        values = list(values)
        if values:
            stale = stale.exclude(**{f"{field_name}__in": values})
    for key in stale.values_list(table.key if table.key != "pair" else "id", flat=True)[:EXAMPLES_KEPT]:
        drift.examples.setdefault("gone", []).append(str(key))
    count = stale.update(gone_at=timezone.now())
    drift.gone += count
    return count


# --- conversion from the client's typed objects ------------------------------------------------------


def role_row(role: zoom.ZoomRole, *, now: datetime.datetime) -> ZoomRole:
    return ZoomRole(
        role_id=role.id,
        name=role.name,
        description=role.description,
        total_members=role.total_members,
        synced_at=now,
        gone_at=None,
    )


def user_row(user: zoom.ZoomUser, *, now: datetime.datetime, listed_status: str = "") -> ZoomUser:
    email = user.email.strip().lower()
    full_name = f"{user.first_name} {user.last_name}".strip()
    return ZoomUser(
        zoom_id=user.id or None,
        email=email,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name or full_name or email,
        type=user.type or ZoomUser.Type.BASIC,
        role_id=user.role_id,
        status=user.status or listed_status or ZoomUser.Status.ACTIVE,
        dept=user.dept,
        pmi=user.pmi,
        timezone=user.timezone,
        last_login=user.last_login_time,
        created_at=user.user_created_at or user.created_at,
        synced_at=now,
        gone_at=None,
    )


def meeting_row(
    meeting: zoom.Meeting, *, host: HostFacts, now: datetime.datetime, detailed: bool = False
) -> ZoomMeeting:
    """`detailed`: built from GET /meetings/{id}, which alone tells the scheduler of record."""
    settings = meeting.settings
    is_pmi = meeting.pmi is not None or bool(settings and settings.use_pmi)
    return ZoomMeeting(
        meeting_id=meeting.id,
        uuid=meeting.uuid,
        topic=meeting.topic[:300],
        type=meeting.type or ZoomMeeting.Type.SCHEDULED,
        host_zoom_id=meeting.host_id or host.zoom_id,
        host_email=host.email,
        host_name=host.name,
        assistant_id=meeting.assistant_id,
        start_time=meeting.start_time,
        duration=meeting.duration,
        timezone=meeting.timezone,
        status=meeting.status,
        agenda=meeting.agenda,
        recurrence=_plain(meeting.recurrence),
        occurrences=[_plain(o) for o in meeting.occurrences],
        is_pmi=is_pmi,
        alternative_hosts=settings.alternative_hosts if settings else "",
        join_url=meeting.join_url,
        created_at=meeting.created_at,
        details_synced_at=now if detailed else None,
        synced_at=now,
        gone_at=None,
    )


def delegation_row(*, assistant: zoom.Assistant, host_zoom_id: str, now: datetime.datetime) -> Delegation:
    return Delegation(
        assistant_zoom_id=assistant.id,
        host_zoom_id=host_zoom_id,
        can_manage_host_private_event=bool(assistant.can_manage_host_private_event),
        synced_at=now,
        gone_at=None,
    )


@dataclass(frozen=True)
class HostFacts:
    """What a meeting row copies from its host so search needs no join."""

    pk: int
    zoom_id: str
    email: str
    name: str
    licensed: bool


def _plain(value: Any) -> Any:
    if value is None:
        return None
    data = asdict(value)
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in data.items()}
