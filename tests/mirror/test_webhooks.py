"""Zoom webhooks at /zoom/webhooks/: signed, fresh, idempotent, and they keep the mirror current."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from tests.mirror.webhook_support import SECRET, URL, DjangoTestClientTransport, post_event
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import SyncRun, WebhookDelivery
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request
from zoomadmin_site.sync.signatures import signature_for


def _synced(zoom_sandbox) -> None:
    sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk)


@pytest.mark.django_db
def test_url_validation_challenge_is_answered(client, webhook_secret):
    from zoomadmin_site.sync.signatures import url_validation_answer

    response = post_event(client, {"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}})
    assert response.status_code == 200
    assert response.json() == url_validation_answer(SECRET, "abc123")


@pytest.mark.django_db
def test_sandbox_url_validation_accepts_our_endpoint(zoom_sandbox, webhook_secret):
    zoom_sandbox.set_webhook("http://testserver" + URL, SECRET)
    result = zoom_sandbox.validate_webhook_url(transport=DjangoTestClientTransport())
    assert result.ok, result


@pytest.mark.django_db
@pytest.mark.parametrize(
    "secret,timestamp,reason",
    [
        ("not-the-secret", None, "does not match"),
        # a fixed id (not the timestamp's): pytest-xdist's workers must collect the same test names
        pytest.param(SECRET, int(time.time()) - 600, "limit 300 s", id="600 s old-limit 300 s"),
    ],
)
def test_bad_signature_or_stale_delivery_gets_401_an_audit_event_and_changes_nothing(
    client, webhook_secret, secret, timestamp, reason
):
    ZoomUser.objects.create(
        zoom_id="u1", email="a@example.com", display_name="A", synced_at="2020-01-01T00:00Z"
    )
    event = {
        "event": "user.updated",
        "event_ts": int(time.time() * 1000),
        "payload": {"object": {"id": "u1", "dept": "Hacked"}},
    }
    response = post_event(client, event, secret=secret, timestamp=timestamp)
    assert response.status_code == 401
    assert ZoomUser.objects.get(zoom_id="u1").dept == ""
    assert not WebhookDelivery.objects.exists()
    rejected = AuditEvent.objects.get(action="webhook.rejected")
    assert rejected.outcome == "denied" and reason in rejected.reason


@pytest.mark.django_db
def test_without_a_configured_secret_every_delivery_is_refused(client, settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = ""
    assert post_event(client, {"event": "user.updated"}, secret="").status_code == 401


@pytest.mark.django_db
def test_the_same_event_delivered_three_times_changes_the_mirror_once(client, webhook_secret):
    ZoomUser.objects.create(
        zoom_id="u1", email="a@example.com", display_name="A", synced_at="2020-01-01T00:00Z"
    )
    event = {
        "event": "user.updated",
        "event_ts": int(time.time() * 1000),
        "payload": {"object": {"id": "u1", "dept": "Research"}, "old_object": {"id": "u1", "dept": ""}},
    }
    ts = int(time.time())  # a redelivery is the same signed message: same body, same timestamp
    results = [post_event(client, event, timestamp=ts, request_id="same-id").json()["result"] for _ in "123"]
    assert results == ["applied", "duplicate", "duplicate"]
    assert ZoomUser.objects.get(zoom_id="u1").dept == "Research"
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_an_event_older_than_the_mirror_row_is_ignored(client, webhook_secret):
    ZoomUser.objects.create(
        zoom_id="u1", email="a@example.com", display_name="A", dept="Now", synced_at="2030-01-01T00:00Z"
    )
    event = {
        "event": "user.updated",
        "event_ts": 1_700_000_000_000,
        "payload": {"object": {"id": "u1", "dept": "Old"}},
    }
    assert post_event(client, event).json()["result"] == "ignored"
    assert ZoomUser.objects.get(zoom_id="u1").dept == "Now"


@pytest.mark.django_db
def test_malformed_json_with_a_valid_signature_is_refused_as_a_bad_request(client, webhook_secret):
    ts = str(int(time.time()))
    response = client.post(
        URL,
        data=b"not json",
        content_type="application/json",
        headers={"x-zm-request-timestamp": ts, "x-zm-signature": signature_for(SECRET, ts, b"not json")},
    )
    assert response.status_code == 400  # signed, so not a 401: the body is what is wrong
    assert AuditEvent.objects.get(action="webhook.rejected").after["reason"] == "bad_body"


@pytest.mark.django_db
def test_zoom_changes_reach_the_mirror_through_signed_sandbox_webhooks(zoom_sandbox, webhook_secret):
    from zoomadmin_site.sandbox import SCENARIOS
    from zoomadmin_site.zoom import get_zoom_client

    _synced(zoom_sandbox)
    zoom_sandbox.set_webhook("http://testserver" + URL, SECRET)
    member = ZoomUser.objects.get(email=SCENARIOS["promote_member"]["email"])
    client = get_zoom_client()
    client.assign_role(role_id="1", user_ids=[member.zoom_id])
    moved = SCENARIOS["transfer_works"]["meeting_id"]
    client.update_meeting(meeting_id=moved, schedule_for=SCENARIOS["new_host"]["email"])
    delivered = zoom_sandbox.deliver_webhooks(transport=DjangoTestClientTransport())
    assert delivered >= 2
    assert ZoomUser.objects.get(pk=member.pk).role_id == "1"
    meeting = ZoomMeeting.objects.get(meeting_id=moved)
    assert meeting.host_email == SCENARIOS["new_host"]["email"]
    assert WebhookDelivery.objects.filter(result="applied").count() >= 2


@pytest.mark.django_db
def test_meeting_deleted_event_marks_the_meeting_gone(client, webhook_secret):
    ZoomMeeting.objects.create(
        meeting_id=123456789012, topic="Old", host_zoom_id="h", synced_at="2020-01-01T00:00Z"
    )
    event = {
        "event": "meeting.deleted",
        "event_ts": int(time.time() * 1000),
        "payload": {"object": {"id": "123456789012", "host_id": "h"}},
    }
    assert post_event(client, event).json()["result"] == "applied"
    assert ZoomMeeting.objects.get(meeting_id=123456789012).gone_at is not None


def test_webhook_endpoint_is_reverse_resolvable():
    assert reverse("mirror:webhook") == URL
