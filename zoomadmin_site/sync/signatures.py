"""Zoom webhook deliveries (zoom-api.md §10.2/§10.3): verify them, identify them, read their body without
trusting it, answer URL validation. Nothing here touches the database."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
from typing import Any, NoReturn

MAX_AGE_SECONDS = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds in ASCII digits; more would be beyond any clock
MAX_DEPTH = 32  # Zoom's events nest about 6 levels; far deeper would only exhaust the stack
SURROGATE = re.compile("[\ud800-\udfff]")  # JSON may escape one alone; UTF-8 (and so no database) cannot

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
    if not TIMESTAMP.fullmatch(timestamp):
        raise BadSignature("missing or malformed x-zm-request-timestamp", code=MALFORMED_TIMESTAMP)
    age = (time.time() if now is None else now) - int(timestamp)
    if abs(age) > MAX_AGE_SECONDS:
        reason = f"timestamp is {int(age)} s away from now (limit {MAX_AGE_SECONDS} s)"
        raise BadSignature(reason, code=STALE_TIMESTAMP)
    # As bytes: compare_digest refuses str with non-ASCII characters, and a header may carry any.
    given = signature.encode("utf-8", "replace")
    if not hmac.compare_digest(signature_for(secret, timestamp, body).encode(), given):
        raise BadSignature("x-zm-signature does not match", code=BAD_SIGNATURE)


def delivery_key(*, timestamp: str, body: bytes) -> str:
    """What identifies a delivery: the message its signature covers, hashed. Not x-zm-request-id, which
    anybody replaying a captured delivery may change."""
    return hashlib.sha256(signed_message(timestamp, body)).hexdigest()


def event_from_body(body: bytes) -> dict[str, Any]:
    """A verified body as an event: a JSON object in UTF-8, nested at most MAX_DEPTH levels, whose text
    a database can store. ValueError says what it is not."""
    try:
        event = json.loads(body.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # not UTF-8, not JSON, NaN or 1e999, a number of thousands of digits
        raise ValueError(f"not UTF-8 JSON ({str(error)[:200]})") from None
    if not isinstance(event, dict):
        raise ValueError(f"JSON {type(event).__name__}, not an object")
    stack: list[tuple[Any, int]] = [(event, 1)]
    while stack:  # no recursion: the depth is what is being checked
        value, depth = stack.pop()
        if isinstance(value, str) and SURROGATE.search(value):
            raise ValueError("JSON text with an unpaired surrogate, which no database can store")
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in (*value, *value.values()))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return event


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"{text[:20]} is beyond any float")
    return number


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}
