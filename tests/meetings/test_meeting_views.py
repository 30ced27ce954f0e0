"""The Meetings page over HTTP: htmx fragment, shareable URL, default dates, query counts, access."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.meetings.factories import make_meeting, make_meetings

pytestmark = pytest.mark.django_db
# Counting the matches and fetching the first page take two queries: on SQLite the count, then the rows;
# on PostgreSQL the planner's estimate of how common the text is, then one query that counts the matches
# and, when they are few, returns the page too (see zoomadmin_site/search/searching.py).
COUNT_AND_PAGE = 2

MEETINGS = "/meetings/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_url_names_are_kept():
    assert reverse("meetings:meeting_list") == "/meetings/"
    assert reverse("meetings:meeting_detail", args=[97763643886]) == "/meetings/97763643886/"


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("url", [MEETINGS, "/meetings/?q=standup&from=", "/meetings/97763643886/"])
def test_permission_boundary_of_every_meeting_page(persona_client, status, url):
    make_meeting(meeting_id=97763643886)
    response = persona_client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


def test_full_page_lists_upcoming_meetings_with_links_to_each(alice_client):
    meeting = make_meeting(topic="Roadmap review")
    make_meeting(topic="Last month", start_time=timezone.now() - datetime.timedelta(days=30))
    html = alice_client.get(MEETINGS).content.decode()
    assert "<html" in html and 'id="meeting-search"' in html
    assert f'<a href="/meetings/{meeting.meeting_id}/"><bdi>Roadmap review</bdi></a>' in html
    assert "Last month" not in html
    assert f'name="from" value="{timezone.localdate().isoformat()}"' in html


def test_clearing_the_start_date_searches_every_date(alice_client):
    make_meeting(topic="Last month", start_time=timezone.now() - datetime.timedelta(days=30))
    response = alice_client.get(MEETINGS, {"from": ""}, **HTMX)
    assert "Last month" in response.content.decode() and "at any date" in response.content.decode()
    assert response["HX-Push-Url"] == "/meetings/?from="


def test_htmx_request_gets_only_the_results_and_a_canonical_url(alice_client):
    make_meeting(topic="Roadmap review")
    today = timezone.localdate().isoformat()
    response = alice_client.get(
        MEETINGS,
        {"q": "roadmap", "from": today, "to": "", "type": "", "recurring": "no", "sort": "start"},
        **HTMX,
    )
    html = response.content.decode()
    assert "<html" not in html and "Roadmap review" in html
    assert response["HX-Push-Url"] == "/meetings/?q=roadmap&recurring=no"


def test_page_works_without_javascript(alice_client):
    html = alice_client.get(MEETINGS).content.decode()
    form = re.search(r'<form id="meeting-search"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/meetings/"' in form
    assert 'hx-trigger="input changed delay:250ms, search"' in html


def test_host_filter_from_the_user_page_link(alice_client):
    from tests.accounts.factories import make_user

    jill = make_user(first_name="Jill")
    mine = make_meeting(jill, topic="Jill's meeting")
    make_meeting(topic="Not Jill's")
    html = alice_client.get(MEETINGS, {"host": jill.zoom_id}).content.decode()
    assert mine.topic.replace("'", "&#x27;") in html and "Not Jill" not in html


def test_sortable_columns_and_pager_keep_the_query(alice_client):
    make_meetings(60, topic="Planning")
    html = alice_client.get(MEETINGS, {"q": "planning", "sort": "-topic"}).content.decode()
    assert 'aria-sort="descending"' in html
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert "q=planning" in next_link and "sort=-topic" in next_link and "after=" in next_link


@pytest.mark.parametrize("rows", [1, 500])
def test_meeting_list_query_count_is_constant(alice_client, django_assert_num_queries, rows):
    make_meetings(rows)
    alice_client.get(MEETINGS)
    # operator, operator's permissions and roles (one query), count and page; the session and the last
    # full sync come from the cache (no query here: the tests' cache is local memory)
    with django_assert_num_queries(2 + COUNT_AND_PAGE):
        response = alice_client.get(MEETINGS, {"q": "meeting"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 500])
def test_meeting_list_fragment_query_count_is_constant(alice_client, django_assert_num_queries, rows):
    make_meetings(rows)
    alice_client.get(MEETINGS)
    # operator, permissions and roles, count and page (the session: cached)
    with django_assert_num_queries(2 + COUNT_AND_PAGE):
        alice_client.get(MEETINGS, {"q": "meeting number", "from": "", "sort": "host"}, **HTMX)


@pytest.mark.parametrize("rows", [1, 500])
def test_short_query_fragment_query_count_is_constant(alice_client, django_assert_num_queries, rows):
    make_meetings(rows)
    alice_client.get(MEETINGS)
    # operator, permissions and roles, the page: no count query, since a too-short query is counted
    # from its first page (the session: cached)
    with django_assert_num_queries(3):
        alice_client.get(MEETINGS, {"q": "me", "from": "", "sort": "-id"}, **HTMX)


@pytest.mark.parametrize("rows", [1, 500])
def test_a_query_that_matches_nothing_looks_for_no_page(alice_client, django_assert_num_queries, rows):
    make_meetings(rows)
    alice_client.get(MEETINGS)
    # operator, permissions and roles, the count (0: no page to look for; PostgreSQL's count, after the
    # estimate, carries the page of few matches anyway); the session: cached
    with django_assert_num_queries(2 + (2 if connection.vendor == "postgresql" else 1)):
        response = alice_client.get(MEETINGS, {"q": "zebra crossing", "from": ""}, **HTMX)
    assert "No meetings match “zebra crossing”" in response.content.decode()
