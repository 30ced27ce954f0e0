"""Meetings endpoints: list per user, get, create, update (PATCH), delete (zoom-api.md §6)."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import db, events, meetings, pagination, ratelimit, scheduling, users
from .context import Ctx, Reply, operator
from .errors import (
    DELETE_ENDED,
    DELETE_IN_PROGRESS,
    DELETE_PMI,
    HOSTING_NOT_ALLOWED,
    INVALID_OCCURRENCE,
    MEETING_NOT_FOUND,
    MEETING_NOT_FOUND_UPDATE,
    MEETING_STARTED,
    USER_NOT_IN_ACCOUNT,
    ZoomError,
    meeting_not_found,
)
from .ids import iso, meeting_id_from_int, parse_time, uuid_from_bytes
from .meeting_changes import apply_update, changes_from_body
from .validation import MEETING, validate

LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")


def _path_user(ctx: Ctx) -> sqlite3.Row:
    row = users.resolve(ctx.conn, ctx.params["userId"], ctx.api_user_id)
    if row is None:
        raise ZoomError(404, 1001, USER_NOT_IN_ACCOUNT.format(user=ctx.params["userId"]))
    return row


def require_meeting(ctx: Ctx, template: str = MEETING_NOT_FOUND) -> sqlite3.Row:
    raw = ctx.params["meetingId"]
    row = meetings.load(ctx.conn, int(raw)) if raw.isdigit() and len(raw) < 19 else None
    if row is None or meetings.is_expired(row, ctx.now):
        raise meeting_not_found(raw, template)
    return row


def _live(ctx: Ctx, row: sqlite3.Row) -> bool:
    return meetings.is_live(row, ctx.now, bool(ctx.knobs["auto_start"]))


def _matches(ctx: Ctx, row: sqlite3.Row, kind: str) -> bool:
    if meetings.is_expired(row, ctx.now):
        return False
    live = _live(ctx, row)
    if kind == "live":
        return live
    upcoming = live or row["type"] == 3 or (row["end_ts"] is not None and row["end_ts"] > ctx.now)
    if kind in ("upcoming", "upcoming_meetings"):
        return upcoming
    if kind == "previous_meetings":
        return not upcoming
    return True


def list_meetings(ctx: Ctx) -> Reply:
    """Only types 2, 3 and 8 (no instant meetings), unexpired; agenda cut to 250 characters."""
    host = _path_user(ctx)
    kind = ctx.query.get("type", "scheduled")
    kind = kind if kind in LIST_TYPES else "scheduled"
    size = pagination.page_size(ctx.query.get("page_size"), 300)
    scope = f"meetings|{host['id']}|{kind}"
    after = pagination.cursor(ctx, scope)
    rows = ctx.conn.execute(
        "SELECT m.*, u.email AS host_email, u.pmi AS host_pmi FROM meetings m "
        "JOIN users u ON u.id = m.host_id WHERE m.host_id = ? AND m.type IN (2, 3, 8)",
        (host["id"],),
    ).fetchall()
    chosen = [row for row in rows if _matches(ctx, row, kind)]
    chosen.sort(key=lambda r: (meetings.next_start(r, ctx.now) or r["created_ts"], r["id"]))
    offset = int(after) if after is not None else pagination.start_offset(ctx, size)
    page = chosen[offset : offset + size]
    more = offset + size < len(chosen)
    next_token = pagination.issue(ctx, scope, str(offset + size)) if more else ""
    items = [meetings.list_item(row, ctx.now) for row in page]
    body = pagination.envelope(
        ctx, key="meetings", items=items, size=size, total=len(chosen), next_token=next_token
    )
    return Reply(200, body)


def get_meeting(ctx: Ctx) -> Reply:
    row = require_meeting(ctx)
    show_previous = ctx.flag("show_previous_occurrences")
    body = meetings.detail(row, ctx.now, live=_live(ctx, row), show_previous=show_previous)
    occurrence = ctx.query.get("occurrence_id")
    if occurrence:
        known = {str(start * 1000): start for start in meetings.starts(row)} if row["type"] == 8 else {}
        if occurrence not in known:
            raise ZoomError(400, 3000, INVALID_OCCURRENCE)
        body["start_time"] = iso(known[occurrence])
    return Reply(200, body)


def _new_ids(ctx: Ctx) -> tuple[int, str]:
    while True:
        meeting_id = meeting_id_from_int(ctx.draw.integer())
        if ctx.conn.execute("SELECT 1 FROM meetings WHERE id = ?", (meeting_id,)).fetchone() is None:
            return meeting_id, uuid_from_bytes(ctx.draw.raw())


def effective_type(body: dict[str, Any]) -> int:
    """The type a create call really makes. Zoom (current create-meeting docs): a scheduled meeting
    (type 2, the default) without ``start_time`` starts now and becomes an instant meeting (type 1), so
    every rule about instant meetings (no ``schedule_for``) must see the type after this step."""
    meeting_type = body.get("type", 2)
    return 1 if meeting_type == 2 and not body.get("start_time") else meeting_type


def _initial_row(
    ctx: Ctx, body: dict[str, Any], host: sqlite3.Row, assistant_id: str | None
) -> dict[str, Any]:
    meeting_type = effective_type(body)
    timezone = body.get("timezone") or host["timezone"]
    start = parse_time(body["start_time"], timezone) if body.get("start_time") else None
    if meeting_type == 8 and start is None:
        start = ctx.now
    meeting_id, uuid = _new_ids(ctx)
    settings = dict(body.get("settings") or {})
    use_pmi = bool(settings.pop("use_pmi", False)) and meeting_type in (1, 2, 3)
    row: dict[str, Any] = {
        "id": meeting_id,
        "uuid": uuid,
        "host_id": host["id"],
        "assistant_id": assistant_id,
        "topic": body.get("topic") or "Zoom Meeting",
        "type": meeting_type,
        "start_ts": int(start) if start is not None and meeting_type in (2, 8) else None,
        "duration": body.get("duration", 60),
        "timezone": timezone,
        "agenda": body.get("agenda", ""),
        "created_ts": int(ctx.now),
        "password": body.get("password") or f"{ctx.draw.integer() % 1000000:06d}",
        "use_pmi": int(use_pmi),
        "recurrence": db.dumps(body["recurrence"])
        if body.get("recurrence") and meeting_type in (3, 8)
        else None,
        "settings": db.dumps(settings) if settings else None,
        "extra": db.dumps({k: body[k] for k in ("tracking_fields", "pre_schedule") if k in body}) or None,
    }
    row["end_ts"] = meetings.end_ts(row)
    return row


def insert_meeting(
    ctx: Ctx, body: dict[str, Any], host: sqlite3.Row, assistant_id: str | None
) -> sqlite3.Row:
    """Store a new meeting and queue ``meeting.created`` (no permission or quota checks here)."""
    row = _initial_row(ctx, body, host, assistant_id)
    ctx.conn.execute(
        f"INSERT INTO meetings ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",  # noqa: S608
        tuple(row.values()),
    )
    stored = meetings.load(ctx.conn, row["id"])
    assert stored is not None
    events.queue(
        ctx.conn,
        "meeting.created",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj=meetings.event_object(stored, ctx.now),
    )
    return stored


def create_meeting(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, MEETING)
    path_user = _path_user(ctx)
    if path_user["status"] != "active":
        raise ZoomError(400, 3161, HOSTING_NOT_ALLOWED)
    host, assistant_id = path_user, None
    if body.get("schedule_for") is not None:
        host, assistant_id = scheduling.for_create(ctx, path_user, body["schedule_for"], effective_type(body))
    ratelimit.check_meeting_quota(ctx, host["id"])
    stored = insert_meeting(ctx, body, host, assistant_id)
    ratelimit.charge_meeting_quota(ctx, host["id"])
    return Reply(201, meetings.created(stored, ctx.now))


def update_meeting(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, MEETING)
    row = require_meeting(ctx, MEETING_NOT_FOUND_UPDATE)
    if _live(ctx, row):
        raise ZoomError(400, 3000, MEETING_STARTED)
    ratelimit.check_meeting_quota(ctx, row["host_id"])
    changes = changes_from_body(ctx, row, body)
    if "schedule_for" in body and body["schedule_for"] is not None:
        new_host, assistant_id = scheduling.for_update(ctx, row, body["schedule_for"])
        changes["host_id"], changes["assistant_id"] = new_host["id"], assistant_id
    if ctx.query.get("occurrence_id") and "host_id" in changes:
        raise ZoomError(400, 3000, INVALID_OCCURRENCE)
    ratelimit.charge_meeting_quota(ctx, row["host_id"])
    apply_update(ctx, row, changes)
    return Reply(204)


def _is_pmi_number(ctx: Ctx, raw: str) -> bool:
    return (
        raw.isdigit()
        and ctx.conn.execute("SELECT 1 FROM users WHERE pmi = ?", (int(raw),)).fetchone() is not None
    )


def delete_meeting(ctx: Ctx) -> Reply:
    raw = ctx.params["meetingId"]
    if _is_pmi_number(ctx, raw):
        raise ZoomError(400, 3018, DELETE_PMI)
    row = require_meeting(ctx)
    if row["use_pmi"]:
        raise ZoomError(400, 3018, DELETE_PMI)
    auto = bool(ctx.knobs["auto_start"])
    if meetings.is_live(row, ctx.now, auto):
        raise ZoomError(400, 3002, DELETE_IN_PROGRESS)
    if meetings.has_ended(row, ctx.now, auto):
        raise ZoomError(400, 3007, DELETE_ENDED)
    if ctx.query.get("occurrence_id"):
        return Reply(204)  # deleting one occurrence is accepted but not modelled
    ctx.conn.execute("DELETE FROM meetings WHERE id = ?", (row["id"],))
    events.queue(
        ctx.conn,
        "meeting.deleted",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj=meetings.event_object(row, ctx.now),
    )
    return Reply(204)
