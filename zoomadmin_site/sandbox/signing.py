"""Signing webhook requests the way Zoom does (zoom-api.md §10.1-§10.2).

Every request is a POST of compact JSON with ``x-zm-request-timestamp`` (Unix seconds, real wall-clock
time so receivers' staleness checks work), ``x-zm-signature`` = ``v0=`` + hex HMAC-SHA256(secret token,
``v0:{timestamp}:{raw body}``), ``x-zm-request-id`` (stable across retries), ``x-zm-trackingid``,
``user-agent: Zoom Marketplace/1.0a`` and ``content-type: application/json; charset=utf-8``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

TIMEOUT_S = 3.0  # Zoom wants an answer within 3 seconds


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
