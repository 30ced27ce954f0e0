"""Sending queued webhook events to the subscribed URL (zoom-api.md §10).

Each delivery is signed (``signing.py``). A 2xx answer delivers; ≥500 or a network error retries after
+5, +20 and +60 minutes of the *simulated* clock (then the event is dropped); 3xx/4xx are not retried.

Like Zoom, nothing is sent to a URL that has not passed the ``endpoint.url_validation`` challenge: a
delivery cycle first challenges an unvalidated URL and, if the receiver is not up yet or answers wrongly,
holds the events (still pending) and tries again on the next cycle (``url_validation.py``).

A cycle claims due events a few at a time (status ``sending``, with the wall-clock time of the claim). A
claim older than ``CLAIM_EXPIRES_S`` was left by a delivery that died mid-cycle (the process was killed):
its events are sent again by the next cycle. Like Zoom's, delivery is at least once; receivers apply an
event once however often it arrives.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import httpx

from . import db, knobs, url_validation
from .signing import TIMEOUT_S, signature, signed_headers
from .url_validation import UrlValidation, validate_webhook_url

__all__ = [
    "DeliveryReport",
    "UrlValidation",
    "deliver_pending",
    "deliver_webhooks",
    "signature",
    "validate_webhook_url",
]

RETRY_DELAYS_S = (5 * 60, 20 * 60, 60 * 60)
CLAIM_BATCH = 20  # events claimed at once: a claim is settled within CLAIM_BATCH * TIMEOUT_S (60 s)
CLAIM_EXPIRES_S = 5 * 60


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0  # events answered 2xx in this cycle
    waiting: int = 0  # pending events left: due for a retry later, or held
    held: bool = False  # events wait because the URL has not passed the validation challenge
    validation: UrlValidation | None = None  # the challenge sent in this cycle, if one was
    subscribed: bool = False  # a webhook URL is configured


def _hook(path: str) -> dict[str, Any] | None:
    with db.opened(path) as conn:
        hook = db.get_meta(conn, "webhook")
        if not hook or not hook.get("url"):
            return None
        return {**hook, "validated": url_validation.is_validated(conn, hook)}


def _claim(path: str) -> tuple[dict[str, Any] | None, list[sqlite3.Row]]:
    with db.opened(path) as conn, db.write_txn(conn):
        hook = db.get_meta(conn, "webhook")
        # Checked again in the claiming transaction: the URL may have changed since the challenge.
        if not hook or not hook.get("url") or not url_validation.is_validated(conn, hook):
            return None, []
        now, wall_clock = knobs.load(conn).now(), time.time()
        rows = conn.execute(
            "SELECT * FROM webhook_outbox WHERE (status = 'pending' AND next_attempt_ts <= ?)"
            " OR (status = 'sending' AND (claimed_at IS NULL OR claimed_at < ?)) ORDER BY id LIMIT ?",
            (now, wall_clock - CLAIM_EXPIRES_S, CLAIM_BATCH),
        ).fetchall()
        conn.executemany(
            "UPDATE webhook_outbox SET status = 'sending', claimed_at = ? WHERE id = ?",
            [(wall_clock, r["id"]) for r in rows],
        )
        return hook, rows


def _post(client: httpx.Client, hook: dict[str, Any], row: sqlite3.Row) -> tuple[int | None, str | None]:
    body = row["body"].encode()
    try:
        response = client.post(
            hook["url"], content=body, headers=signed_headers(hook, body, row["request_id"])
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return response.status_code, None


def _settle(path: str, row: sqlite3.Row, status: int | None, error: str | None) -> bool:
    with db.opened(path) as conn, db.write_txn(conn):
        now = knobs.load(conn).now()
        attempts = row["attempts"] + 1
        if status is not None and 200 <= status < 300:
            new_status, next_ts = "delivered", row["next_attempt_ts"]
        elif status is not None and status < 500:
            new_status, next_ts = "failed", row["next_attempt_ts"]
        elif attempts <= len(RETRY_DELAYS_S):
            new_status, next_ts = "pending", now + RETRY_DELAYS_S[attempts - 1]
        else:
            new_status, next_ts = "failed", row["next_attempt_ts"]
        conn.execute(
            "UPDATE webhook_outbox SET status = ?, attempts = ?, next_attempt_ts = ?, last_status = ?, "
            "last_error = ? WHERE id = ?",
            (new_status, attempts, next_ts, status, error, row["id"]),
        )
    return new_status == "delivered"


def _send_due(path: str, transport: httpx.BaseTransport | None) -> int:
    delivered = 0
    with httpx.Client(transport=transport, timeout=TIMEOUT_S) as client:
        while True:
            hook, rows = _claim(path)
            if hook is None or not rows:
                return delivered
            for row in rows:
                status, error = _post(client, hook, row)
                delivered += _settle(path, row, status, error)


def _waiting(path: str) -> int:
    with db.opened(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM webhook_outbox WHERE status = 'pending'").fetchone()[0])


def deliver_pending(
    state_path: str | os.PathLike[str],
    *,
    transport: httpx.BaseTransport | None = None,
    validate: bool = False,
) -> DeliveryReport:
    """One delivery cycle: challenge the URL if it is unvalidated (or ``validate`` asks for it again),
    then send every due event unless the challenge failed."""
    path = os.fspath(state_path)
    hook = _hook(path)
    if hook is None:
        return DeliveryReport()
    validation = None
    if validate or not hook["validated"]:
        validation = validate_webhook_url(path, transport=transport)
        if not validation.ok:
            return DeliveryReport(waiting=_waiting(path), held=True, validation=validation, subscribed=True)
    delivered = _send_due(path, transport)
    return DeliveryReport(delivered, _waiting(path), validation=validation, subscribed=True)


def deliver_webhooks(
    state_path: str | os.PathLike[str], *, transport: httpx.BaseTransport | None = None
) -> int:
    """Send every due event (validating the URL first if needed); returns how many were delivered.

    Pass ``transport=httpx.WSGITransport(app=django_wsgi_app)`` to deliver straight into a Django app."""
    return deliver_pending(state_path, transport=transport).delivered
