"""Assistants and schedulers: one relation (host grants scheduling privilege to assistant) seen from both
sides (zoom-api.md §5). ``GET /users/X/assistants`` lists X's assistants; ``GET /users/A/schedulers``
lists the hosts A may schedule for. Only licensed, active users of the account take part.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from . import users
from .context import Ctx, Reply
from .errors import (
    ALREADY_GRANTED,
    CANT_FIND_USER,
    MUST_BE_LICENSED,
    PAID_ACCOUNT,
    SELF_ASSIGN,
    TOO_MANY_ITEMS,
    ZoomError,
    user_not_found,
)
from .ids import iso
from .users_api import require_user
from .validation import ASSISTANTS, validate

MAX_ASSISTANTS = 30


def is_assistant(conn: sqlite3.Connection, *, host_id: str, assistant_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM assistants WHERE host_id = ? AND assistant_id = ?", (host_id, assistant_id)
    ).fetchone()
    return row is not None


def add(
    conn: sqlite3.Connection, *, host_id: str, assistant_id: str, now: float, private: bool = False
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO assistants(host_id, assistant_id, can_manage_private, added_ts) "
        "VALUES (?, ?, ?, ?)",
        (host_id, assistant_id, int(private), int(now)),
    )


def list_assistants(ctx: Ctx) -> Reply:
    host = require_user(ctx, ctx.params["userId"])
    rows = ctx.conn.execute(
        "SELECT u.id, u.email, a.can_manage_private FROM assistants a JOIN users u ON u.id = a.assistant_id "
        "WHERE a.host_id = ? ORDER BY a.added_ts, u.pk LIMIT ?",
        (host["id"], MAX_ASSISTANTS),
    ).fetchall()
    items = [
        {"id": r["id"], "email": r["email"], "can_manage_host_private_event": bool(r["can_manage_private"])}
        for r in rows
    ]
    return Reply(200, {"assistants": items})


def list_schedulers(ctx: Ctx) -> Reply:
    assistant = require_user(ctx, ctx.params["userId"])
    rows = ctx.conn.execute(
        "SELECT u.id, u.email, u.pmi FROM assistants a JOIN users u ON u.id = a.host_id "
        "WHERE a.assistant_id = ? ORDER BY a.added_ts, u.pk",
        (assistant["id"],),
    ).fetchall()
    return Reply(200, {"schedulers": [{"id": r["id"], "email": r["email"], "pmi": r["pmi"]} for r in rows]})


def _resolve_item(ctx: Ctx, host: sqlite3.Row, item: dict[str, Any]) -> tuple[sqlite3.Row, bool]:
    """The assistant named by one request item (``id`` wins over ``email``), checked like Zoom does."""
    label = item.get("id") or item.get("email") or ""
    row = users.by_id(ctx.conn, item["id"]) if item.get("id") else None
    if row is None and not item.get("id") and item.get("email"):
        row = users.resolve(ctx.conn, item["email"], ctx.api_user_id)
    if row is None:
        raise ZoomError(400, 200, CANT_FIND_USER.format(email=label))
    if row["id"] == host["id"]:
        raise ZoomError(400, 200, SELF_ASSIGN)
    if not users.is_schedulable(row):
        raise ZoomError(400, 200, MUST_BE_LICENSED.format(user=label))
    if is_assistant(ctx.conn, host_id=host["id"], assistant_id=row["id"]):
        raise ZoomError(400, 200, ALREADY_GRANTED.format(email=row["email"]))
    return row, bool(item.get("can_manage_host_private_event", False))


def add_assistants(ctx: Ctx) -> Reply:
    body = ctx.json_body()
    validate(body, ASSISTANTS)
    host = require_user(ctx, ctx.params["userId"])
    if not ctx.knobs.plan()["paid"]:
        raise ZoomError(400, 200, PAID_ACCOUNT.format(user=ctx.params["userId"]))
    if not users.is_schedulable(host):
        raise ZoomError(400, 200, MUST_BE_LICENSED.format(user=ctx.params["userId"]))
    items = body["assistants"]
    existing = ctx.conn.execute("SELECT COUNT(*) FROM assistants WHERE host_id = ?", (host["id"],)).fetchone()
    if len(items) > MAX_ASSISTANTS or existing[0] + len(items) > MAX_ASSISTANTS:
        raise ZoomError(400, 300, TOO_MANY_ITEMS)
    resolved = [_resolve_item(ctx, host, item) for item in items]
    ids: list[str] = []
    for row, private in resolved:
        if row["id"] not in ids:
            add(ctx.conn, host_id=host["id"], assistant_id=row["id"], now=ctx.now, private=private)
            ids.append(row["id"])
    return Reply(201, {"ids": ",".join(ids), "add_at": iso(ctx.now)})


def delete_assistants(ctx: Ctx) -> Reply:
    host = require_user(ctx, ctx.params["userId"])
    ctx.conn.execute("DELETE FROM assistants WHERE host_id = ?", (host["id"],))
    return Reply(204)


def delete_assistant(ctx: Ctx) -> Reply:
    host = require_user(ctx, ctx.params["userId"])
    assistant = users.resolve(ctx.conn, ctx.params["assistantId"], ctx.api_user_id)
    if assistant is None:
        raise user_not_found(ctx.params["assistantId"])
    ctx.conn.execute(
        "DELETE FROM assistants WHERE host_id = ? AND assistant_id = ?", (host["id"], assistant["id"])
    )
    return Reply(204)


def delete_schedulers(ctx: Ctx) -> Reply:
    assistant = require_user(ctx, ctx.params["userId"])
    ctx.conn.execute("DELETE FROM assistants WHERE assistant_id = ?", (assistant["id"],))
    return Reply(204)


def delete_scheduler(ctx: Ctx) -> Reply:
    assistant = require_user(ctx, ctx.params["userId"])
    host = users.resolve(ctx.conn, ctx.params["schedulerId"], ctx.api_user_id)
    if host is None:
        raise user_not_found(ctx.params["schedulerId"])
    ctx.conn.execute(
        "DELETE FROM assistants WHERE host_id = ? AND assistant_id = ?", (host["id"], assistant["id"])
    )
    return Reply(204)
