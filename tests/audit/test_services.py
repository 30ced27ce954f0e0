"""audit_record / audit_start / audit_finish: what a recorded event holds."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core import serializers

from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.redaction import REDACTED
from zoomadmin_site.audit.services import audit_finish, audit_record, audit_start
from zoomadmin_site.middleware import current_request_id, current_source_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    id_token = current_request_id.set("req-123")
    ip_token = current_source_ip.set("203.0.113.9")
    yield
    current_request_id.reset(id_token)
    current_source_ip.reset(ip_token)


def test_event_takes_request_id_and_source_ip_from_the_current_request(in_request):
    event = audit_record(action="mirror.sync", outcome="succeeded")
    assert (event.request_id, event.source_ip) == ("req-123", "203.0.113.9")


def test_explicit_request_id_and_source_ip_win_over_the_current_request(in_request):
    event = audit_record(
        action="mirror.sync", outcome="succeeded", request_id="r-9", source_ip="198.51.100.1"
    )
    assert (event.request_id, event.source_ip) == ("r-9", "198.51.100.1")


def test_events_outside_a_request_have_no_request_id_or_source_ip():
    event = audit_record(action="mirror.sync", outcome="succeeded")
    assert (event.request_id, event.source_ip) == ("", "")


def test_system_events_are_labelled_system_or_by_the_component_named(alice):
    assert audit_record(action="mirror.sync", outcome="succeeded").actor_label == "system"
    webhook = audit_record(action="webhook.rejected", outcome="denied", actor_label="zoom-webhook")
    assert (webhook.actor, webhook.actor_label) == (None, "zoom-webhook")
    by_alice = audit_record(action="mirror.sync", outcome="succeeded", actor=alice)
    assert (by_alice.actor, by_alice.actor_label) == (alice, "alice")


def test_seq_counts_up_without_gaps_and_each_event_links_to_the_previous(make_events):
    events = make_events(3)
    assert [e.seq for e in events] == [events[0].seq, events[0].seq + 1, events[0].seq + 2]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash


def test_start_and_finish_share_operation_actor_and_target(alice, in_request):
    started = audit_start(
        action="role_change.execute",
        actor=alice,
        target_type="zoom_user",
        target_id="u-42",
        target_label="Dana Lee",
        before={"role_id": "2"},
        reason="Promote to admin for the migration",
        preflight={"checks": [{"name": "target_exists", "status": "pass"}]},
    )
    calls = [{"method": "PUT", "path": "/users/u-42", "status": 204, "zoom_code": None, "tracking_id": "t-1"}]
    finished = audit_finish(started, outcome="succeeded", after={"role_id": "1"}, zoom_calls=calls)
    assert started.outcome == "started"
    assert isinstance(started.operation_id, uuid.UUID)
    assert finished.operation_id == started.operation_id
    assert (finished.actor, finished.actor_label) == (alice, "alice")
    assert (finished.target_type, finished.target_id, finished.target_label) == (
        "zoom_user",
        "u-42",
        "Dana Lee",
    )
    assert (finished.before, finished.after) == ({"role_id": "2"}, {"role_id": "1"})
    assert finished.zoom_calls == calls
    assert finished.reason == "Promote to admin for the migration"
    assert finished.request_id == "req-123"


def test_each_start_opens_a_new_operation(alice):
    first = audit_start(
        action="host_transfer.execute", actor=alice, target_type="zoom_meeting", target_id="1"
    )
    second = audit_start(
        action="host_transfer.execute", actor=alice, target_type="zoom_meeting", target_id="1"
    )
    assert first.operation_id != second.operation_id


def test_finish_refuses_an_event_that_is_not_a_start(alice):
    done = audit_record(action="mirror.sync", outcome="succeeded")
    with pytest.raises(ValueError, match="needs the 'started' event"):
        audit_finish(done, outcome="failed")
    started = audit_start(action="mirror.sync", actor=alice, target_type="", target_id="")
    with pytest.raises(ValueError, match="not an ending"):
        audit_finish(started, outcome="started")


@pytest.mark.parametrize(
    ("action", "outcome", "message"),
    [
        ("login", "succeeded", "not one of the audit log's actions"),
        ("Auth.Login", "succeeded", "not one of the audit log's actions"),
        ("auth.login\n", "succeeded", "not one of the audit log's actions"),
        ("auth.made_up", "succeeded", "not one of the audit log's actions"),
        ("auth.login", "done", "not one of"),
    ],
)
def test_malformed_action_or_unknown_outcome_is_refused(action, outcome, message):
    with pytest.raises(ValueError, match=message):
        audit_record(action=action, outcome=outcome)
    assert not AuditEvent.objects.exists()


def test_secrets_are_redacted_from_every_json_and_text_field_before_writing(alice):
    secret_meeting = {"id": 1, "password": "pw-123", "start_url": "https://zoom.us/s/1?zak=zak-999"}
    started = audit_start(
        action="host_transfer.execute",
        actor=alice,
        target_type="zoom_meeting",
        target_id="1",
        before=secret_meeting,
        preflight={"plan": {"headers": {"Authorization": "Bearer tok-777"}}},
        reason="see https://zoom.us/j/1?pwd=pwd-555",
    )
    audit_finish(
        started,
        outcome="succeeded",
        after={"join_url": "https://zoom.us/j/1?pwd=pwd-555", "access_token": "tok-888"},
        zoom_calls=[{"method": "PATCH", "path": "/meetings/1?access_token=tok-666", "status": 204}],
    )
    dumped = serializers.serialize("json", AuditEvent.objects.all())
    for secret in ("pw-123", "zak-999", "tok-777", "pwd-555", "tok-888", "tok-666"):
        assert secret not in dumped
    assert json.loads(dumped)[0]["fields"]["before"]["password"] == REDACTED


def test_overlong_labels_are_shortened_rather_than_losing_the_event():
    event = audit_record(
        action="mirror.sync", outcome="failed", target_label="x" * 1000, actor_label="y" * 500
    )
    assert (len(event.target_label), len(event.actor_label)) == (255, 150)
    assert AuditEvent.objects.get(seq=event.seq).hash == event.hash
