"""Sending queued webhook events and the URL-validation challenge (zoom-api.md §10).

Every delivery is a POST of the compact JSON body with ``x-zm-request-timestamp`` (Unix seconds, real
wall-clock time so receivers' staleness checks work), ``x-zm-signature`` = ``v0=`` + hex HMAC-SHA256
(secret token, ``v0:{timestamp}:{raw body}``), ``x-zm-request-id`` (stable across retries),
``x-zm-trackingid``, ``user-agent: Zoom Marketplace/1.0a`` and ``content-type: application/json;
charset=utf-8``. A 2xx answer delivers; ≥500 or a network error retries after +5, +20 and +60 minutes of
the *simulated* clock (then the event is dropped); 3xx/4xx are not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from . import db, knobs

RETRY_DELAYS_S = (5 * 60, 20 * 60, 60 * 60)
TIMEOUT_S = 3.0


@dataclass(frozen=True)
class UrlValidation:
    ok: bool
    status_code: int | None
    detail: str


def signature(secret_token: str, timestamp: int | str, body: bytes) -> str:
    message = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(hook: dict[str, Any], body: bytes, request_id: str) -> dict[str, str]:
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Zoom Marketplace/1.0a",
        "x-zm-request-timestamp": str(timestamp),
        "x-zm-signature": signature(str(hook.get("secret_token", "")), timestamp, body),
        "x-zm-request-id": request_id,
        "x-zm-trackingid": f"v=2.0;clid=us06;rid=WH_{uuid.uuid4().hex}",
    }
    if hook.get("authorization"):
        headers["authorization"] = str(hook["authorization"])
    return headers


def _claim(path: str) -> tuple[dict[str, Any] | None, list[sqlite3.Row]]:
    with db.opened(path) as conn, db.write_txn(conn):
        hook = db.get_meta(conn, "webhook")
        if not hook or not hook.get("url"):
            return None, []
        now = knobs.load(conn).now()
        rows = conn.execute(
            "SELECT * FROM webhook_outbox WHERE status = 'pending' AND next_attempt_ts <= ? ORDER BY id",
            (now,),
        ).fetchall()
        conn.executemany(
            "UPDATE webhook_outbox SET status = 'sending' WHERE id = ?", [(r["id"],) for r in rows]
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


def deliver_webhooks(
    state_path: str | os.PathLike[str], *, transport: httpx.BaseTransport | None = None
) -> int:
    """Send every due event; returns how many were delivered (answered 2xx).

    Pass ``transport=httpx.WSGITransport(app=django_wsgi_app)`` to deliver straight into a Django app."""
    path = os.fspath(state_path)
    hook, rows = _claim(path)
    if hook is None or not rows:
        return 0
    delivered = 0
    with httpx.Client(transport=transport, timeout=TIMEOUT_S) as client:
        for row in rows:
            status, error = _post(client, hook, row)
            delivered += _settle(path, row, status, error)
    return delivered


def validate_webhook_url(
    state_path: str | os.PathLike[str],
    *,
    transport: httpx.BaseTransport | None = None,
    plain_token: str | None = None,
) -> UrlValidation:
    """Send a signed ``endpoint.url_validation`` challenge to the configured URL and check the answer:
    200 with ``{"plainToken", "encryptedToken": hex HMAC-SHA256(secret, plainToken)}``."""
    with db.opened(os.fspath(state_path)) as conn:
        hook = db.get_meta(conn, "webhook")
    if not hook or not hook.get("url"):
        return UrlValidation(False, None, "No webhook URL is configured.")
    token = plain_token or secrets.token_urlsafe(16)
    body = db.dumps(
        {
            "event": "endpoint.url_validation",
            "event_ts": int(time.time() * 1000),
            "payload": {"plainToken": token},
        }
    ).encode()
    try:
        with httpx.Client(transport=transport, timeout=TIMEOUT_S) as client:
            response = client.post(
                hook["url"], content=body, headers=signed_headers(hook, body, uuid.uuid4().hex)
            )
    except httpx.HTTPError as exc:
        return UrlValidation(False, None, f"{type(exc).__name__}: {exc}")
    return _check_validation(response, hook, token)


def _check_validation(response: httpx.Response, hook: dict[str, Any], token: str) -> UrlValidation:
    if response.status_code != 200:
        return UrlValidation(False, response.status_code, f"Expected 200, got {response.status_code}.")
    try:
        answer = response.json()
    except ValueError:
        return UrlValidation(False, 200, "The answer is not JSON.")
    expected = hmac.new(
        str(hook.get("secret_token", "")).encode(), token.encode(), hashlib.sha256
    ).hexdigest()
    if not isinstance(answer, dict) or answer.get("plainToken") != token:
        return UrlValidation(False, 200, "plainToken does not match.")
    if not hmac.compare_digest(str(answer.get("encryptedToken", "")), expected):
        return UrlValidation(False, 200, "encryptedToken is not HMAC-SHA256(secret token, plainToken).")
    return UrlValidation(True, 200, "Validated.")
