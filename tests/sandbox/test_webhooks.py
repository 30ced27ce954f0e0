"""Webhooks (zoom-api.md §10): events queued on changes, signed deliveries, retries, URL validation."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from zoomadmin_site.sandbox import API_USER_EMAIL, SCENARIOS, deliver_webhooks, signature

SECRET = "whsec-test"
URL = "https://admin.example.com/zoom/webhooks"


class Receiver:
    """A tiny WSGI endpoint recording each delivery and answering ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append((headers, body))
        payload = json.loads(body)
        answer = b""
        if payload["event"] == "endpoint.url_validation":
            plain = payload["payload"]["plainToken"]
            encrypted = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
            answer = json.dumps({"plainToken": plain, "encryptedToken": encrypted}).encode()
        start_response(f"{self.status} X", [("Content-Type", "application/json")])
        return [answer]


def test_nothing_is_queued_without_a_subscription(seeded, zoom):
    zoom.patch("/users/me", json={"dept": "Ops"})
    assert seeded.outbox() == []


def test_user_and_meeting_changes_queue_zoom_shaped_events(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch(f"/users/{SCENARIOS['new_host']['email']}", json={"dept": "Finance", "role_name": "Admin"})
    zoom.put(f"/users/{SCENARIOS['new_host']['email']}/status", json={"action": "deactivate"})
    created = zoom.post(
        "/users/me/meetings", json={"topic": "Hooked", "start_time": "2026-03-05T10:00:00Z"}
    ).json()
    zoom.delete(f"/meetings/{created['id']}")
    events = [e["body"] for e in seeded.outbox()]
    assert [e["event"] for e in events] == [
        "user.updated",
        "user.deactivated",
        "meeting.created",
        "meeting.deleted",
    ]
    updated = events[0]["payload"]
    assert updated["object"] == {"id": SCENARIOS["new_host"]["id"], "dept": "Finance"}
    assert updated["old_object"] == {"id": SCENARIOS["new_host"]["id"], "dept": "Sales"}
    assert updated["operator"] == API_USER_EMAIL and updated["account_id"] == "sandbox"
    assert events[2]["payload"]["object"]["id"] == created["id"]
    assert events[2]["payload"]["object"]["settings"] == {"use_pmi": False, "alternative_hosts": ""}
    assert all(isinstance(e["event_ts"], int) and e["event_ts"] > 10**12 for e in events)


def test_subscription_can_be_limited_to_some_events(seeded, zoom):
    seeded.set_webhook(URL, SECRET, events=["meeting.deleted"])
    zoom.patch("/users/me", json={"dept": "Ops"})
    assert seeded.outbox() == []


def test_delivery_is_signed_compact_json_with_zoom_headers(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch("/users/me", json={"dept": "Ops"})
    receiver = Receiver()
    assert deliver_webhooks(seeded.state_path, transport=httpx.WSGITransport(app=receiver)) == 1
    ((headers, body),) = receiver.requests
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert headers["x-zm-request-id"] and headers["x-zm-trackingid"]
    timestamp = headers["x-zm-request-timestamp"]
    expected = (
        "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    assert headers["x-zm-signature"] == expected == signature(SECRET, timestamp, body)
    assert body == json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert seeded.outbox("delivered")


def test_server_errors_are_retried_after_5_20_and_60_simulated_minutes_then_dropped(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch("/users/me", json={"dept": "Ops"})
    receiver = Receiver(status=500)
    transport = httpx.WSGITransport(app=receiver)
    assert seeded.deliver_webhooks(transport=transport) == 0
    for minutes in (5, 20, 60):
        assert seeded.deliver_webhooks(transport=transport) == 0  # not due yet
        seeded.advance(minutes * 60 - 1)
        assert seeded.deliver_webhooks(transport=transport) == 0
        seeded.advance(1)
        seeded.deliver_webhooks(transport=transport)
    assert len(receiver.requests) == 4
    assert len({headers["x-zm-request-id"] for headers, _ in receiver.requests}) == 1
    (event,) = seeded.outbox()
    assert (event["status"], event["attempts"], event["last_status"]) == ("failed", 4, 500)


def test_client_errors_are_not_retried(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch("/users/me", json={"dept": "Ops"})
    seeded.deliver_webhooks(transport=httpx.WSGITransport(app=Receiver(status=401)))
    assert seeded.outbox()[0]["status"] == "failed"


def test_network_errors_are_retried(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch("/users/me", json={"dept": "Ops"})

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    seeded.deliver_webhooks(transport=httpx.MockTransport(refuse))
    event = seeded.outbox()[0]
    assert event["status"] == "pending" and "ConnectError" in event["last_error"]
    seeded.advance(300)
    assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=Receiver())) == 1


def test_url_validation_challenge(seeded):
    seeded.set_webhook(URL, SECRET)
    receiver = Receiver()
    result = seeded.validate_webhook_url(transport=httpx.WSGITransport(app=receiver))
    assert result.ok, result.detail
    headers, body = receiver.requests[0]
    assert json.loads(body)["event"] == "endpoint.url_validation"
    assert headers["x-zm-signature"] == signature(SECRET, headers["x-zm-request-timestamp"], body)
    seeded.set_webhook(URL, "another-secret")
    assert not seeded.validate_webhook_url(transport=httpx.WSGITransport(app=receiver)).ok


def test_helpers_that_change_data_queue_events_too(seeded):
    seeded.set_webhook(URL, SECRET)
    seeded.create_user("new.person@example.com", first_name="New", last_name="Person")
    seeded.set_role("new.person@example.com", "1")
    seeded.set_user_status(SCENARIOS["new_host"]["email"], "inactive")
    assert [e["event"] for e in seeded.outbox()] == ["user.created", "user.updated", "user.deactivated"]
