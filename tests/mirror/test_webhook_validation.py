"""Odd webhook payloads never cause a 500 nor lose information: what is valid is applied, what is not is
named in the answer, the delivery record and the audit log."""

from __future__ import annotations

import time

import pytest

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from tests.mirror.webhook_support import MEETING_ID, make_event, mirrored_meeting, mirrored_user, post_event
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]


def test_user_created_without_an_id_mirrors_a_pending_user_with_no_zoom_id(client):
    event = make_event(
        "user.created", {"email": "invitee@example.com", "first_name": "In"}, creation_type="create"
    )
    assert post_event(client, event).json()["result"] == "applied"
    user = ZoomUser.objects.get(email="invitee@example.com")
    assert user.zoom_id is None and user.status == "pending"


def test_an_email_another_user_holds_is_a_conflict_recorded_and_audited_not_a_duplicate(
    client,
):
    mirrored_user()
    mirrored_user(zoom_id="u2", email="ben@example.com", display_name="Ben")
    event = make_event("user.updated", {"id": "u1", "email": "ben@example.com", "dept": "Sales"})

    ts = int(time.time())
    response = post_event(client, event, timestamp=ts, request_id="conflict-1")

    assert response.status_code == 200 and response.json()["result"] == "conflict"
    ana = ZoomUser.objects.get(zoom_id="u1")
    assert (ana.email, ana.dept) == ("ana@example.com", "")  # nothing of a refused change is half-applied
    delivery = WebhookDelivery.objects.get()
    assert delivery.result == "conflict" and "next full sync" in delivery.detail
    audit = AuditEvent.objects.get(action="webhook.conflict")
    assert audit.outcome == "failed" and audit.target_id == "u1"
    assert post_event(client, event, timestamp=ts, request_id="conflict-1").json()["result"] == "duplicate"


def test_a_field_of_the_wrong_type_is_skipped_and_named_while_the_rest_is_applied(client):
    mirrored_user(type=2)
    event = make_event("user.updated", {"id": "u1", "type": "abc", "dept": "Research"})

    assert post_event(client, event).json()["result"] == "partial"

    user = ZoomUser.objects.get(zoom_id="u1")
    assert (user.type, user.dept) == (2, "Research")
    delivery = WebhookDelivery.objects.get()
    assert delivery.result == "partial" and delivery.detail.startswith("type:")
    audit = AuditEvent.objects.get(action="webhook.partial")
    assert "type:" in audit.reason and audit.outcome == "succeeded"


@pytest.mark.parametrize("meeting_id", [2**63, 2**64 + 5, "92233720368547758070"])
def test_a_meeting_id_beyond_int64_is_invalid_and_changes_nothing(client, meeting_id):
    event = make_event("meeting.created", {"id": meeting_id, "host_id": "u1", "topic": "Overflow"})
    response = post_event(client, event)
    assert response.status_code == 200 and response.json()["result"] == "invalid"
    assert not ZoomMeeting.objects.exists()
    assert WebhookDelivery.objects.get().detail.startswith("id:")
    assert AuditEvent.objects.filter(action="webhook.invalid").count() == 1


def test_a_meeting_moved_to_a_host_not_in_the_mirror_drops_the_old_hosts_name(client):
    mirrored_meeting()
    assert post_event(
        client, make_event("meeting.updated", {"id": MEETING_ID, "host_id": "stranger"})
    ).json() == {"result": "applied"}
    meeting = ZoomMeeting.objects.get(meeting_id=MEETING_ID)
    assert (meeting.host_zoom_id, meeting.host_email, meeting.host_name) == ("stranger", "", "")


def test_a_meeting_moved_to_an_unmirrored_host_shows_the_email_zoom_gave(client):
    mirrored_meeting()
    obj = {"id": MEETING_ID, "host_id": "stranger", "host_email": "new.host@example.com"}
    assert post_event(client, make_event("meeting.updated", obj)).json()["result"] == "applied"
    meeting = ZoomMeeting.objects.get(meeting_id=MEETING_ID)
    assert (meeting.host_email, meeting.host_name) == ("new.host@example.com", "new.host@example.com")


def test_a_meeting_moved_to_a_mirrored_host_takes_that_hosts_name_and_email(client):
    mirrored_meeting()
    mirrored_user(zoom_id="u2", email="ben@example.com", display_name="Ben Ode")
    assert (
        post_event(client, make_event("meeting.updated", {"id": MEETING_ID, "host_id": "u2"})).json()[
            "result"
        ]
        == "applied"
    )
    meeting = ZoomMeeting.objects.get(meeting_id=MEETING_ID)
    assert (meeting.host_email, meeting.host_name) == ("ben@example.com", "Ben Ode")


@pytest.mark.parametrize(
    "name,obj",
    [
        ("user.updated", {"id": "u1", "pmi": 10**30}),
        ("user.updated", {"id": "u1", "display_name": "x" * 500}),
        ("user.updated", {"id": "u1", "email": 5}),
        ("user.updated", {"id": "u1", "email": "not-an-address"}),
        ("user.updated", {"id": "u1", "type": True}),
        ("user.updated", {"id": "u1", "dept": "R&D\x00"}),
        ("user.updated", {"id": {"nested": 1}, "dept": "Sales"}),
        ("user.created", {"id": "u7"}),
        ("user.created", {"id": ["u7"], "email": "x@example.com"}),
        ("user.deactivated", {"id": 12345}),
        ("meeting.updated", {"id": MEETING_ID, "duration": -5}),
        ("meeting.updated", {"id": MEETING_ID, "topic": ["a list"]}),
        ("meeting.updated", {"id": MEETING_ID, "start_time": 12345678901234567890}),
        ("meeting.updated", {"id": MEETING_ID, "start_time": "next tuesday"}),
        ("meeting.updated", {"id": MEETING_ID, "settings": {"alternative_hosts": 7}}),
        ("meeting.created", {"id": "12 34 abc", "topic": "x"}),
        ("meeting.deleted", {"id": True}),
    ],
)
def test_bad_values_never_cause_an_error_and_leave_the_mirror_valid(client, name, obj):
    mirrored_user(type=2, dept="Before")
    mirrored_meeting(duration=60)
    response = post_event(client, make_event(name, obj))
    assert response.status_code == 200
    result = response.json()["result"]
    assert result in {"partial", "invalid"}, result
    delivery = WebhookDelivery.objects.get()
    assert delivery.result == result and delivery.detail
    assert AuditEvent.objects.filter(action=f"webhook.{result}").count() == 1
    user, meeting = ZoomUser.objects.get(), ZoomMeeting.objects.get()
    assert user.type == 2 and user.email == "ana@example.com" and meeting.duration == 60
    assert meeting.topic == "Planning" and meeting.gone_at is None


def test_an_unreadable_event_time_falls_back_to_arrival_and_says_so(client):
    mirrored_user()
    event = {"event": "user.updated", "event_ts": "soon", "payload": {"object": {"id": "u1", "dept": "Ops"}}}
    assert post_event(client, event).json()["result"] == "partial"
    assert ZoomUser.objects.get(zoom_id="u1").dept == "Ops"
    assert WebhookDelivery.objects.get().detail.startswith("event_ts:")


def test_an_event_with_every_field_valid_writes_no_audit_event(client):
    mirrored_user()
    assert post_event(client, make_event("user.updated", {"id": "u1", "dept": "Ops", "type": "1"})).json()[
        "result"
    ] == ("applied")
    assert ZoomUser.objects.get(zoom_id="u1").type == 1
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()
    assert WebhookDelivery.objects.get().result == "applied"
