"""Applying Zoom webhook events to the mirror (zoom-api.md §10.4).

Idempotent: a delivery is recorded under a unique key, a hash of what its signature covers (timestamp and
raw body), in the same transaction as its effect, so the same signed delivery sent three times changes
the mirror once, whatever x-zm-request-id (which the signature does not cover) comes with it. Ordered: an
event older than the row's `synced_at` (a sync or a newer event already showed us fresher data) is
ignored; so a retry Zoom signs anew (new timestamp, same event) rewrites at most the same values.

Defensive: the event's object goes through the same mapping as a sync's read (accounts/mirroring.py,
meetings/mirroring.py), which checks every value against the mirror field it goes to (type, length,
range) and maps only the fields the object carries. What is valid is applied; what is not is named in the
delivery record and in an audit event, and the answer says so (`partial`, `invalid`). A change the
mirror's constraints refuse (an email another user still holds) is a `conflict`: nothing of it is
applied, the next full sync reconciles it. Zoom gets a 200 in every case: sending the same body again
would not help.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.mirroring import mirror_write_user, user_values
from accounts.models import ZoomUser
from meetings.mirroring import meeting_values, mirror_write_meeting
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.mirror.mapping import MirrorValues, Rejected, checker
from zoomadmin_site.mirror.models import WebhookDelivery
from zoomadmin_site.sync.signatures import delivery_key
from zoomadmin_site.zoom import parse_datetime

Result = WebhookDelivery.Result
APPLIED, IGNORED, DUPLICATE = Result.APPLIED.value, Result.IGNORED.value, "duplicate"
PARTIAL, INVALID, CONFLICT = Result.PARTIAL.value, Result.INVALID.value, Result.CONFLICT.value
CONFLICT_REASON = "the mirror refused the change ({error}); the next full sync reconciles it"


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

    def take(self, mapped: MirrorValues) -> MirrorValues:
        """The mirror values of the event's object, noting what in it could not be used."""
        self.problems.extend(mapped.problems())
        return mapped


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
    payload = event.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    obj = payload.get("object")
    obj = obj if isinstance(obj, dict) else {}
    parsed = Event(name=_printable(event.get("event", "")), obj=obj, payload=payload, when=timezone.now())
    raw_ts = event.get("event_ts")
    if raw_ts is None:
        return parsed, None
    try:
        event_ts = checker(WebhookDelivery, "event_ts")(raw_ts)
        parsed.when = parse_datetime(event_ts) or parsed.when
    except (Rejected, ValueError, OverflowError, OSError):
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


def _printable(value: Any) -> str:
    """Text for the delivery record: PostgreSQL refuses NUL characters in text columns."""
    return str(value).replace("\x00", "")


# --- users: the one mapping and writer of accounts/mirroring.py -----------------------------------------


def user_created(event: Event) -> bool:
    invited = event.payload.get("creation_type", "create") == "create"
    status = ZoomUser.Status.PENDING if invited else ZoomUser.Status.ACTIVE
    user = event.take(user_values(event.obj, status=status))
    # A user already mirrored is left as it is: a later sync or user.updated brings changes.
    return mirror_write_user(user, when=event.when, update=False) is not None


def user_updated(event: Event) -> bool:
    user = event.take(user_values(event.obj, partial=True))
    return mirror_write_user(user, when=event.when, create=False) is not None


def _user_status(status: str | None) -> Handler:
    """user.activated / .deactivated (a status), user.deleted / .disassociated (None: gone)."""

    def handler(event: Event) -> bool:
        obj = {**event.obj, "status": status} if status else event.obj
        user = event.take(user_values(obj, partial=True))
        return mirror_write_user(user, when=event.when, create=False, gone=status is None) is not None

    return handler


# --- meetings: the one mapping and writer of meetings/mirroring.py -------------------------------------


def meeting_created(event: Event) -> bool:
    meeting = event.take(meeting_values(event.obj))
    return mirror_write_meeting(meeting, when=event.when, update=False) is not None


def meeting_updated(event: Event) -> bool:
    meeting = event.take(meeting_values(event.obj, partial=True))
    return mirror_write_meeting(meeting, when=event.when, create=False) is not None


def _meeting_state(*, gone: bool = False, status: str = "") -> Handler:
    """meeting.deleted (gone), meeting.started / .ended (a status; whether it is gone stays as it was)."""

    def handler(event: Event) -> bool:
        obj = {**event.obj, "status": status} if status else event.obj
        meeting = event.take(meeting_values(obj, partial=True))
        return (
            mirror_write_meeting(meeting, when=event.when, create=False, gone=True if gone else None)
            is not None
        )

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
