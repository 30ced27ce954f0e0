"""A meeting's status on the Meetings page: Zoom's meeting lists (what the full sync reads) carry none, so
it is known only for meetings read from Zoom or reported by webhooks, and the page says so."""

from __future__ import annotations

import pytest

from meetings.selectors import STATUS_NOT_KNOWN, meeting_search
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db
MEETINGS = "/meetings/"


@pytest.fixture
def meetings(db):
    return {
        "listed": make_meeting(topic="Only listed", status=""),
        "started": make_meeting(topic="Live now", status="started"),
        "waiting": make_meeting(topic="Not yet", status="waiting"),
    }


def topics(page) -> set[str]:
    return {m.topic for m in page.rows}


def test_status_filter_finds_meetings_whose_status_zoom_reported(meetings):
    assert topics(meeting_search(status="started")) == {"Live now"}
    assert topics(meeting_search(status="waiting")) == {"Not yet"}


def test_not_known_finds_the_meetings_no_read_or_webhook_gave_a_status(meetings):
    assert topics(meeting_search(status=STATUS_NOT_KNOWN)) == {"Only listed"}


def test_the_filter_offers_not_known_and_keeps_it_in_the_url(alice_client, meetings):
    response = alice_client.get(MEETINGS, {"status": "unknown"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Only listed" in html and "Live now" not in html
    assert response["HX-Push-Url"] == "/meetings/?status=unknown"
    page = alice_client.get(MEETINGS, {"status": "unknown"}).content.decode()
    assert '<option value="unknown" selected>Not known</option>' in page


def test_filtering_by_a_status_explains_that_unknown_ones_are_left_out(alice_client, meetings):
    html = alice_client.get(MEETINGS, {"status": "started"}).content.decode()
    assert "Zoom's meeting lists, which the full sync reads, carry no status" in html
    assert "choose the status “Not known” to see them" in html
    assert "carry no status" not in alice_client.get(MEETINGS).content.decode()


def test_the_status_column_says_not_known_rather_than_nothing(alice_client, meetings):
    html = alice_client.get(MEETINGS).content.decode()
    assert html.count('<td><span class="muted">Not known</span></td>') == 1
    assert '<span class="badge badge-started">Started</span>' in html
