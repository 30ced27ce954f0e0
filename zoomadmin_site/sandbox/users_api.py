"""Users endpoints: list, get, create, update (PATCH), status, delete (zoom-api.md §4)."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import db, events, pagination, users
from .context import Ctx, Reply, operator
from .errors import (
    ADMIN_DISASSOCIATE,
    ADMIN_STATUS,
    INVITATION_NOT_FOUND,
    LICENSE_LIMIT,
    USER_EXISTS,
    ZoomError,
    user_not_found,
)
from .ids import pmi_from_int
from .validation import USER_CREATE, USER_STATUS, USER_UPDATE, validate

STATUSES = ("active", "inactive", "pending")
EXTRA_FIELDS: tuple[str, ...] = (
    "manager",
    "pronouns",
    "pronouns_option",
    "phone_numbers",
    "custom_attributes",
    "vanity_name",
)
EXTRA_FIELDS += ("cms_user_id",)


def require_user(ctx: Ctx, value: str) -> sqlite3.Row:
    row = users.resolve(ctx.conn, value, ctx.api_user_id)
    if row is None:
        raise user_not_found(value)
    return row


def list_users(ctx: Ctx) -> Reply:
    status = ctx.query.get("status", "active")
    status = status if status in STATUSES else "active"  # bad values are silently ignored
    role_id = ctx.query.get("role_id", "")
    size = pagination.page_size(ctx.query.get("page_size"), 2000)
    scope = f"users|{status}|{role_id}"
    where, args = "status = ?", [status]
    if role_id:
        where, args = where + " AND role_id = ?", [*args, role_id]
    after = pagination.cursor(ctx, scope)
    if after is None:
        sql = f"SELECT * FROM users WHERE {where} ORDER BY pk LIMIT ? OFFSET ?"  # noqa: S608
        rows = ctx.conn.execute(sql, (*args, size + 1, pagination.start_offset(ctx, size))).fetchall()
    else:
        sql = f"SELECT * FROM users WHERE {where} AND pk > ? ORDER BY pk LIMIT ?"  # noqa: S608
        rows = ctx.conn.execute(sql, (*args, int(after), size + 1)).fetchall()
    total = ctx.conn.execute(f"SELECT COUNT(*) FROM users WHERE {where}", args).fetchone()[0]  # noqa: S608
    next_token = pagination.issue(ctx, scope, str(rows[size - 1]["pk"])) if len(rows) > size else ""
    items = [users.list_item(row) for row in rows[:size]]
    body = pagination.envelope(ctx, key="users", items=items, size=size, total=total, next_token=next_token)
    return Reply(200, body)


def get_user(ctx: Ctx) -> Reply:
    row = require_user(ctx, ctx.params["userId"])
    return Reply(200, users.detail(ctx.conn, row, ctx.account_id))


def _licence_available(ctx: Ctx) -> bool:
    cap = ctx.knobs["licenses"]
    if cap is None:
        return True
    used = ctx.conn.execute("SELECT COUNT(*) FROM users WHERE type = 2 AND status != 'pending'").fetchone()[0]
    return used < int(cap)


def _profile_changes(row: sqlite3.Row, body: dict[str, Any]) -> dict[str, Any]:
    changes = {name: body[name] for name in users.PROFILE_FIELDS if name in body}
    renamed = "first_name" in changes or "last_name" in changes
    derived = row["display_name"] == users.display(row["first_name"], row["last_name"])
    if renamed and derived and not body.get("display_name"):
        first = changes.get("first_name", row["first_name"])
        changes["display_name"] = users.display(first, changes.get("last_name", row["last_name"]))
    for name in ("type", "pmi"):
        if name in body:
            changes[name] = body[name]
    if "use_pmi" in body:
        changes["use_pmi"] = int(body["use_pmi"])
    return changes


def update_user(ctx: Ctx) -> Reply:
    """204 whatever happens to ``role_name``/``role_id``: they are not part of the request schema and Zoom
    ignores them silently (zoom-api.md §1.2, the "204 but the role did not change" forum report)."""
    body = ctx.json_body()
    validate(body, USER_UPDATE)
    row = require_user(ctx, ctx.params["userId"])
    changes = _profile_changes(row, body)
    if (
        changes.get("type") == users.LICENSED
        and row["type"] != users.LICENSED
        and not _licence_available(ctx)
    ):
        raise ZoomError(400, 2034, LICENSE_LIMIT)
    extra = db.loads(row["extra"], {}) or {}
    new_extra = {**extra, **{name: body[name] for name in EXTRA_FIELDS if name in body}}
    apply_user_changes(ctx, row, changes, new_extra)
    return Reply(204)


def apply_user_changes(
    ctx: Ctx, row: sqlite3.Row, changes: dict[str, Any], new_extra: dict[str, Any] | None = None
) -> None:
    """Write the changes and queue ``user.updated`` with only the changed fields (and the old values)."""
    old = {name: row[name] for name in changes}
    old_extra = db.loads(row["extra"], {}) or {}
    new_extra = old_extra if new_extra is None else new_extra
    if changes:
        assignments = ", ".join(f"{name} = ?" for name in changes)
        sql = f"UPDATE users SET {assignments} WHERE id = ?"  # noqa: S608
        ctx.conn.execute(sql, (*changes.values(), row["id"]))
    if new_extra != old_extra:
        ctx.conn.execute("UPDATE users SET extra = ? WHERE id = ?", (db.dumps(new_extra), row["id"]))
    if changes.get("type") == users.BASIC:  # scheduling privilege needs a licence on both sides [INF]
        ctx.conn.execute(
            "DELETE FROM assistants WHERE host_id = ? OR assistant_id = ?", (row["id"], row["id"])
        )
    if "use_pmi" in changes:
        old["use_pmi"], changes["use_pmi"] = bool(old["use_pmi"]), bool(changes["use_pmi"])
    diff = events.changed({**old, **old_extra}, {**changes, **new_extra}, "id", row["id"])
    if diff:
        events.queue(
            ctx.conn,
            "user.updated",
            now=ctx.now,
            account_id=ctx.account_id,
            operator=operator(ctx),
            obj=diff[0],
            old=diff[1],
        )


def update_status(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, USER_STATUS)
    row = require_user(ctx, ctx.params["userId"])
    if row["role_id"] in ("0", "1"):
        raise ZoomError(400, 200, ADMIN_STATUS)
    if row["status"] == "pending":
        raise ZoomError(400, 1120, INVITATION_NOT_FOUND)
    new_status = "inactive" if body["action"] == "deactivate" else "active"
    if row["status"] != new_status:
        ctx.conn.execute("UPDATE users SET status = ? WHERE id = ?", (new_status, row["id"]))
        event = "user.deactivated" if new_status == "inactive" else "user.activated"
        events.queue(
            ctx.conn,
            event,
            now=ctx.now,
            account_id=ctx.account_id,
            operator=operator(ctx),
            obj=users.event_object(row),
        )
    return Reply(204)


def create_user(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, USER_CREATE)
    info = body["user_info"]
    email = info["email"].strip()
    if users.resolve(ctx.conn, email, ctx.api_user_id) is not None:
        raise ZoomError(409, 1005, USER_EXISTS.format(email=email))
    if info["type"] == users.LICENSED and not _licence_available(ctx):
        raise ZoomError(400, 2034, LICENSE_LIMIT)
    row = users.insert(
        ctx.conn,
        email=email,
        now=ctx.now,
        pmi=pmi_from_int(ctx.draw.integer()),
        first_name=info.get("first_name", ""),
        last_name=info.get("last_name", ""),
        type=info["type"] if info["type"] in (1, 2) else 1,
        status="pending" if body["action"] == "create" else "active",
    )
    events.queue(
        ctx.conn,
        "user.created",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj=users.event_object(row),
        extra={"creation_type": body["action"]},
    )
    keys = ("id", "first_name", "last_name", "email", "type")
    return Reply(201, {key: row[key] for key in keys})


def delete_user(ctx: Ctx) -> Reply:
    """``action=disassociate`` (default) or ``delete``; ``transfer_email`` + ``transfer_meeting=true`` move
    the user's meetings to another user first, otherwise the meetings go with the user."""
    row = require_user(ctx, ctx.params["userId"])
    if row["role_id"] in ("0", "1"):
        raise ZoomError(400, 1117, ADMIN_DISASSOCIATE)
    action = "delete" if ctx.query.get("action") == "delete" else "disassociate"
    target = None
    if ctx.query.get("transfer_email") and ctx.flag("transfer_meeting"):
        target = users.resolve(ctx.conn, ctx.query["transfer_email"], ctx.api_user_id)
        if target is None or target["id"] == row["id"] or not users.is_schedulable(target):
            raise ZoomError(400, 300, "The transfer-to user is not valid: " + ctx.query["transfer_email"])
    if target is not None:
        ctx.conn.execute(
            "UPDATE meetings SET host_id = ?, assistant_id = NULL WHERE host_id = ?",
            (target["id"], row["id"]),
        )
    else:
        ctx.conn.execute("DELETE FROM meetings WHERE host_id = ?", (row["id"],))
    ctx.conn.execute("UPDATE meetings SET assistant_id = NULL WHERE assistant_id = ?", (row["id"],))
    ctx.conn.execute("DELETE FROM assistants WHERE host_id = ? OR assistant_id = ?", (row["id"], row["id"]))
    ctx.conn.execute("DELETE FROM users WHERE id = ?", (row["id"],))
    events.queue(
        ctx.conn,
        f"user.{action}d",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj=users.event_object(row),
    )
    return Reply(204)
