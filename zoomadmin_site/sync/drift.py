"""Changes made outside Zoom Admin: a user's role or a meeting's host that a sync finds changed in Zoom,
with no change request of ours behind it, is recorded in the audit log for the auditors
("changed outside Zoom Admin, no approval on record").

Zoom Admin's own changes do not show up here: the executor writes what it read back into the mirror, so
the next sync finds nothing new. A request that was still running, or ended unverified (Zoom may apply
it late), is taken as the explanation when it asked for the value Zoom now shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import ZoomRole
from zoomadmin_site.audit.models import Action, Outcome
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status
from zoomadmin_site.sync.upsert import OutsideChange

SYNC_ACTOR = "zoom-sync"
OUTSIDE = "Changed outside Zoom Admin, no approval on record: the {noun} went from {before} to {after}."
EXPLAINED_WITHIN = datetime.timedelta(days=3)
OURS = (Status.EXECUTING, Status.SUCCEEDED, Status.UNVERIFIED)
FIELDS = {
    "role_id": ("role", Kind.ROLE_CHANGE, "role_id"),
    "host_zoom_id": ("host", Kind.HOST_TRANSFER, "host_id"),
}


def record_outside_changes(changes: Iterable[OutsideChange]) -> int:
    """One `mirror.drift` event per change no request of ours explains. Returns how many were recorded."""
    changes = list(changes)
    if not changes:
        return 0
    role_names = dict(ZoomRole.objects.values_list("role_id", "name"))
    recorded = 0
    for change in changes:
        noun, kind, intended_key = FIELDS[change.field]
        if _explained(change, kind, intended_key):
            continue
        before, after = (_shown(change.field, v, role_names) for v in (change.before, change.after))
        audit_record(
            action=Action.MIRROR_DRIFT,
            outcome=Outcome.SUCCEEDED,
            actor_label=SYNC_ACTOR,
            target_type=change.target_type,
            target_id=change.target_id,
            target_label=change.target_label,
            before={change.field: change.before, noun: before},
            after={change.field: change.after, noun: after},
            reason=OUTSIDE.format(noun=noun, before=before, after=after),
        )
        recorded += 1
    return recorded


def _explained(change: OutsideChange, kind: str, intended_key: str) -> bool:
    since = timezone.now() - EXPLAINED_WITHIN
    requests = ChangeRequest.objects.filter(
        kind=kind,
        target_type=change.target_type,
        target_id=change.target_id,
        status__in=OURS,
        updated_at__gte=since,
    )
    return any(request.intended.get(intended_key) == change.after for request in requests)


def _shown(field: str, value: str, role_names: dict[str, str]) -> str:
    if field == "role_id":
        return role_names.get(value, f"role {value}")
    return value
