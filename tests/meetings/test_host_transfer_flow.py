"""Host transfers of single meetings on the sandbox: the seed thread's two meetings, and each other
preflight outcome."""

from __future__ import annotations

import pytest

from meetings.host_transfers import (
    host_transfer_execute,
    host_transfer_grant_assistant,
    host_transfer_preflight,
)
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import Status
from zoomadmin_site.changes.services import ChangeRefused

pytestmark = pytest.mark.django_db

OLD, NEW = "dana.whitfield@example.com", "marcus.okafor@example.com"
BLOCKED, WORKS, STARTED, PMI, INSTANT, RECURRING = (
    85010000001,
    85010000002,
    85010000004,
    85010000005,
    85010000006,
    85010000007,
)
ALTERNATIVES, PAST = 85010000009, 85010000010


def outcomes(plan):
    return {check.key: str(check.outcome) for check in plan.checks}


def patches(sandbox):
    return [c for c in sandbox.calls() if c.method == "PATCH"]


def test_seed_thread_meeting_created_under_the_old_host_is_predicted_and_fixed_by_the_remedy(
    zoom_sandbox, alice
):
    plan = host_transfer_preflight(meeting_id=str(BLOCKED), new_host=NEW, actor=alice)
    scheduler = plan.check("scheduler")
    assert scheduler.outcome == "fail" and scheduler.facts["fixable"]
    assert f"Add {OLD} as a scheduling assistant of {NEW}" in scheduler.remedy
    with pytest.raises(ChangeRefused):
        host_transfer_execute(meeting_id=str(BLOCKED), new_host=NEW, reason="Dana leaves", actor=alice)
    assert patches(zoom_sandbox) == []  # 3000 predicted: Zoom was never asked

    assert host_transfer_grant_assistant(host=NEW, assistant=OLD, actor=alice, reason="remedy")
    plan = host_transfer_preflight(meeting_id=str(BLOCKED), new_host=NEW, actor=alice)
    assert not plan.blocked, plan.failures
    request = host_transfer_execute(
        meeting_id=str(BLOCKED), new_host=NEW, reason="Dana leaves", actor=alice
    ).request
    assert request.status == Status.SUCCEEDED, request.outcome_reason
    row = ZoomMeeting.objects.get(meeting_id=BLOCKED)
    assert row.host_email == NEW
    assert row.join_url and row.join_url == plan.current["join_url"]  # same id and join link
    assert AuditEvent.objects.filter(action="assistant.grant", outcome="succeeded").count() == 1
    assert len(patches(zoom_sandbox)) == 1


def test_seed_thread_meeting_created_by_the_api_user_moves_at_once(zoom_sandbox, alice):
    plan = host_transfer_preflight(meeting_id=str(WORKS), new_host=NEW, actor=alice)
    assert not plan.blocked, [(c.key, c.reason) for c in plan.failures]
    assert [str(c) for c in plan.calls] == [f"PATCH /meetings/{WORKS}"]
    request = host_transfer_execute(
        meeting_id=str(WORKS), new_host=NEW, reason="Dana leaves", actor=alice
    ).request
    assert request.status == Status.SUCCEEDED, request.outcome_reason
    assert "unchanged" in request.outcome_reason


@pytest.mark.parametrize(
    ("meeting_id", "new_host", "key", "outcome"),
    [
        (STARTED, NEW, "meeting", "fail"),
        (PMI, NEW, "meeting", "fail"),
        (INSTANT, OLD, "meeting", "fail"),
        (PAST, OLD, "meeting", "fail"),
        (RECURRING, NEW, "series", "warn"),
        (WORKS, OLD, "same_host", "fail"),
        (WORKS, "tom.fischer@example.com", "new_host", "fail"),  # Basic licence
        (WORKS, "grace.lindqvist@example.com", "new_host", "fail"),  # inactive
        (WORKS, "nobody@example.com", "new_host", "fail"),
        (ALTERNATIVES, NEW, "alternative_host", "warn"),
        (99999999999, NEW, "meeting", "fail"),
    ],
)
def test_each_preflight_outcome(zoom_sandbox, alice, meeting_id, new_host, key, outcome):
    plan = host_transfer_preflight(meeting_id=str(meeting_id), new_host=new_host, actor=alice)
    assert outcomes(plan).get(key) == outcome, [(c.key, c.outcome, c.reason) for c in plan.checks]


def test_an_alternative_host_who_becomes_host_is_removed_in_the_same_update(zoom_sandbox, alice):
    plan = host_transfer_preflight(meeting_id=str(ALTERNATIVES), new_host=NEW, actor=alice)
    assert plan.calls[0].body == {
        "schedule_for": NEW,
        "settings": {"alternative_hosts": "elena.novak@example.com"},
    }
