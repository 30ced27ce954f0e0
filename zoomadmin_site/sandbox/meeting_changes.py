"""Applying a PATCH to a meeting row, and the ``meeting.updated`` webhook with only what changed."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import db, events, meetings
from .context import Ctx, operator
from .ids import iso, parse_time

DIRECT = ("topic", "agenda", "duration", "timezone", "password")
VISIBLE = ("host_id", "topic", "type", "start_time", "duration", "timezone", "agenda", "password")


def changes_from_body(ctx: Ctx, row: sqlite3.Row, body: dict[str, Any]) -> dict[str, Any]:
    """Column changes for a validated PATCH body (``schedule_for`` is handled by the caller)."""
    changes: dict[str, Any] = {name: body[name] for name in DIRECT if name in body}
    if body.get("type") in (2, 3, 8) and body["type"] != row["type"] and row["type"] != 1:
        changes["type"] = body["type"]
    new_type = changes.get("type", row["type"])
    if body.get("start_time"):
        start = parse_time(body["start_time"], changes.get("timezone", row["timezone"]))
        changes["start_ts"] = int(start) if start is not None else row["start_ts"]
    elif new_type in (2, 8) and row["start_ts"] is None:
        changes["start_ts"] = int(ctx.now)
    if new_type == 3:
        changes["start_ts"] = None
    if "recurrence" in body:
        changes["recurrence"] = db.dumps(body["recurrence"]) if body["recurrence"] else None
    if isinstance(body.get("settings"), dict):
        merged = {**(db.loads(row["settings"], {}) or {}), **body["settings"]}
        if "use_pmi" in merged:
            changes["use_pmi"] = int(bool(merged.pop("use_pmi")))
        changes["settings"] = db.dumps(merged) if merged else None
    extra = {k: body[k] for k in ("tracking_fields", "pre_schedule") if k in body}
    if extra:
        changes["extra"] = db.dumps({**(db.loads(row["extra"], {}) or {}), **extra})
    return changes


def _visible(row: dict[str, Any]) -> dict[str, Any]:
    view = {name: row[name] for name in VISIBLE if name in row and name != "start_time"}
    view["start_time"] = iso(row["start_ts"]) if row.get("start_ts") is not None else None
    return view


def apply_update(ctx: Ctx, row: sqlite3.Row, changes: dict[str, Any]) -> None:
    """Write the changes (recomputing ``end_ts``) and queue ``meeting.updated`` when something visible
    changed: ``object``/``old_object`` hold the meeting id and the changed fields only."""
    before = dict(row)
    after = {**before, **changes}
    changes["end_ts"] = meetings.end_ts(after)
    columns = ", ".join(f"{name} = ?" for name in changes)
    ctx.conn.execute(f"UPDATE meetings SET {columns} WHERE id = ?", (*changes.values(), row["id"]))  # noqa: S608
    diff = events.changed(_visible(before), _visible(after), "id", row["id"])
    old_settings = db.loads(before["settings"], {}) or {}
    new_settings = db.loads(after["settings"], {}) or {}
    setting_keys = [k for k in new_settings if old_settings.get(k) != new_settings.get(k)]
    if diff is None and not setting_keys:
        return
    obj, old = diff or ({"id": row["id"]}, {"id": row["id"]})
    if setting_keys:
        obj["settings"] = {k: new_settings[k] for k in setting_keys}
        old["settings"] = {k: old_settings.get(k, meetings.DEFAULT_SETTINGS.get(k)) for k in setting_keys}
    events.queue(
        ctx.conn,
        "meeting.updated",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj={**obj, "uuid": row["uuid"]},
        old=old,
    )
