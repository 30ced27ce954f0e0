""" "Refresh this row from Zoom" on the Meetings page: reads the meeting itself (status, scheduler of
record), swaps in its fresh row with htmx, or comes back to the same search without JavaScript."""

from __future__ import annotations

import json
import re

import pytest

from meetings.models import ZoomMeeting
from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting, make_meetings
from zoomadmin_site.sandbox import SCENARIOS

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROW = {"row": "1"}  # what the rows' <tbody> adds with hx-vals
LIVE = SCENARIOS["started_meeting"]


@pytest.fixture
def live_meeting(zoom_sandbox) -> ZoomMeeting:
    """The sandbox's live meeting, as a full sync writes it: from a meeting list, so no status."""
    host = make_user(email=LIVE["host_email"], first_name="Sam", last_name="Oduya")
    return make_meeting(host, meeting_id=LIVE["meeting_id"], topic=LIVE["topic"], status="")


def refresh_url(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/refresh/"


def message(response) -> dict[str, str]:
    return json.loads(response["HX-Trigger"])["zoomadmin:message"]


def test_it_admins_get_a_refresh_button_on_every_row(alice_client):
    meetings = make_meetings(3)
    html = alice_client.get("/meetings/").content.decode()
    assert html.count('class="row-refresh"') == 3
    for meeting in meetings:
        url = refresh_url(meeting.meeting_id)
        assert f'form="meeting-row-refresh" formaction="{url}" hx-post="{url}"' in html
    form = re.search(r'<form id="meeting-row-refresh" method="post" hidden>.*?</form>', html).group(0)
    assert 'name="next" value="/meetings/"' in form and "csrfmiddlewaretoken" in form


@pytest.mark.parametrize("persona_client", ["morgan", "audrey"], indirect=True)
def test_operators_who_may_not_sync_get_no_row_refresh(persona_client):
    make_meetings(2)
    html = persona_client.get("/meetings/").content.decode()
    assert "row-refresh" not in html and "hx-post" not in html


def test_htmx_refresh_swaps_in_the_row_with_the_status_zoom_gives(alice_client, live_meeting):
    response = alice_client.post(refresh_url(live_meeting.meeting_id), ROW, **HTMX)
    html = response.content.decode().strip()
    assert response.status_code == 200 and html.startswith("<tr") and html.count("<tr") == 1
    assert '<span class="badge badge-started">Started</span>' in html and "Not known" not in html
    assert message(response) == {"level": "success", "text": "Refreshed from Zoom just now."}
    assert ZoomMeeting.objects.get(pk=live_meeting.pk).details_known


def test_without_javascript_the_refresh_comes_back_to_the_same_search(alice_client, live_meeting):
    search = "/meetings/?q=broadcast&status=unknown"
    response = alice_client.post(refresh_url(live_meeting.meeting_id), {"next": search})
    assert response.status_code == 302 and response["Location"] == search
    assert "Refreshed from Zoom just now." in alice_client.get(search).content.decode()


def test_a_zoom_failure_leaves_the_row_and_says_why(alice_client, live_meeting, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/meetings/*", status=503, count=10)
    response = alice_client.post(refresh_url(live_meeting.meeting_id), ROW, **HTMX)
    assert response.status_code == 200 and response["HX-Reswap"] == "none" and response.content == b""
    assert (
        message(response)["level"] == "error"
        and "Zoom did not answer as expected" in message(response)["text"]
    )
    assert not ZoomMeeting.objects.get(pk=live_meeting.pk).details_known


def test_a_meeting_zoom_no_longer_has_comes_back_marked_gone(alice_client, zoom_sandbox):
    gone = make_meeting(meeting_id=89999999999, topic="Deleted in Zoom")
    response = alice_client.post(refresh_url(gone.meeting_id), ROW, **HTMX)
    assert '<tr class="row-gone">' in response.content.decode()
    assert message(response)["level"] == "warning"


def test_a_meeting_in_neither_zoom_nor_the_mirror_swaps_nothing(alice_client, zoom_sandbox):
    response = alice_client.post(refresh_url(89999999998), ROW, **HTMX)
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert message(response)["level"] == "warning"


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403), ("root", 200)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_sync_can_refresh_a_row(persona_client, status, live_meeting):
    response = persona_client.post(refresh_url(live_meeting.meeting_id), ROW, **HTMX)
    assert response.status_code == status
    assert ZoomMeeting.objects.get(pk=live_meeting.pk).details_known == (status == 200)
