"""The ``endpoint.url_validation`` challenge (zoom-api.md §10.3) and whether the subscribed URL passed it.

Zoom validates an endpoint when the subscription is saved and sends no event to a URL that has not
answered the challenge. The sandbox records the outcome in the ``webhook_validation`` meta entry, keyed
by a fingerprint of (URL, secret token): subscribing a different URL or secret makes it unvalidated
again, while re-saving the same subscription (``make run`` does it on every start) keeps it validated.
Delivery (``delivery.deliver_pending``) sends the challenge itself whenever the URL is unvalidated.
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

from . import db
from .signing import TIMEOUT_S, signed_headers

META_KEY = "webhook_validation"


@dataclass(frozen=True)
class UrlValidation:
    ok: bool
    status_code: int | None
    detail: str


def fingerprint(hook: dict[str, Any]) -> str:
    raw = f"{hook.get('url', '')}\n{hook.get('secret_token', '')}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def is_validated(conn: sqlite3.Connection, hook: dict[str, Any]) -> bool:
    """Has this very subscription (URL and secret token) answered the challenge?"""
    outcome = db.get_meta(conn, META_KEY) or {}
    return bool(outcome.get("ok")) and outcome.get("fingerprint") == fingerprint(hook)


def validate_webhook_url(
    state_path: str | os.PathLike[str],
    *,
    transport: httpx.BaseTransport | None = None,
    plain_token: str | None = None,
) -> UrlValidation:
    """Send a signed ``endpoint.url_validation`` challenge to the configured URL, check the answer
    (200 with ``{"plainToken", "encryptedToken": hex HMAC-SHA256(secret, plainToken)}``) and record the
    outcome for this subscription."""
    path = os.fspath(state_path)
    with db.opened(path) as conn:
        hook = db.get_meta(conn, "webhook")
    if not hook or not hook.get("url"):
        return UrlValidation(False, None, "No webhook URL is configured.")
    result = _challenge(hook, transport, plain_token or secrets.token_urlsafe(16))
    _record(path, hook, result)
    return result


def _challenge(hook: dict[str, Any], transport: httpx.BaseTransport | None, token: str) -> UrlValidation:
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
    return _check_answer(response, hook, token)


def _check_answer(response: httpx.Response, hook: dict[str, Any], token: str) -> UrlValidation:
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


def _record(path: str, hook: dict[str, Any], result: UrlValidation) -> None:
    # Keyed by the fingerprint of the subscription that was challenged: if the URL changed while the
    # challenge was in flight, the new URL stays unvalidated.
    with db.opened(path) as conn, db.write_txn(conn):
        previous = db.get_meta(conn, META_KEY) or {}
        same = previous.get("fingerprint") == fingerprint(hook)
        failures = 0 if result.ok else (previous.get("failures", 0) if same else 0) + 1
        db.set_meta(
            conn,
            META_KEY,
            {
                "fingerprint": fingerprint(hook),
                "url": hook["url"],
                "ok": result.ok,
                "status_code": result.status_code,
                "detail": result.detail,
                "at": time.time(),
                "failures": failures,
            },
        )
