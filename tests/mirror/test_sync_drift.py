"""A role or host changed in Zoom outside Zoom Admin is recorded by the next sync ("changed outside Zoom
Admin, no approval on record"); Zoom Admin's own changes are not."""

from __future__ import annotations

import pytest

from accounts.role_changes import role_change_approve, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request
from zoomadmin_site.zoom import get_zoom_client

pytestmark = pytest.mark.django_db
PRIYA, ELENA, MARCUS = "priya.raman@example.com", "elena.novak@example.com", "marcus.okafor@example.com"
WORKS = 85010000002


def sync() -> SyncRun:
    return sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk, workers=2)


def drift_events():
    return AuditEvent.objects.filter(action="mirror.drift").order_by("seq")


def test_changes_made_in_zoom_directly_are_recorded_by_the_next_sync(zoom_sandbox):
    sync()
    assert not drift_events().exists()
    zoom_sandbox.set_role(PRIYA, "1")  # someone made Priya an Admin in Zoom's portal
    get_zoom_client().update_meeting(meeting_id=WORKS, schedule_for=MARCUS)  # another app moved a meeting
    sync()
    events = {event.target_type: event for event in drift_events()}
    assert set(events) == {"zoom_user", "zoom_meeting"}
    role = events["zoom_user"]
    assert role.actor_label == "zoom-sync" and role.target_label.endswith(f"<{PRIYA}>")
    assert role.before["role"] == "Member" and role.after["role"] == "Admin"
    assert role.reason.startswith("Changed outside Zoom Admin, no approval on record")
    assert events["zoom_meeting"].target_id == str(WORKS)
    sync()
    assert drift_events().count() == 2  # recorded once, not on every sync


def test_zoom_admins_own_changes_are_not_drift(zoom_sandbox, alice, morgan):
    sync()
    request = role_change_request(
        user_key=ELENA, role={"role_name": "Admin"}, reason="x", actor=alice
    ).request
    assert role_change_approve(request_id=request.pk, actor=morgan, comment="ok").status == "succeeded"
    sync()
    assert not drift_events().exists()
