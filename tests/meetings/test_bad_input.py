"""Meeting search never errors on odd input, and shows hostile data escaped."""

from __future__ import annotations

import pytest

from tests.accounts.test_bad_input import HOSTILE_QUERIES, SCRIPT
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(db):
    make_meeting(topic="Roadmap review", meeting_id=97763643886)
    make_meeting(topic=SCRIPT, host_name='<img src=x onerror="alert(1)">', host_email="x@example.com")


@pytest.mark.parametrize("query", [*HOSTILE_QUERIES, "97763643886", "9" * 30, "-97763643886", "0x1F"])
@pytest.mark.parametrize("htmx", [False, True])
def test_hostile_search_text_is_harmless(alice_client, meetings, query, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = alice_client.get("/meetings/", {"q": query}, **headers)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-45"},
        {"from": "yesterday"},
        {"from": "0000-01-01"},
        {"from": "9999-12-31"},
        {"to": "not-a-date"},
        {"to": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "\x00"},
        {"type": "abc"},
        {"type": "4294967296"},
        {"status": "ended"},
        {"recurring": "maybe"},
        {"pmi": "2"},
        {"host": SCRIPT},
        {"host": "x" * 5000},
        {"host": "a@b\x00"},
        {"sort": "start_time"},
        {"sort": "-" * 40},
        {"after": "bogus"},
        {"before": "bogus"},
        {"gone": "\x00"},
    ],
)
def test_bad_filter_values_are_ignored_never_a_500(alice_client, meetings, params):
    response = alice_client.get("/meetings/", params)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_malformed_start_date_falls_back_to_upcoming_and_says_so(alice_client, meetings):
    html = alice_client.get("/meetings/", {"from": "2026-13-45"}).content.decode()
    assert "Ignored: From: Enter a valid date." in html and "Roadmap review" in html


def test_html_in_topics_and_host_names_is_escaped(alice_client, meetings):
    html = alice_client.get("/meetings/").content.decode()
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    from meetings.models import ZoomMeeting

    meeting = ZoomMeeting.objects.get(topic=SCRIPT)
    html = alice_client.get(meeting.get_absolute_url()).content.decode()
    assert SCRIPT not in html and "<img src=x" not in html
