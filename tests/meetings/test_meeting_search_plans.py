"""Meeting search pages the same rows in the same order whichever plan runs it (see
zoomadmin_site/search/searching.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meetings.selectors import meeting_search
from tests.accounts.test_search_plans import PLANS
from tests.meetings.factories import make_meetings
from zoomadmin_site.search import searching

pytestmark = pytest.mark.django_db


def every_page(**kwargs) -> list[int]:
    page = meeting_search(page_size=4, **kwargs)
    seen = [m.pk for m in page.rows]
    while page.next_cursor:
        page = meeting_search(page_size=4, after=page.next_cursor, **kwargs)
        seen += [m.pk for m in page.rows]
    return seen


@pytest.fixture
def meetings(db):
    make_meetings(15)
    make_meetings(5, type=3, start_time=None)
    make_meetings(6, topic="Same topic", start_time=timezone.now() + datetime.timedelta(days=3))
    make_meetings(4, start_time=timezone.now() - datetime.timedelta(days=3))  # before today
    make_meetings(3, gone_at=timezone.now())


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize("sort", ["start", "-start", "topic", "-host", "id"])
@pytest.mark.parametrize("query", ["meeting", "host 1", "81000", "example.com"])
# Upcoming or not, the walk along the start time reads the walk index alone on SQLite; a filter on a
# column it does not hold (is_pmi), or gone meetings, make it read each row from the table.
@pytest.mark.parametrize("filters", ["any date", "upcoming", "upcoming, no PMI", "gone too"])
def test_common_term_plans_page_what_the_rare_term_plan_pages(
    meetings, monkeypatch, plan, sort, query, filters
):
    kwargs = {
        "any date": {},
        "upcoming": {"start_from": timezone.localdate()},
        "upcoming, no PMI": {"start_from": timezone.localdate(), "pmi": False},
        "gone too": {"include_gone": True},
    }[filters]
    expected = [m.pk for m in meeting_search(query=query, sort=sort, page_size=100, **kwargs).rows]
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 3)
    monkeypatch.setattr(
        "zoomadmin_site.search.searching._worth_a_bounded_walk", lambda density, page_size: True
    )
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(f"zoomadmin_site.search.searching.{name}", value)
    assert every_page(query=query, sort=sort, **kwargs) == expected
    assert len(expected) > 3


def test_checking_rows_one_by_one_skips_the_number_column_for_words():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.models import ZoomMeeting
    from meetings.search import MEETING_SEARCH
    from zoomadmin_site.search.searching import _contains_all

    def where(*terms: str) -> str:
        with CaptureQueriesContext(connection) as queries:
            list(ZoomMeeting.objects.filter(_contains_all(MEETING_SEARCH, terms, ZoomMeeting)).values("id"))
        return queries[0]["sql"].split(" WHERE ")[1]

    assert '"meeting_id"' not in where("standup") and '"topic"' in where("standup")
    assert '"meeting_id"' in where("8100") and '"meeting_id"' in where("-12")


def every_page_backwards(**kwargs) -> list[int]:
    """Forward to the last page, then back along the previous links to the first."""
    page = meeting_search(page_size=4, **kwargs)
    while page.next_cursor:
        page = meeting_search(page_size=4, after=page.next_cursor, **kwargs)
    seen = [m.pk for m in page.rows]
    while page.prev_cursor:
        page = meeting_search(page_size=4, before=page.prev_cursor, **kwargs)
        seen = [m.pk for m in page.rows] + seen
    return seen


@pytest.mark.parametrize("sort", ["start", "-start"])
@pytest.mark.parametrize("query", ["meeting", "host 1", "me"])
def test_a_walk_that_finds_the_page_ids_first_pages_back_as_it_pages_forward(
    meetings, monkeypatch, sort, query
):
    """Upcoming meetings by start time: the walk index covers the walk, so the page's ids are found first
    (in the search's own SQL, from the cursor's position in either direction)."""
    upcoming = {"start_from": timezone.localdate()}
    expected = [m.pk for m in meeting_search(query=query, sort=sort, page_size=100, **upcoming).rows]
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 3)
    monkeypatch.setattr("zoomadmin_site.search.searching.PG_COMMON_ESTIMATE", 0)
    for name, value in PLANS["walk checking each row"].items():
        monkeypatch.setattr(f"zoomadmin_site.search.searching.{name}", value)
    fetched = []
    real = searching.matches_sql

    def spy(*args, **kwargs):
        fetched.append(kwargs.get("walk", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(searching, "matches_sql", spy)
    assert every_page(query=query, sort=sort, **upcoming) == expected
    assert every_page_backwards(query=query, sort=sort, **upcoming) == expected
    assert len(expected) > 4 and True in fetched
