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


def _plan(rows) -> str:
    """The database's plan for `rows` (QuerySet.explain(); on PostgreSQL with sequential scans priced out,
    as on a table big enough for the index to matter)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return rows.explain()


@pytest.mark.parametrize(("status", "uses_index"), [("started", True), (STATUS_NOT_KNOWN, False)])
def test_a_known_status_is_found_through_the_status_index_and_not_known_never_is(
    meetings, monkeypatch, status, uses_index
):
    """Few meetings have a known status: without the index, finding the started ones walks every meeting.
    SQLite keeps no statistics, so the index is partial and "not known" (almost every row) cannot use it."""
    from meetings import selectors

    searched = []
    real = selectors.search_page

    def search_page(qs, *args, **kwargs):
        searched.append(qs)
        return real(qs, *args, **kwargs)

    monkeypatch.setattr(selectors, "search_page", search_page)
    meeting_search(status=status)
    (rows,) = searched
    plan = _plan(rows.order_by("start_sort", "id")[:51])
    assert ("zoommeeting_status_start" in plan) is uses_index
