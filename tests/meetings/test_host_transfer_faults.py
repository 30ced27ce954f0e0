"""A host transfer when Zoom misbehaves: the silent write, the host's daily quota, a crash between the
write and the read-back."""

from __future__ import annotations

import datetime

import pytest

from meetings.host_transfers import HOST_TRANSFER, host_transfer_execute, host_transfer_preflight
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import change_reconcile_stale

pytestmark = pytest.mark.django_db

WORKS, NEW = 85010000002, "marcus.okafor@example.com"
SAM = "sam.oduya@example.com"  # the sandbox's quota-exhausted host


def patches(sandbox, meeting_id=WORKS):
    return [c for c in sandbox.calls() if c.method == "PATCH" and c.path.endswith(f"/{meeting_id}")]


def test_a_write_zoom_answers_but_does_not_keep_is_unverified_with_advice(zoom_sandbox, alice):
    zoom_sandbox.drop_next_write(method="PATCH", path="/meetings/*")
    request = host_transfer_execute(meeting_id=str(WORKS), new_host=NEW, reason="x", actor=alice).request
    assert request.status == Status.UNVERIFIED
    assert "still shows dana.whitfield@example.com" in request.outcome_reason
    assert "Zoom's portal" in request.outcome_reason
    assert zoom_sandbox.meeting(WORKS)["host_email"] != NEW


def test_the_hosts_daily_quota_refusal_fails_without_change_and_the_next_preflight_says_so(
    zoom_sandbox, alice
):
    meeting = zoom_sandbox.create_meeting(
        SAM,
        created_under="me",
        topic="Launch review",
        start_time=zoom_sandbox.now() + datetime.timedelta(days=2),
    )
    zoom_sandbox.set_meeting_usage(SAM, 100)
    request = host_transfer_execute(
        meeting_id=str(meeting["id"]), new_host=NEW, reason="x", actor=alice
    ).request
    assert request.status == Status.FAILED
    assert (
        "nothing changed in Zoom" in request.outcome_reason.lower()
        or "daily" in request.outcome_reason.lower()
    )
    assert zoom_sandbox.meeting(meeting["id"])["host_email"] == SAM
    plan = host_transfer_preflight(meeting_id=str(meeting["id"]), new_host=NEW, actor=alice)
    quota = plan.check("quota")
    assert quota.outcome == "fail" and "00:00 UTC" in quota.remedy


def test_a_crash_between_the_write_and_the_read_back_is_reconciled_not_repeated(
    zoom_sandbox, alice, monkeypatch
):
    write = HOST_TRANSFER.write

    def write_then_die(client, plan):
        write(client, plan)
        raise SystemExit()

    monkeypatch.setattr(HOST_TRANSFER, "write", write_then_die)
    with pytest.raises(SystemExit):
        host_transfer_execute(meeting_id=str(WORKS), new_host=NEW, reason="x", actor=alice)
    monkeypatch.undo()
    stuck = ChangeRequest.objects.get()
    assert stuck.status == Status.EXECUTING
    (done,) = change_reconcile_stale(older_than=datetime.timedelta(0))
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert len(patches(zoom_sandbox)) == 1  # resolved by reading Zoom, not by sending it again
    assert AuditEvent.objects.filter(action="host_transfer.reconcile").count() == 1
    assert AuditEvent.objects.filter(action="host_transfer.execute", outcome="succeeded").count() == 1
