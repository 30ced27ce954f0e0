"""Zoom webhook signatures (zoom-api.md §10.2/§10.3): verify deliveries, answer URL validation."""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE_SECONDS = 300


# Why a delivery was refused, in fixed words: refusals are counted per source and reason.
NOT_CONFIGURED, MALFORMED_TIMESTAMP = "not_configured", "malformed_timestamp"
STALE_TIMESTAMP, BAD_SIGNATURE = "stale_timestamp", "bad_signature"


class BadSignature(Exception):
    """The delivery is not provably from Zoom; nothing in it may be applied. `code` says why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def signed_message(timestamp: str, body: bytes) -> bytes:
    return b"v0:" + timestamp.encode() + b":" + body


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    message = signed_message(timestamp, body)
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_delivery(
    *, secret: str, timestamp: str, signature: str, body: bytes, now: float | None = None
) -> None:
    """Raise BadSignature unless the HMAC matches and the timestamp is within five minutes."""
    if not secret:
        raise BadSignature("ZOOM_WEBHOOK_SECRET_TOKEN is not configured", code=NOT_CONFIGURED)
    if not timestamp.isdigit():
        raise BadSignature("missing or malformed x-zm-request-timestamp", code=MALFORMED_TIMESTAMP)
    age = (time.time() if now is None else now) - int(timestamp)
    if abs(age) > MAX_AGE_SECONDS:
        reason = f"timestamp is {int(age)} s away from now (limit {MAX_AGE_SECONDS} s)"
        raise BadSignature(reason, code=STALE_TIMESTAMP)
    if not hmac.compare_digest(signature_for(secret, timestamp, body), signature):
        raise BadSignature("x-zm-signature does not match", code=BAD_SIGNATURE)


def delivery_key(*, timestamp: str, body: bytes) -> str:
    """What identifies a delivery: the message its signature covers, hashed. Not x-zm-request-id, which
    anybody replaying a captured delivery may change."""
    return hashlib.sha256(signed_message(timestamp, body)).hexdigest()


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}
