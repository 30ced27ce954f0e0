"""Webhooks (zoom-api.md §10): events queued on changes, signed deliveries, retries, URL validation."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from zoomadmin_site.sandbox import (
    API_USER_EMAIL,
    SCENARIOS,
    DeliveryReport,
    UrlValidation,
    WebhookNotes,
    WebhookPump,
    deliver_pending,
    deliver_webhooks,
    signature,
)

from .receiver import SECRET, Receiver

URL = "https://admin.example.com/zoom/webhooks"


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _validated(sandbox, url: str = URL) -> Receiver:
    """Subscribe ``url`` and let it pass the validation challenge."""
    sandbox.set_webhook(url, SECRET)
    receiver = Receiver()
    assert sandbox.validate_webhook_url(transport=httpx.WSGITransport(app=receiver)).ok
    return receiver


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
    _validated(seeded)
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
    _validated(seeded)
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
    _validated(seeded)
    zoom.patch("/users/me", json={"dept": "Ops"})
    seeded.deliver_webhooks(transport=httpx.WSGITransport(app=Receiver(status=401)))
    assert seeded.outbox()[0]["status"] == "failed"


def test_network_errors_are_retried(seeded, zoom):
    _validated(seeded)
    zoom.patch("/users/me", json={"dept": "Ops"})
    seeded.deliver_webhooks(transport=httpx.MockTransport(_refuse))
    event = seeded.outbox()[0]
    assert event["status"] == "pending" and "ConnectError" in event["last_error"]
    seeded.advance(300)
    assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=Receiver())) == 1


def test_events_claimed_by_a_delivery_that_died_are_sent_again_later(seeded, zoom, monkeypatch):
    from zoomadmin_site.sandbox import delivery

    _validated(seeded)
    zoom.patch("/users/me", json={"dept": "Ops"})
    hook, rows = delivery._claim(seeded.state_path)  # a cycle claims the event, then its process is killed
    assert hook and len(rows) == 1 and seeded.outbox()[0]["status"] == "sending"
    receiver = Receiver()
    transport = httpx.WSGITransport(app=receiver)
    assert seeded.deliver_webhooks(transport=transport) == 0  # a live claim: another cycle may be sending
    later = time.time() + delivery.CLAIM_EXPIRES_S + 1
    monkeypatch.setattr(delivery.time, "time", lambda: later)
    assert seeded.deliver_webhooks(transport=transport) == 1
    assert receiver.events == ["user.updated"]
    (event,) = seeded.outbox()
    assert (event["status"], event["attempts"]) == ("delivered", 1)


def test_one_cycle_delivers_more_events_than_one_claim_holds(seeded, zoom):
    from zoomadmin_site.sandbox import delivery

    _validated(seeded)
    events = delivery.CLAIM_BATCH * 2 + 3
    for n in range(events):
        zoom.patch("/users/me", json={"dept": f"Team {n}"})
    receiver = Receiver()
    assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver)) == events
    assert {e["status"] for e in seeded.outbox()} == {"delivered"}


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


class TestUrlValidationBeforeDelivery:
    def test_an_unvalidated_url_is_challenged_before_the_first_event(self, seeded, zoom):
        seeded.set_webhook(URL, SECRET)
        zoom.patch("/users/me", json={"dept": "Ops"})
        receiver = Receiver()
        assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver)) == 1
        assert receiver.events == ["endpoint.url_validation", "user.updated"]
        assert seeded.webhook_validated()

    def test_events_are_held_while_the_receiver_is_not_up_and_sent_once_it_validates(self, seeded, zoom):
        seeded.set_webhook(URL, SECRET)
        zoom.patch("/users/me", json={"dept": "Ops"})
        report = deliver_pending(seeded.state_path, transport=httpx.MockTransport(_refuse))
        assert (report.delivered, report.held, report.waiting) == (0, True, 1)
        assert "ConnectError" in report.validation.detail
        (event,) = seeded.outbox()
        assert (event["status"], event["attempts"]) == ("pending", 0)  # not an attempt: never sent
        receiver = Receiver()
        assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver)) == 1
        assert receiver.events == ["endpoint.url_validation", "user.updated"]

    def test_a_wrong_challenge_answer_holds_the_events(self, seeded, zoom):
        seeded.set_webhook(URL, SECRET)
        zoom.patch("/users/me", json={"dept": "Ops"})
        receiver = Receiver(secret="not-the-secret")
        for _ in range(2):
            assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver)) == 0
        assert receiver.events == ["endpoint.url_validation"] * 2
        assert not seeded.webhook_validated() and seeded.outbox("pending")

    def test_a_new_url_or_secret_must_validate_again(self, seeded, zoom):
        _validated(seeded)
        seeded.set_webhook(URL, SECRET)  # saved again unchanged (make run does this on every start)
        assert seeded.webhook_validated()
        seeded.set_webhook(URL, "rotated-secret")
        assert not seeded.webhook_validated()
        seeded.set_webhook("https://other.example.com/hooks", SECRET)
        assert not seeded.webhook_validated()
        zoom.patch("/users/me", json={"dept": "Ops"})
        receiver = Receiver()
        assert seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver)) == 1
        assert receiver.events == ["endpoint.url_validation", "user.updated"]
        assert receiver.requests[0][0]["host"] == "other.example.com"

    def test_validate_challenges_an_already_validated_url_again(self, seeded):
        receiver = _validated(seeded)
        seeded.deliver_webhooks(transport=httpx.WSGITransport(app=receiver), validate=True)
        assert receiver.events == ["endpoint.url_validation"] * 2


def test_pump_delivers_in_the_background_until_stopped(seeded, zoom):
    seeded.set_webhook(URL, SECRET)
    zoom.patch("/users/me", json={"dept": "Ops"})
    receiver = Receiver()
    pump = WebhookPump(seeded.state_path, 0.05, transport=httpx.WSGITransport(app=receiver)).start()
    try:
        deadline = time.monotonic() + 10
        while "user.updated" not in receiver.events and time.monotonic() < deadline:
            time.sleep(0.02)
        zoom.patch("/users/me", json={"dept": "Sales"})
        while receiver.events.count("user.updated") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        pump.stop()
    assert receiver.events == ["endpoint.url_validation", "user.updated", "user.updated"]


def test_delivery_notes_report_a_repeated_validation_failure_once():
    lines: list[str] = []
    notes = WebhookNotes(lines.append, every=2)
    refused = UrlValidation(False, None, "ConnectError: refused")
    for _ in range(3):
        notes(DeliveryReport(waiting=1, held=True, validation=refused, subscribed=True))
    notes(DeliveryReport(delivered=1, validation=UrlValidation(True, 200, "Validated."), subscribed=True))
    notes(DeliveryReport(subscribed=True))  # a quiet cycle
    assert lines == [
        "Webhook URL validation: FAILED (ConnectError: refused); 1 event(s) held until the URL validates; "
        "retrying every 2 s",
        "Webhook URL validation: ok (Validated.)",
        "Delivered 1 webhook event(s); 0 waiting for a retry",
    ]
