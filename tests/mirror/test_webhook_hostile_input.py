"""Whatever arrives at /zoom/webhooks/, the answer is a clean 401 (not provably from Zoom), 400 (signed, but
not a usable event) or 413 (too large), never a 500; nothing of it reaches the mirror, and the refusal is
counted in the audit log under a reason that says what was wrong."""

from __future__ import annotations

import json
import time

import pytest

from accounts.models import ZoomUser
from tests.mirror.webhook_support import SECRET, URL, make_event, mirrored_user, post_body
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import WebhookDelivery, WebhookRejection
from zoomadmin_site.sync.signatures import MAX_DEPTH, signature_for
from zoomadmin_site.sync.views import MAX_WEBHOOK_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]

CHANGE = json.dumps(make_event("user.updated", {"id": "u1", "dept": "Hacked"})).encode()


def _nested(depth: int) -> bytes:
    return b'{"event":"user.updated","payload":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # a crash must show as the 500 a visitor would get
    return client


def assert_refused(response, *, status: int, reason: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert not WebhookDelivery.objects.exists()
    assert ZoomUser.objects.get(zoom_id="u1").dept == ""
    rejected = AuditEvent.objects.get(action="webhook.rejected")
    assert rejected.outcome == "denied" and rejected.after["reason"] == reason
    assert WebhookRejection.objects.get().reason == reason


@pytest.mark.parametrize(
    "timestamp",
    [
        "9" * 310,  # was an OverflowError
        "9" * 5000,  # beyond Python's int() digit limit
        # milliseconds, as in the body's event_ts (a fixed id: pytest-xdist's workers must collect the same)
        pytest.param(str(int(time.time() * 1000)), id="milliseconds"),
        "-1700000000",
        "1700000000.5",
        "1.7e9",
        " 1700000000",
        "0x65",
        "\u00b9\u00b2\u00b3",  # superscript digits: str.isdigit() says yes, int() says no
        "",
    ],
    ids=lambda ts: repr(ts[:12]),
)
def test_a_malformed_timestamp_is_refused_with_401(client, timestamp):
    mirrored_user()
    response = post_body(client, CHANGE, timestamp=timestamp)
    assert_refused(response, status=401, reason="malformed_timestamp")


@pytest.mark.parametrize(
    "headers,reason",
    [
        ({"x-zm-request-timestamp": None}, "malformed_timestamp"),
        ({"x-zm-signature": None}, "bad_signature"),
        ({"x-zm-signature": "v0=\u00e9"}, "bad_signature"),  # compare_digest refuses non-ASCII str
        ({"x-zm-signature": "v0=" + "0" * 64}, "bad_signature"),
    ],
    ids=["no timestamp", "no signature", "non-ASCII signature", "wrong signature"],
)
def test_missing_or_wrong_headers_are_refused_with_401(client, headers, reason):
    mirrored_user()
    assert_refused(post_body(client, CHANGE, headers=headers), status=401, reason=reason)


@pytest.mark.parametrize("age", [-301, 301, -(10**11)])
def test_a_timestamp_too_far_from_now_either_way_is_refused_with_401(client, age):
    mirrored_user()
    response = post_body(client, CHANGE, timestamp=int(time.time()) - age)
    assert_refused(response, status=401, reason="stale_timestamp")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe{\x00}\x00",  # UTF-16, not UTF-8
        b'{"event":"user.updated","x":"\xe9"}',  # Latin-1
        b"[]",
        b'"user.updated"',
        b"42",
        b"null",
        b"[" * 100_000 + b"]" * 100_000,  # was a RecursionError
        _nested(MAX_DEPTH + 1),
        b'{"event":"user.updated","payload":{"object":{"id":"u1","dept":"\\ud800"}}}',
        b'{"event":"user.updated\\udfff","payload":{"object":{"id":"u1"}}}',
        b'{"event":"user.updated","payload":{"object":{"id":"u1","pmi":NaN}}}',
        b'{"event":"user.updated","payload":{"object":{"id":"u1","pmi":1e999}}}',
        b'{"event":"user.updated","payload":{"object":{"id":"u1","pmi":' + b"7" * 5000 + b"}}}",
        b'{"event":"endpoint.url_validation","payload":["plainToken"]}',
        b'{"event":"endpoint.url_validation","payload":{"plainToken":5}}',
        b'{"event":"endpoint.url_validation","payload":{}}',
        b'{"event":"endpoint.url_validation"}',
    ],
    ids=lambda body: repr(body[:40]),
)
def test_a_signed_body_that_is_no_usable_event_is_refused_with_400(client, body):
    mirrored_user()
    assert_refused(post_body(client, body), status=400, reason="bad_body")


def test_nesting_up_to_the_limit_is_read(client):
    mirrored_user()
    response = post_body(client, _nested(MAX_DEPTH - 2))  # the event object and payload are two levels
    assert response.status_code == 200 and response.json() == {"result": "ignored"}


def test_a_body_over_the_webhook_limit_is_refused_with_413(client):
    mirrored_user()
    body = CHANGE[:-1] + b',"pad":"' + b"x" * MAX_WEBHOOK_BYTES + b'"}'
    assert_refused(post_body(client, body), status=413, reason="too_large")


def test_a_body_over_djangos_upload_limit_is_refused_with_413_unread(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    mirrored_user()
    body = b"x" * 150_000
    assert_refused(post_body(client, body), status=413, reason="too_large")


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405
    assert client.put(URL, data=CHANGE, headers=_signed_now(CHANGE)).status_code == 405


def _signed_now(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"x-zm-request-timestamp": ts, "x-zm-signature": signature_for(SECRET, ts, body)}
