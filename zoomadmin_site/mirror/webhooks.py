"""Applying Zoom webhook events to the mirror (zoom-api.md §10.4).

Idempotent: a delivery is recorded under a unique key (Zoom's x-zm-request-id, stable across retries, or
the body's hash) in the same transaction as its effect, so the same event delivered three times changes
the mirror once. Ordered: an event older than the row's `synced_at` (a sync or a newer event already
showed us fresher data) is ignored.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ZoomRole, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.models import WebhookDelivery
from zoomadmin_site.zoom import Meeting, parse_datetime, parse_meeting_id

APPLIED, IGNORED, DUPLICATE = "applied", "ignored", "duplicate"

USER_FIELDS = {  # Zoom's name in user.* objects -> mirror field
    "first_name": "first_name",
    "last_name": "last_name",
    "display_name": "display_name",
    "email": "email",
    "type": "type",
    "dept": "dept",
    "timezone": "timezone",
    "pmi": "pmi",
    "status": "status",
    "role_id": "role_id",
}
MEETING_FIELDS = ("topic", "type", "start_time", "duration", "timezone", "agenda", "join_url", "uuid")


def dedupe_key(*, zoom_request_id: str, body: bytes) -> str:
    source = zoom_request_id.encode() if zoom_request_id else body
    return hashlib.sha256(source).hexdigest()


def webhook_apply(*, body: bytes, zoom_request_id: str, event: Mapping[str, Any]) -> str:
    """Apply one verified event; returns applied / ignored / duplicate."""
    name = str(event.get("event", ""))
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    obj = payload.get("object") if isinstance(payload.get("object"), dict) else {}
    event_ts = event.get("event_ts") if isinstance(event.get("event_ts"), int) else None
    when = parse_datetime(event_ts) or timezone.now()
    handler = HANDLERS.get(name)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                dedupe_key=dedupe_key(zoom_request_id=zoom_request_id, body=body),
                zoom_request_id=zoom_request_id[:128],
                event=name[:64],
                event_ts=event_ts,
                object_id=str(obj.get("id", ""))[:64],
                result=WebhookDelivery.Result.IGNORED,
            )
            applied = handler(obj, payload, when) if handler else False
            if applied:
                delivery.result = WebhookDelivery.Result.APPLIED
                delivery.save(update_fields=["result"])
    except IntegrityError:
        return DUPLICATE
    return APPLIED if applied else IGNORED


# --- users -------------------------------------------------------------------------------------------


def _user(obj: Mapping[str, Any]) -> ZoomUser | None:
    zoom_id, email = str(obj.get("id") or ""), str(obj.get("email") or "").lower()
    if zoom_id:
        found = ZoomUser.objects.filter(zoom_id=zoom_id).first()
        if found:
            return found
    return ZoomUser.objects.filter(email=email).first() if email else None


def _fresh(row: Any, when: datetime.datetime) -> bool:
    return row.synced_at is None or when >= row.synced_at


def _user_values(obj: Mapping[str, Any]) -> dict[str, Any]:
    values = {field: obj[key] for key, field in USER_FIELDS.items() if key in obj and obj[key] is not None}
    if "email" in values:
        values["email"] = str(values["email"]).lower()
    if "role" in obj:  # user.updated names the role, not its id
        role = ZoomRole.objects.filter(name=obj["role"]).first()
        if role:
            values["role_id"] = role.role_id
    return values


def user_created(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
    if _user(obj) is not None or not obj.get("email"):
        return False  # already mirrored: a later sync or user.updated brings changes
    values = _user_values(obj)
    pending = payload.get("creation_type", "create") == "create"
    ZoomUser.objects.create(
        zoom_id=str(obj.get("id")) or None,
        status=ZoomUser.Status.PENDING if pending else ZoomUser.Status.ACTIVE,
        synced_at=when,
        **{k: v for k, v in values.items() if k != "status"},
        display_name=values.get("display_name")
        or f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
        or values["email"],
    )
    return True


def user_updated(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
    user = _user(obj)
    if user is None or not _fresh(user, when):
        return False
    for field, value in _user_values(obj).items():
        setattr(user, field, value)
    user.synced_at, user.gone_at = when, None
    user.save()
    return True


def _user_status(
    status: str | None,
) -> Callable[[Mapping[str, Any], Mapping[str, Any], datetime.datetime], bool]:
    def handler(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
        user = _user(obj)
        if user is None or not _fresh(user, when):
            return False
        if status is None:
            user.gone_at = when
        else:
            user.status, user.gone_at = status, None
        user.synced_at = when
        user.save(update_fields=["status", "gone_at", "synced_at"])
        return True

    return handler


# --- meetings ----------------------------------------------------------------------------------------


def _meeting_id(obj: Mapping[str, Any]) -> int | None:
    try:
        return parse_meeting_id(obj.get("id"))
    except ValueError:
        return None


def _host_facts(host_zoom_id: str) -> dict[str, str]:
    host = ZoomUser.objects.filter(zoom_id=host_zoom_id).values("email", "display_name").first()
    return {"host_email": host["email"], "host_name": host["display_name"]} if host else {}


def _meeting_values(obj: Mapping[str, Any]) -> dict[str, Any]:
    parsed = Meeting.from_zoom({**obj, "id": _meeting_id(obj) or 0})
    values: dict[str, Any] = {f: getattr(parsed, f) for f in MEETING_FIELDS if f in obj}
    if "host_id" in obj:
        values["host_zoom_id"] = parsed.host_id
        values.update(_host_facts(parsed.host_id))
    if parsed.settings is not None and "alternative_hosts" in obj.get("settings", {}):
        values["alternative_hosts"] = parsed.settings.alternative_hosts
    if "pmi" in obj:
        values["is_pmi"] = True
    return values


def meeting_created(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
    meeting_id = _meeting_id(obj)
    if meeting_id is None or ZoomMeeting.objects.filter(meeting_id=meeting_id).exists():
        return False
    ZoomMeeting.objects.create(meeting_id=meeting_id, synced_at=when, **_meeting_values(obj))
    return True


def meeting_updated(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
    meeting_id = _meeting_id(obj)
    meeting = ZoomMeeting.objects.filter(meeting_id=meeting_id).first() if meeting_id else None
    if meeting is None or not _fresh(meeting, when):
        return False
    for field, value in _meeting_values(obj).items():
        setattr(meeting, field, value)
    meeting.synced_at, meeting.gone_at = when, None
    meeting.save()
    return True


def _meeting_state(*, gone: bool = False, status: str = "") -> Callable[..., bool]:
    def handler(obj: Mapping[str, Any], payload: Mapping[str, Any], when: datetime.datetime) -> bool:
        meeting_id = _meeting_id(obj)
        meeting = ZoomMeeting.objects.filter(meeting_id=meeting_id).first() if meeting_id else None
        if meeting is None or not _fresh(meeting, when):
            return False
        if gone:
            meeting.gone_at = when
        else:
            meeting.status = status
        meeting.synced_at = when
        meeting.save(update_fields=["gone_at", "status", "synced_at"])
        return True

    return handler


HANDLERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], datetime.datetime], bool]] = {
    "user.created": user_created,
    "user.updated": user_updated,
    "user.activated": _user_status(ZoomUser.Status.ACTIVE),
    "user.deactivated": _user_status(ZoomUser.Status.INACTIVE),
    "user.deleted": _user_status(None),
    "user.disassociated": _user_status(None),
    "meeting.created": meeting_created,
    "meeting.updated": meeting_updated,
    "meeting.deleted": _meeting_state(gone=True),
    "meeting.started": _meeting_state(status=ZoomMeeting.Status.STARTED),
    "meeting.ended": _meeting_state(status=ZoomMeeting.Status.WAITING),
}
