"""Zoom's page tokens expire after 15 minutes; a full sync whose walk outlives one still gets every row."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request
from zoomadmin_site.zoom.client import ZoomClient

pytestmark = pytest.mark.django_db
MEETINGS = 320  # more than one page of 300


@pytest.fixture
def busy_host(zoom_sandbox) -> dict:
    host = zoom_sandbox.create_user("busy.host@example.com", first_name="Busy", last_name="Host")
    start = zoom_sandbox.now() + datetime.timedelta(days=2)
    for number in range(MEETINGS):
        zoom_sandbox.create_meeting(
            host["email"], topic=f"Stand-up {number}", type=2, duration=15, start_time=start
        )
    return host


def test_an_expired_next_page_token_restarts_the_listing_and_the_sync_gets_every_meeting(
    zoom_sandbox, busy_host, monkeypatch
):
    real_list_meetings = ZoomClient.list_meetings
    expired: list[str] = []

    def slow_walk(self, *, user_id: str, next_page_token: str | None = None, **filters):
        if user_id == busy_host["id"] and next_page_token and not expired:
            expired.append(next_page_token)
            zoom_sandbox.advance(16 * 60)  # the walk took longer than Zoom keeps its page tokens
        return real_list_meetings(self, user_id=user_id, next_page_token=next_page_token, **filters)

    monkeypatch.setattr(ZoomClient, "list_meetings", slow_walk)
    run = sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk, workers=2)

    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["failed_hosts"] == 0
    assert expired, "the test never reached a second page"
    host_calls = zoom_sandbox.calls(path=f"/v2/users/{busy_host['id']}/meetings")
    assert [c.status for c in host_calls] == [200, 400, 200, 200]  # page 2 refused, walk restarted
    assert ZoomMeeting.objects.filter(host_zoom_id=busy_host["id"], gone_at=None).count() == MEETINGS
    assert ZoomUser.objects.get(zoom_id=busy_host["id"]).gone_at is None
