"""Zoom's meetings as mirror rows: the one mapping, and the one writer.

`meeting_values` maps a Zoom meeting, complete (a read: the client's typed Meeting, or its JSON) or
partial (a webhook's object: only the fields it carries), to mirror field values, each checked against its
field (zoomadmin_site/mirror/mapping.py). Everything that fills ZoomMeeting rows goes through it: the full
sync's bulk upsert (`meeting_row`, zoomadmin_site/sync/upsert.py), and `mirror_write_meeting` for single
rows (webhooks, "refresh this row", the read-back after a change).

A meeting row copies its host's name and email from the host's user row, so that search needs no join
(`HostFacts`); a host the mirror does not know yet shows the email Zoom gave, never the previous host's.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.mapping import (
    HAS_NUL,
    Field,
    FieldMap,
    Get,
    MirrorValues,
    Rejected,
    checker,
    reader,
)
from zoomadmin_site.zoom import models as zoom
from zoomadmin_site.zoom import parse_meeting_id

logger = logging.getLogger(__name__)

NOT_A_MEETING_ID = "not a meeting id"
NOT_AN_OBJECT = "not an object"
NOT_A_LIST = "not a list"

MEETING_FIELDS = FieldMap(  # Zoom's key in a meeting object -> mirror field; `id`: see meeting_values()
    ZoomMeeting,
    Field("uuid", "uuid"),
    Field("topic", "topic", cut=True),  # Zoom allows 200 characters; the sync always kept what fits
    Field("type", "type"),
    Field("host_id", "host_zoom_id"),
    Field("host_email", "host_email"),  # what Zoom says; HostFacts has the last word
    Field("assistant_id", "assistant_id"),
    Field("start_time", "start_time"),
    Field("duration", "duration"),
    Field("timezone", "timezone"),
    Field("status", "status"),
    Field("agenda", "agenda"),
    Field("join_url", "join_url"),
    Field("created_at", "created_at"),
)
SETTINGS_FIELDS = FieldMap(ZoomMeeting, Field("alternative_hosts", "alternative_hosts"))  # in `settings`

ZoomMeetingData = Mapping[str, Any] | zoom.Meeting


@dataclass(frozen=True)
class HostFacts:
    """What a meeting row copies from its host so search needs no join."""

    pk: int
    zoom_id: str
    email: str
    name: str
    licensed: bool


# --- the mapping ---------------------------------------------------------------------------------------


def meeting_values(meeting: ZoomMeetingData, *, partial: bool = False) -> MirrorValues:
    """Zoom's meeting as mirror field values: complete (every field; a list item's missing details take
    their defaults, which the list sync does not write) or `partial` (only the fields the object carries;
    an event's occurrences are the ones it is about, not the meeting's list, so they are left alone)."""
    get = reader(meeting)
    mapped = MirrorValues()
    MEETING_FIELDS.map(get, partial=partial, into=mapped)
    values = mapped.values
    try:
        values["meeting_id"] = checker(ZoomMeeting, "meeting_id")(parse_meeting_id(get("id")))
    except Rejected as error:
        mapped.rejected["id"] = str(error)
    except ValueError:
        mapped.rejected["id"] = NOT_A_MEETING_ID
    settings = _settings(get("settings"), mapped, partial=partial)
    _pmi(get("pmi"), settings("use_pmi") if settings else None, values, partial=partial)
    recurrence = get("recurrence")
    if recurrence is not None:
        _recurrence(recurrence, mapped, partial=partial)
    elif not partial:
        values["recurrence"] = None
    if not partial:
        values["type"] = values["type"] or ZoomMeeting.Type.SCHEDULED
        occurrences = get("occurrences")
        values["occurrences"] = _occurrences(occurrences, mapped) if occurrences else []
    return mapped


def _settings(settings: Any, mapped: MirrorValues, *, partial: bool) -> Get | None:
    """The meeting's settings (alternative hosts), and a reader of them for use_pmi."""
    if settings is not None and not isinstance(settings, dict | zoom.MeetingSettings | Mapping):
        mapped.rejected["settings"] = NOT_AN_OBJECT
        settings = None
    read = reader(settings) if settings is not None else None
    if read is not None or not partial:
        SETTINGS_FIELDS.map(read or _nothing, partial=partial, into=mapped, prefix="settings.")
    return read


def _nothing(key: str) -> None:
    return None


def _pmi(pmi: Any, use_pmi: Any, values: dict[str, Any], *, partial: bool) -> None:
    """Held on the host's personal meeting ID: Zoom names the PMI, or the settings say use_pmi."""
    if not partial:
        values["is_pmi"] = pmi is not None or use_pmi is True
    elif pmi is not None:
        values["is_pmi"] = True
    elif use_pmi is not None:
        values["is_pmi"] = use_pmi is True


def _recurrence(recurrence: Any, mapped: MirrorValues, *, partial: bool) -> None:
    try:
        if isinstance(recurrence, Mapping):
            recurrence = zoom.Recurrence.from_zoom(recurrence)
        if not isinstance(recurrence, zoom.Recurrence):
            raise Rejected(NOT_AN_OBJECT)
        mapped.values["recurrence"] = _plain(recurrence)
    except (Rejected, ValueError, OverflowError, OSError) as error:
        mapped.rejected["recurrence"] = str(error) if isinstance(error, Rejected) else NOT_AN_OBJECT
        if not partial:
            mapped.values["recurrence"] = None


def _occurrences(occurrences: Any, mapped: MirrorValues) -> list[dict[str, Any]]:
    if not isinstance(occurrences, list | tuple):
        mapped.rejected["occurrences"] = NOT_A_LIST
        return []
    try:
        return [
            _plain(o if isinstance(o, zoom.MeetingOccurrence) else zoom.MeetingOccurrence.from_zoom(o))
            for o in occurrences
            if isinstance(o, zoom.MeetingOccurrence | Mapping)
        ]
    except (Rejected, ValueError, OverflowError, OSError) as error:
        mapped.rejected["occurrences"] = str(error) if isinstance(error, Rejected) else NOT_A_LIST
        return []


def _plain(value: Any) -> dict[str, Any]:
    """A recurrence or occurrence as JSON for the mirror (PostgreSQL's jsonb cannot hold a NUL either)."""
    data = asdict(value)
    if any(isinstance(v, str) and "\x00" in v for v in data.values()):
        raise Rejected(HAS_NUL)
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in data.items()}


def meeting_row(meeting: ZoomMeetingData, *, host: HostFacts, now: datetime.datetime) -> ZoomMeeting | None:
    """The full sync's row for a meeting in `host`'s meeting list (None if Zoom's id is unusable)."""
    mapped = meeting_values(meeting)
    values = mapped.values
    if mapped.rejected:
        logger.warning("Zoom meeting %s: %s", values.get("meeting_id"), "; ".join(mapped.problems()))
    if "meeting_id" not in values:
        return None
    values["host_zoom_id"] = values["host_zoom_id"] or host.zoom_id
    values["host_email"], values["host_name"] = host.email, host.name
    return ZoomMeeting(**values, details_synced_at=None, synced_at=now, gone_at=None)


# --- writing single rows -------------------------------------------------------------------------------


def host_facts(host_zoom_id: str, *, given_email: str) -> dict[str, str]:
    """Name and email copied from the host's row. A host not mirrored yet must not keep the previous
    host's: the email Zoom gave (or nothing) stands in for both."""
    host = (
        ZoomUser.objects.filter(zoom_id=host_zoom_id).values("email", "display_name").first()
        if host_zoom_id
        else None
    )
    if host:
        return {"host_email": host["email"], "host_name": host["display_name"]}
    return {"host_email": given_email, "host_name": given_email}


def mirror_write_meeting(
    meeting: MirrorValues,
    *,
    when: datetime.datetime,
    create: bool = True,
    update: bool = True,
    gone: bool | None = False,
    detailed: bool = False,
) -> int | None:
    """Write one meeting (meeting_values() of a read or of an event's object) as Zoom showed it at `when`.
    Returns the row's pk, or None when nothing was written: Zoom's id is unusable; the row was synced
    after `when` (an event older than the row is ignored); no row yet and `create` is off (an event about
    a meeting the mirror does not know); a row already and `update` is off (meeting.created of a meeting
    already mirrored).
    `gone`: True marks the row gone at `when`, False brings it back (Zoom just showed it), None leaves it
    (meeting.started and .ended). `detailed`: read with GET /meetings/{id}, the only call that tells the
    scheduler of record, status and alternative hosts."""
    values = dict(meeting.values)
    meeting_id = values.pop("meeting_id", None)
    if meeting_id is None:
        return None
    if "host_zoom_id" in values:
        values.update(host_facts(values["host_zoom_id"], given_email=values.get("host_email", "")))
    else:
        values.pop("host_email", None)  # a host's email follows the host
    stamp: dict[str, Any] = {"synced_at": when}
    if gone is not None:
        stamp["gone_at"] = when if gone else None
    if detailed:
        stamp["details_synced_at"] = when
    before = ZoomMeeting.objects.filter(meeting_id=meeting_id).values("pk", "synced_at").first()
    if before is None:
        if not create:
            return None
        return ZoomMeeting.objects.create(meeting_id=meeting_id, **values, **stamp).pk
    if not update or when < before["synced_at"]:
        return None
    ZoomMeeting.objects.filter(pk=before["pk"]).update(**values, **stamp)
    return before["pk"]


def mirror_mark_meeting_gone(*, meeting_id: int, when: datetime.datetime) -> None:
    """Zoom no longer has the meeting: its row is marked gone, and keeps when it was last seen."""
    ZoomMeeting.objects.filter(meeting_id=meeting_id, gone_at__isnull=True).update(gone_at=when)
