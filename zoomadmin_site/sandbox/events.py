"""Webhook events queued in the outbox when the account changes (zoom-api.md §10.4).

Events are only queued while a webhook subscription is configured (``Sandbox.set_webhook``), as Zoom only
sends events to a subscribed endpoint; an ``events`` list in the subscription narrows them further.
They are written in the same transaction as the change, so a rolled-back change (or a dropped write)
queues nothing. ``delivery.deliver_webhooks`` sends them.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from . import db


def queue(
    conn: sqlite3.Connection,
    event: str,
    *,
    now: float,
    account_id: str,
    operator: tuple[str, str],
    obj: dict[str, Any],
    old: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue one event if a subscription wants it. ``operator`` is (email, user id)."""
    hook = db.get_meta(conn, "webhook")
    if not hook or not hook.get("url"):
        return False
    wanted = hook.get("events")
    if wanted and event not in wanted:
        return False
    ts_ms = int(now * 1000)
    payload: dict[str, Any] = {
        "account_id": account_id,
        "operator": operator[0],
        "operator_id": operator[1],
        **(extra or {}),
        "object": obj,
    }
    if old is not None:
        payload["time_stamp"] = ts_ms
        payload["old_object"] = old
    body = db.dumps({"event": event, "event_ts": ts_ms, "payload": payload})
    conn.execute(
        "INSERT INTO webhook_outbox(request_id, event, body, created_ts, next_attempt_ts) VALUES (?,?,?,?,?)",
        (uuid.uuid4().hex, event, body, now, now),
    )
    return True


def changed(old: dict[str, Any], new: dict[str, Any], key_name: str, key: Any) -> tuple[dict, dict] | None:
    """(object, old_object) holding only the fields that differ, plus the id; None when nothing changed."""
    diff = [name for name in new if old.get(name) != new.get(name)]
    if not diff:
        return None
    obj = {key_name: key, **{name: new[name] for name in diff}}
    before = {key_name: key, **{name: old.get(name) for name in diff}}
    return obj, before
