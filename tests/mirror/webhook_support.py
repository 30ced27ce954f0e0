"""Signed webhook deliveries for the mirror's tests, and mirror rows for events to act on."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import httpx
from django.test import Client

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.sync.signatures import signature_for

SECRET = "whsec-webhook-tests"  # tests/mirror/conftest.py sets it with the `webhook_secret` fixture
URL = "/zoom/webhooks/"
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
MEETING_ID = 81234567890


class DjangoTestClientTransport(httpx.BaseTransport):
    """Lets the sandbox deliver its webhooks into this Django app through the test client."""

    def __init__(self) -> None:
        self.client = Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-zm-")}
        response = self.client.post(
            request.url.path, data=request.content, content_type="application/json", headers=headers
        )
        return httpx.Response(response.status_code, content=response.content)


def post_event(
    client, event: dict, *, secret: str = SECRET, timestamp: int | None = None, request_id: str = "req-1"
):
    """POST `event` to the webhook endpoint, signed the way Zoom signs it."""
    body = json.dumps(event, separators=(",", ":")).encode()
    return post_body(client, body, secret=secret, timestamp=timestamp, request_id=request_id)


def post_body(
    client,
    body: bytes,
    *,
    secret: str = SECRET,
    timestamp: int | str | None = None,
    request_id: str | None = "req-1",
    headers: dict[str, str | None] | None = None,
):
    """POST raw `body` signed with `secret` for `timestamp` (now by default); `headers` add to or replace
    Zoom's (a header given as None is left out)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    zoom_headers = {
        "x-zm-request-timestamp": ts,
        "x-zm-signature": signature_for(secret, ts, body),
        "x-zm-request-id": request_id,
        **(headers or {}),
    }
    sent = {name: value for name, value in zoom_headers.items() if value is not None}
    return client.post(URL, data=body, content_type="application/json", headers=sent)


def make_event(name: str, obj: dict[str, Any], **payload: Any) -> dict[str, Any]:
    return {"event": name, "event_ts": int(time.time() * 1000), "payload": {"object": obj, **payload}}


def mirrored_user(**fields: Any) -> ZoomUser:
    defaults = {
        "zoom_id": "u1",
        "email": "ana@example.com",
        "display_name": "Ana Lima",
        "synced_at": LONG_AGO,
    }
    return ZoomUser.objects.create(**{**defaults, **fields})


def mirrored_meeting(**fields: Any) -> ZoomMeeting:
    defaults = {
        "meeting_id": MEETING_ID,
        "topic": "Planning",
        "host_zoom_id": "u1",
        "host_email": "ana@example.com",
        "host_name": "Ana Lima",
        "synced_at": LONG_AGO,
    }
    return ZoomMeeting.objects.create(**{**defaults, **fields})
