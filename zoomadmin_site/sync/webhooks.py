"""Applying Zoom webhook events to the mirror (zoom-api.md §10.4).

Idempotent: a delivery is recorded under a unique key, a hash of what its signature covers (timestamp and
raw body), in the same transaction as its effect, so the same signed delivery sent three times changes
the mirror once, whatever x-zm-request-id (which the signature does not cover) comes with it. Ordered: an
event older than the row's `synced_at` (a sync or a newer event already showed us fresher data) is
ignored; so a retry Zoom signs anew (new timestamp, same event) rewrites at most the same values.

Defensive: every value is checked against the mirror field it goes to (type, length, range) before it is
written. What is valid is applied; what is not is named in the delivery record and in an audit event, and
the answer says so (`partial`, `invalid`). A change the mirror's constraints refuse (an email another
user still holds) is a `conflict`: nothing of it is applied, the next full sync reconciles it. Zoom gets
a 200 in every case: sending the same body again would not help.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import ZoomRole, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.mirror.models import WebhookDelivery
from zoomadmin_site.sync.signatures import delivery_key
from zoomadmin_site.zoom import parse_datetime, parse_meeting_id

Result = WebhookDelivery.Result
APPLIED, IGNORED, DUPLICATE = Result.APPLIED.value, Result.IGNORED.value, "duplicate"
PARTIAL, INVALID, CONFLICT = Result.PARTIAL.value, Result.INVALID.value, Result.CONFLICT.value
CONFLICT_REASON = "the mirror refused the change ({error}); the next full sync reconciles it"

USER_FIELDS = {  # Zoom's name in user.* objects -> mirror field
    "id": "zoom_id",
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
MEETING_FIELDS = {  # Zoom's name in meeting.* objects -> mirror field
    **{name: name for name in ("topic", "type", "start_time", "duration", "timezone", "agenda")},
    **{name: name for name in ("join_url", "uuid")},
    "host_id": "host_zoom_id",
}


@dataclass
class Event:
    """One verified delivery being applied, and what in it could not be used."""

    name: str
    obj: Mapping[str, Any]
    payload: Mapping[str, Any]
    when: datetime.datetime
    problems: list[str] = field(default_factory=list)

    def reject(self, key: str, reason: str) -> None:
        self.problems.append(f"{key}: {reason}")


Handler = Callable[[Event], bool]


def webhook_apply(*, body: bytes, timestamp: str, zoom_request_id: str, event: Mapping[str, Any]) -> str:
    """Apply one verified event; returns applied / partial / ignored / invalid / conflict / duplicate."""
    parsed, event_ts = _parse(event)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                dedupe_key=delivery_key(timestamp=timestamp, body=body),
                zoom_request_id=_printable(zoom_request_id)[:128],
                event=parsed.name[:64],
                event_ts=event_ts,
                object_id=_printable(parsed.obj.get("id", ""))[:64],
                result=Result.IGNORED,
            )
            result = _run_handler(parsed)
            if result != IGNORED or parsed.problems:
                delivery.result, delivery.detail = result, _printable("; ".join(parsed.problems))[:4000]
                delivery.save(update_fields=["result", "detail"])
    except IntegrityError:  # only the delivery's own key can get here: the handler ran in a savepoint
        return DUPLICATE
    if result in (PARTIAL, INVALID, CONFLICT):
        _audit_problems(parsed, result, delivery)
    return result


def _parse(event: Mapping[str, Any]) -> tuple[Event, int | None]:
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    obj = payload.get("object") if isinstance(payload.get("object"), dict) else {}
    parsed = Event(name=_printable(event.get("event", "")), obj=obj, payload=payload, when=timezone.now())
    raw_ts = event.get("event_ts")
    if raw_ts is None:
        return parsed, None
    try:
        event_ts = _clean(WebhookDelivery, "event_ts", raw_ts)
        parsed.when = parse_datetime(event_ts) or parsed.when
    except (ValidationError, ValueError, OverflowError, OSError):
        parsed.reject("event_ts", "not a time in milliseconds; the time of arrival is used")
        return parsed, None
    return parsed, event_ts


def _run_handler(event: Event) -> str:
    handler = HANDLERS.get(event.name)
    if handler is None:
        return IGNORED
    try:
        with transaction.atomic():  # a savepoint: a refused write leaves the delivery record standing
            applied = handler(event)
    except IntegrityError as error:
        event.problems.append(CONFLICT_REASON.format(error=str(error).splitlines()[0][:200]))
        return CONFLICT
    if event.problems:
        return PARTIAL if applied else INVALID
    return APPLIED if applied else IGNORED


def _audit_problems(event: Event, result: str, delivery: WebhookDelivery) -> None:
    audit_record(
        action=f"webhook.{result}",
        outcome="succeeded" if result == PARTIAL else "failed",
        actor_label="zoom-webhook",
        target_type="zoom_webhook",
        target_id=delivery.object_id,
        target_label=f"{event.name} {delivery.object_id}".strip(),
        after={"event": event.name, "result": result, "delivery": delivery.pk},
        reason=_printable("; ".join(event.problems)),
    )


# --- checking values against the mirror's fields ---------------------------------------------------------


def _printable(value: Any) -> str:
    """Text for the delivery record: PostgreSQL refuses NUL characters in text columns."""
    return str(value).replace("\x00", "")


def _clean(model: type[models.Model], name: str, value: Any) -> Any:
    """Zoom's JSON `value` as the mirror field `name` stores it; ValidationError when it cannot be."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.DateTimeField):
        try:
            cleaned = parse_datetime(value)
        except (ValueError, OverflowError, OSError):  # epoch numbers beyond any calendar
            cleaned = None
        if cleaned is None and value not in (None, ""):
            raise ValidationError("not a date and time")
    elif isinstance(model_field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError("not a whole number")
        cleaned = model_field.to_python(value.strip() if isinstance(value, str) else value)
    elif isinstance(value, str):
        if "\x00" in value:  # PostgreSQL cannot store it, nor take it as a query parameter
            raise ValidationError("contains a NUL character")
        cleaned = value
    else:
        raise ValidationError(f"not a string but {type(value).__name__}")
    if cleaned is None and not model_field.null:
        raise ValidationError("may not be empty")
    model_field.run_validators(cleaned)  # length, and the integer range the database can store
    return cleaned


def _values(
    event: Event, model: type[models.Model], fields: Mapping[str, str], source: Mapping[str, Any]
) -> dict[str, Any]:
    """The usable values in `source` for the mirror `fields` (Zoom's key -> field); the rest is noted."""
    values: dict[str, Any] = {}
    for key, name in fields.items():
        if source.get(key) is None:
            continue
        try:
            values[name] = _clean(model, name, source[key])
        except ValidationError as error:
            event.reject(key, " ".join(error.messages))
    return values


# --- users -------------------------------------------------------------------------------------------


def _user_values(event: Event) -> dict[str, Any]:
    values = _values(event, ZoomUser, USER_FIELDS, event.obj)
    if "email" in values:
        values["email"] = values["email"].strip().lower()
        if "@" not in values["email"]:
            event.reject("email", "not an email address")
            del values["email"]
    role = event.obj.get("role")  # user.updated names the role, not its id
    if isinstance(role, str) and "\x00" not in role:
        found = ZoomRole.objects.filter(name=role).first()
        if found:
            values["role_id"] = found.role_id
    return values


def _user(event: Event, values: Mapping[str, Any]) -> ZoomUser | None:
    """The mirrored user the event is about, matched like the sync matches: Zoom id, else email."""
    zoom_id, email = values.get("zoom_id"), values.get("email")
    if event.obj.get("id") is not None and zoom_id is None:
        return None  # an id we cannot read: matching on the email could pick someone else
    if zoom_id:
        found = ZoomUser.objects.filter(zoom_id=zoom_id).first()
        if found or not email:
            return found
        # Mirrored while pending (Zoom lists pending users without an id): the same person.
        return ZoomUser.objects.filter(email=email, zoom_id__isnull=True).first()
    return ZoomUser.objects.filter(email=email).first() if email else None


def _fresh(row: Any, when: datetime.datetime) -> bool:
    return row.synced_at is None or when >= row.synced_at


def user_created(event: Event) -> bool:
    values = _user_values(event)
    if "email" not in values:
        if event.obj.get("email") is None:
            event.reject("email", "missing; the mirror keeps users under their email")
        return False
    if event.obj.get("id") is not None and "zoom_id" not in values:
        return False
    if _user(event, values) is not None:
        return False  # already mirrored: a later sync or user.updated brings changes
    pending = event.payload.get("creation_type", "create") == "create"
    full_name = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
    ZoomUser.objects.create(
        **{k: v for k, v in values.items() if k not in ("status", "display_name")},
        status=ZoomUser.Status.PENDING if pending else ZoomUser.Status.ACTIVE,
        display_name=values.get("display_name") or full_name or values["email"],
        synced_at=event.when,
    )
    return True


def user_updated(event: Event) -> bool:
    values = _user_values(event)
    user = _user(event, values)
    if user is None or not _fresh(user, event.when):
        return False
    for name, value in values.items():
        setattr(user, name, value)
    user.synced_at, user.gone_at = event.when, None
    user.save()
    return True


def _user_status(status: str | None) -> Handler:
    def handler(event: Event) -> bool:
        user = _user(event, _user_values(event))
        if user is None or not _fresh(user, event.when):
            return False
        if status is None:
            user.gone_at = event.when
        else:
            user.status, user.gone_at = status, None
        user.synced_at = event.when
        user.save(update_fields=["status", "gone_at", "synced_at"])
        return True

    return handler


# --- meetings ----------------------------------------------------------------------------------------


def _meeting_id(event: Event) -> int | None:
    try:
        return _clean(ZoomMeeting, "meeting_id", parse_meeting_id(event.obj.get("id")))
    except (ValueError, ValidationError) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else "not a meeting id"
        event.reject("id", reason)
        return None


def _meeting_values(event: Event) -> dict[str, Any]:
    values = _values(event, ZoomMeeting, MEETING_FIELDS, event.obj)
    if "host_zoom_id" in values:
        given = _values(event, ZoomMeeting, {"host_email": "host_email"}, event.obj).get("host_email", "")
        values.update(_host_facts(values["host_zoom_id"], given_email=given))
    settings = event.obj.get("settings")
    if isinstance(settings, dict):
        values.update(_values(event, ZoomMeeting, {"alternative_hosts": "alternative_hosts"}, settings))
    if "pmi" in event.obj:
        values["is_pmi"] = True
    return values


def _host_facts(host_zoom_id: str, *, given_email: str) -> dict[str, str]:
    """Name and email copied from the host's row. A host not mirrored yet must not keep the previous
    host's: the email Zoom gave (or nothing) stands in, as a refresh from Zoom does."""
    host = ZoomUser.objects.filter(zoom_id=host_zoom_id).values("email", "display_name").first()
    if host:
        return {"host_email": host["email"], "host_name": host["display_name"]}
    return {"host_email": given_email, "host_name": given_email}


def meeting_created(event: Event) -> bool:
    meeting_id = _meeting_id(event)
    values = _meeting_values(event)
    if meeting_id is None or ZoomMeeting.objects.filter(meeting_id=meeting_id).exists():
        return False
    ZoomMeeting.objects.create(meeting_id=meeting_id, synced_at=event.when, **values)
    return True


def meeting_updated(event: Event) -> bool:
    meeting_id = _meeting_id(event)
    values = _meeting_values(event)
    meeting = ZoomMeeting.objects.filter(meeting_id=meeting_id).first() if meeting_id is not None else None
    if meeting is None or not _fresh(meeting, event.when):
        return False
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.synced_at, meeting.gone_at = event.when, None
    meeting.save()
    return True


def _meeting_state(*, gone: bool = False, status: str = "") -> Handler:
    def handler(event: Event) -> bool:
        meeting_id = _meeting_id(event)
        meeting = (
            ZoomMeeting.objects.filter(meeting_id=meeting_id).first() if meeting_id is not None else None
        )
        if meeting is None or not _fresh(meeting, event.when):
            return False
        if gone:
            meeting.gone_at = event.when
        else:
            meeting.status = status
        meeting.synced_at = event.when
        meeting.save(update_fields=["gone_at", "status", "synced_at"])
        return True

    return handler


HANDLERS: dict[str, Handler] = {
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
