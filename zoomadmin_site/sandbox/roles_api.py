"""Roles endpoints (Accounts API, zoom-api.md §7).

System roles "0" Owner, "1" Admin, "2" Member (string ids) plus custom roles with opaque ids. A user has
exactly one role: assigning moves the user out of the previous role, unassigning returns them to Member.
``total_members`` is counted from the users table, so it is always consistent. Role changes queue a
``user.updated`` webhook with ``object.role`` / ``old_object.role`` — a simulator assumption: Zoom does
not document whether role changes fire ``user.updated``.
"""

from __future__ import annotations

import sqlite3

from . import db, events, pagination, users
from .context import Ctx, Reply, operator
from .errors import (
    NOT_ROLE_MEMBER,
    OWNER_ROLE,
    ROLE_HAS_MEMBERS,
    ROLE_PERMISSION,
    SYSTEM_ROLE_CHANGE,
    SYSTEM_ROLE_MEMBERS,
    TOO_MANY_ITEMS,
    ZoomError,
    role_not_found,
    user_not_found,
)
from .ids import iso
from .validation import ROLE, ROLE_CREATE, ROLE_MEMBERS, validate

MEMBER_FILTER = "role_id = ? AND status != 'pending'"


def _role(ctx: Ctx, role_id: str) -> sqlite3.Row:
    row = ctx.conn.execute("SELECT * FROM roles WHERE id = ?", (role_id,)).fetchone()
    if row is None:
        raise role_not_found()
    return row


def total_members(conn: sqlite3.Connection, role_id: str) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM users WHERE {MEMBER_FILTER}", (role_id,)).fetchone()[0])  # noqa: S608


def _summary(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, object]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "total_members": total_members(conn, row["id"]),
    }


def list_roles(ctx: Ctx) -> Reply:
    rows = ctx.conn.execute("SELECT * FROM roles ORDER BY sort, name").fetchall()
    return Reply(200, {"total_records": len(rows), "roles": [_summary(ctx.conn, row) for row in rows]})


def get_role(ctx: Ctx) -> Reply:
    row = _role(ctx, ctx.params["roleId"])
    body = {**_summary(ctx.conn, row), "type": row["type"], "privileges": db.loads(row["privileges"], [])}
    body["sub_account_privileges"] = {"second_level": 0}
    return Reply(200, body)


def list_members(ctx: Ctx) -> Reply:
    role = _role(ctx, ctx.params["roleId"])
    size = pagination.page_size(ctx.query.get("page_size"), 300)
    scope = f"role-members|{role['id']}"
    after = pagination.cursor(ctx, scope)
    rows = ctx.conn.execute(
        f"SELECT * FROM users WHERE {MEMBER_FILTER} AND pk > ? ORDER BY pk LIMIT ? OFFSET ?",  # noqa: S608
        (role["id"], int(after or 0), size + 1, 0 if after else pagination.start_offset(ctx, size)),
    ).fetchall()
    next_token = pagination.issue(ctx, scope, str(rows[size - 1]["pk"])) if len(rows) > size else ""
    items = [
        {
            "id": r["id"],
            "email": r["email"],
            "first_name": r["first_name"],
            "last_name": r["last_name"],
            "type": r["type"],
            "department": r["dept"],
        }
        for r in rows[:size]
    ]
    total = total_members(ctx.conn, role["id"])
    body = pagination.envelope(ctx, key="members", items=items, size=size, total=total, next_token=next_token)
    return Reply(200, body)


def _may_manage_roles(ctx: Ctx) -> None:
    """Role management acts with the app creator's rights (zoom-api.md §11.13) [INF]."""
    me = users.by_id(ctx.conn, ctx.api_user_id)
    if me is None:
        raise ZoomError(400, 200, ROLE_PERMISSION)
    if me["role_id"] == "0":
        return
    privileges = db.loads(_role(ctx, me["role_id"])["privileges"], [])
    if "Role:Edit" not in privileges:
        raise ZoomError(400, 200, ROLE_PERMISSION)


def _member_role_checks(ctx: Ctx) -> sqlite3.Row:
    role = _role(ctx, ctx.params["roleId"])
    if role["id"] in ("0", "2"):
        raise ZoomError(400, 300, SYSTEM_ROLE_MEMBERS)
    _may_manage_roles(ctx)
    return role


def set_role(ctx: Ctx, user: sqlite3.Row, role_id: str) -> None:
    """Move a user to a role and queue the (assumed) ``user.updated`` webhook."""
    if user["role_id"] == role_id:
        return
    ctx.conn.execute("UPDATE users SET role_id = ? WHERE id = ?", (role_id, user["id"]))
    events.queue(
        ctx.conn,
        "user.updated",
        now=ctx.now,
        account_id=ctx.account_id,
        operator=operator(ctx),
        obj={"id": user["id"], "role": users.role_name(ctx.conn, role_id)},
        old={"id": user["id"], "role": users.role_name(ctx.conn, user["role_id"])},
    )


def add_members(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    role = _member_role_checks(ctx)
    validate(body, ROLE_MEMBERS)
    if len(body["members"]) > 30:
        raise ZoomError(400, 300, TOO_MANY_ITEMS)
    targets: list[sqlite3.Row] = []
    for item in body["members"]:
        value = item.get("id") or item.get("email") or ""
        row = users.by_id(ctx.conn, item["id"]) if item.get("id") else users.resolve(ctx.conn, value, "")
        if row is None:
            raise user_not_found(value)
        if row["role_id"] == "0":
            raise ZoomError(400, 200, OWNER_ROLE)
        targets.append(row)
    for row in targets:
        set_role(ctx, row, role["id"])
    ids = ",".join(dict.fromkeys(row["id"] for row in targets))
    return Reply(201, {"ids": ids, "add_at": iso(ctx.now)})


def delete_member(ctx: Ctx) -> Reply:
    role = _member_role_checks(ctx)
    row = users.resolve(ctx.conn, ctx.params["memberId"], ctx.api_user_id)
    if row is None:
        raise user_not_found(ctx.params["memberId"])
    if row["role_id"] != role["id"]:
        raise ZoomError(400, 300, NOT_ROLE_MEMBER.format(user=ctx.params["memberId"]))
    set_role(ctx, row, "2")
    return Reply(204)


def create_role(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, ROLE_CREATE)
    _may_manage_roles(ctx)
    role_id = ctx.draw.token(22)
    privileges = [p for p in body.get("privileges", []) if isinstance(p, str)]
    ctx.conn.execute(
        "INSERT INTO roles(id, name, description, privileges) VALUES (?, ?, ?, ?)",
        (role_id, body["name"], body.get("description", ""), db.dumps(privileges)),
    )
    return Reply(
        201,
        {
            "id": role_id,
            "name": body["name"],
            "description": body.get("description", ""),
            "total_members": 0,
            "privileges": privileges,
        },
    )


def update_role(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, ROLE)
    role = _role(ctx, ctx.params["roleId"])
    if role["id"] == "0":
        raise ZoomError(400, 300, SYSTEM_ROLE_CHANGE)
    _may_manage_roles(ctx)
    name = body.get("name", role["name"])
    description = body.get("description", role["description"])
    privileges = db.dumps(body["privileges"]) if "privileges" in body else role["privileges"]
    ctx.conn.execute(
        "UPDATE roles SET name = ?, description = ?, privileges = ? WHERE id = ?",
        (name, description, privileges, role["id"]),
    )
    return Reply(204)


def delete_role(ctx: Ctx) -> Reply:
    role = _role(ctx, ctx.params["roleId"])
    if role["id"] in ("0", "1", "2"):
        raise ZoomError(400, 300, SYSTEM_ROLE_CHANGE)
    _may_manage_roles(ctx)
    if total_members(ctx.conn, role["id"]):
        raise ZoomError(400, 300, ROLE_HAS_MEMBERS)
    ctx.conn.execute("DELETE FROM roles WHERE id = ?", (role["id"],))
    return Reply(204)
