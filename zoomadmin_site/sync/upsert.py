"""The full sync's writes: bulk upsert of the rows the one mapping makes (accounts/mirroring.py,
meetings/mirroring.py), drift counting, gone marking.

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
from django.utils import timezone

from accounts.mirroring import existing_users, match_user, release_emails
from accounts.models import Delegation, ZoomRole, ZoomUser
from meetings.models import ZoomMeeting

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
class OutsideChange:
    """A watched value (a user's role, a meeting's host) that the sync found changed in Zoom."""

    target_type: str
    target_id: str
    target_label: str
    field: str
    before: Any
    after: Any


# The values whose change the audit log records when a sync finds it (see sync/drift.py).
WATCHED = {ZoomUser: ("role_id", "zoom_user"), ZoomMeeting: ("host_zoom_id", "zoom_meeting")}


def _watched_change(
    before: dict[str, Any] | None, row: models.Model, *, key: str, label: str
) -> OutsideChange | None:
    watched = WATCHED.get(type(row))
    if watched is None or before is None or before.get("gone_at") is not None:
        return None
    field_name, target_type = watched
    old, new = before.get(field_name), getattr(row, field_name)
    if not old or not new or old == new:
        return None
    return OutsideChange(target_type, key, label, field_name, old, new)


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


def upsert(
    table: Table, rows: Sequence[models.Model], *, update_fields: Sequence[str], drift: Drift
) -> list[OutsideChange]:
    """Insert or update `rows`, counting each as created / updated / returned (was gone) / unchanged.
    Returns the watched values found changed (a meeting's host)."""
    if not rows:
        return []
    compared = [f for f in update_fields if f not in ("synced_at", "gone_at")]
    existing = _existing(table, rows, compared)
    changes = []
    for row in rows:
        key = table.key_of(row)
        _note_drift(drift, existing.get(key), row, compared, key=str(key))
        label = f"{getattr(row, 'topic', '')} ({key})".strip()
        change = _watched_change(existing.get(key), row, key=str(key), label=label)
        if change:
            changes.append(change)
    table.model._default_manager.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=list(table.unique_fields),
        update_fields=list(update_fields),
    )
    return changes


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
        found = table.model._default_manager.filter(**{f"{table.key}__in": keys}).values(*fields)
        return {row[table.key]: row for row in found}
    # Delegations: a batch belongs to a handful of hosts; read those hosts' rows.
    hosts = {r.host_zoom_id for r in rows}  # type: ignore[attr-defined]
    found = table.model._default_manager.filter(host_zoom_id__in=hosts).values(*fields)
    return {tuple(row[f] for f in table.unique_fields): row for row in found}


# --- users: two unique keys ---------------------------------------------------------------------------

USER_UPDATE_FIELDS = [*ZoomUser.MIRROR_FIELDS, "email"]


def upsert_users(rows: Sequence[ZoomUser], *, drift: Drift) -> list[OutsideChange]:
    """Insert or update users, matched the way Zoom identifies them (accounts.mirroring.match_user). A row
    still holding an email that Zoom now gives someone else lets go of it first: the unique email
    constraint would refuse the write otherwise. Returns the roles found changed."""
    if not rows:
        return []
    compared = [f for f in USER_UPDATE_FIELDS if f not in ("synced_at", "gone_at")]
    by_id, by_email = existing_users(
        ids=[r.zoom_id for r in rows if r.zoom_id],
        emails=[r.email for r in rows],
        fields=["gone_at", *compared],
    )
    changes = []
    for row in rows:
        before = match_user(row.zoom_id, row.email, by_id, by_email)
        if before is not None:
            row.pk = before["pk"]
            row.zoom_id = row.zoom_id or before["zoom_id"]  # lists omit a pending user's id: keep one we know
        _note_drift(drift, before, row, compared, key=row.zoom_id or row.email)
        change = _watched_change(
            before, row, key=row.zoom_id or row.email, label=f"{row.display_name} <{row.email}>"
        )
        if change:
            changes.append(change)
    release_emails([(row.pk, row.email) for row in rows], by_email)
    ZoomUser.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["pk"], update_fields=USER_UPDATE_FIELDS
    )
    return changes


def mark_gone(
    table: Table, *, seen_before: datetime.datetime, drift: Drift, exclude: dict[str, Iterable] | None = None
) -> int:
    """Rows that this sync did not see (synced before it started) are marked gone, not deleted."""
    stale = table.model._default_manager.filter(gone_at__isnull=True, synced_at__lt=seen_before)
    for field_name, values in (exclude or {}).items():
        values = list(values)
        if values:
            stale = stale.exclude(**{f"{field_name}__in": values})
    for key in stale.values_list(table.key if table.key != "pair" else "id", flat=True)[:EXAMPLES_KEPT]:
        drift.examples.setdefault("gone", []).append(str(key))
    count = stale.update(gone_at=timezone.now())
    drift.gone += count
    return count
