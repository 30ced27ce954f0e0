"""Every way a search can run (see zoomadmin_site/search/searching.py) pages the same rows in the same
order: the plans only differ in cost. Each plan is forced here on a small table by moving the thresholds
that choose it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ZoomUser
from accounts.selectors import USER_LIST_FIELDS, USER_SORTS, user_search
from tests.accounts.factories import make_users
from zoomadmin_site.search.counting import counted_first_page
from zoomadmin_site.search.filters import NO_FILTERS, SearchFilters, Where
from zoomadmin_site.search.keyset import fetch_page, keyset_page, page_request, walk_boundary

pytestmark = pytest.mark.django_db

# (threshold, value): the shapes a common-term search can take.
PLANS = {
    "walk checking each row": {"SQLITE_DENSE": 0.0, "SQLITE_WALK_DENSE": 0.0},
    "walk looking ids up in the index's matches": {"SQLITE_DENSE": 2.0, "SQLITE_WALK_DENSE": 2.0},
    # PostgreSQL, order by a searched column: the count query reads no further than the cap...
    "bounded walk that fills the page": {"BOUNDED_WALK_ROWS": 1_000, "PG_COLLECT_LIMIT": 0},
    "bounded walk cut short, then collect": {"BOUNDED_WALK_ROWS": 2, "PG_COLLECT_LIMIT": 0},
    # ...or reads every match past it and sorts them: the page comes with the count.
    "count query collects every match past the cap": {"PG_COLLECT_LIMIT": 1_000},
}


def every_page(direction: str, **kwargs) -> list[int]:
    """The ids of every page, following next links, or (direction "backward") previous links back from
    the last page."""
    page = user_search(page_size=3, **kwargs)
    seen = [u.pk for u in page.rows]
    while page.next_cursor:
        page = user_search(page_size=3, after=page.next_cursor, **kwargs)
        seen += [u.pk for u in page.rows]
    if direction == "forward":
        return seen
    back = [u.pk for u in page.rows]
    while page.prev_cursor:
        page = user_search(page_size=3, before=page.prev_cursor, **kwargs)
        back = [u.pk for u in page.rows] + back
    return back


@pytest.fixture
def users(db):
    make_users(20)
    make_users(6, first_name="Same", last_name="Name", last_login=timezone.now())
    make_users(4, dept="Legal")


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize("sort", ["name", "-name", "last_login", "-email", "status"])
@pytest.mark.parametrize("query", ["number", "user numb", "example.com us"])
@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_common_term_plans_page_what_the_rare_term_plan_pages(
    users, monkeypatch, plan, sort, query, direction
):
    expected = [u.pk for u in user_search(query=query, sort=sort, page_size=100).rows]  # all below the cap
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 4)
    monkeypatch.setattr(
        "zoomadmin_site.search.searching._worth_a_bounded_walk", lambda density, page_size: True
    )
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(f"zoomadmin_site.search.searching.{name}", value)
    assert every_page(direction, query=query, sort=sort) == expected
    assert len(expected) > 4 and user_search(query=query, sort=sort).count_label == "4+"


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="FTS5 yields matches in id order; the heap does not"
)
def test_counting_says_how_dense_the_matches_are(users):
    from accounts.search import USER_SEARCH
    from zoomadmin_site.search.searching import _count, matches_sql

    legal, everyone = (
        matches_sql(ZoomUser.objects.all(), USER_SEARCH, [t], filters=NO_FILTERS)
        for t in ("legal", "example")
    )
    assert _count(everyone).density == pytest.approx(1.0)  # ids are 1..30 in an empty test table
    assert _count(legal).density == pytest.approx(4 / 30)
    assert (_count(legal).count, _count(everyone).count) == (4, 30)


def request_for(sort_key: str, **cursor):
    return page_request(ZoomUser, sorts=USER_SORTS, sort_key=sort_key, **cursor)


def engineers_matching(term: str, dept: str = "Engineering"):
    """The counting queries' SQL for users of `dept` matching `term`, and those users."""
    from accounts.search import USER_SEARCH
    from zoomadmin_site.search.searching import matches_sql

    filters = SearchFilters((Where("dept", "exact", dept),))
    qs = filters.apply(ZoomUser.objects.all())
    return matches_sql(qs, USER_SEARCH, [term], filters=filters), qs.filter(email__icontains=term)


@pytest.mark.parametrize("sort_key", ["name", "-name", "last_login"])
def test_counted_first_page_is_the_count_and_the_first_page(users, sort_key, django_assert_num_queries):
    matches, qs = engineers_matching("example")
    expected = keyset_page(qs.only(*USER_LIST_FIELDS), sorts=USER_SORTS, sort_key=sort_key, page_size=7)
    page = {"fields": USER_LIST_FIELDS, "page_size": 7}
    with django_assert_num_queries(1):  # the row's listed fields come with it
        n, last, rows = counted_first_page(matches, request_for(sort_key), cap=100, **page)
        shown = [(u.display_name, u.email, u.last_login_sort) for u in rows]
    assert n == 26 and last == max(u.pk for u in qs)
    assert [u.pk for u in rows[:7]] == [u.pk for u in expected.rows] and len(rows) == 8
    assert shown[:7] == [(u.display_name, u.email, u.last_login_sort) for u in expected.rows]
    assert counted_first_page(matches, request_for(sort_key), cap=5, **page)[0] == 6  # stops past the cap
    nobody, _ = engineers_matching("example", dept="Nobody")
    assert counted_first_page(nobody, request_for(sort_key), cap=5, **page) == (0, None, [])


@pytest.mark.parametrize("sort_key", ["name", "-name"])
@pytest.mark.parametrize("backwards", [False, True])
def test_bounded_fetch_stops_at_the_boundary(users, sort_key, backwards):
    everyone = ZoomUser.objects.only(*USER_LIST_FIELDS)
    start = keyset_page(everyone, sorts=USER_SORTS, sort_key=sort_key, page_size=10)
    cursor = {"before": start.next_cursor} if backwards else {"after": start.next_cursor}
    request = request_for(sort_key, **cursor)
    boundary = walk_boundary(everyone, request, 5)  # the 5th row along the reading order
    assert fetch_page(everyone, request, page_size=4, boundary=boundary) is not None  # 5 rows: a full page
    assert fetch_page(everyone, request, page_size=5, boundary=boundary) is None  # cannot tell if more
    assert fetch_page(everyone.none(), request, page_size=1, boundary=boundary) is None
    assert walk_boundary(everyone, request, 500) is None  # the order ends sooner: nothing to bound


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_a_long_word_matches_only_where_it_is_written_whole(db, monkeypatch, plan):
    """SQLite collects a long word's matches by its covering trigrams (cha, rlo, tte for "charlotte"),
    which also finds rows holding those trigrams apart or in different fields: each plan leaves them out.
    Sorted by last login, which no searched field decides, so that a common word walks that order."""
    make_users(6, first_name="Charlotte")
    make_users(1, first_name="Chad", last_name="Carlos", dept="Lottery")  # cha, rlo, tte in three fields
    make_users(1, first_name="Chatty", last_name="Orlov", dept="Lottery")  # cha and rlo, apart
    make_users(1, first_name="Charlotte", last_name="ÖZ")  # a match with a non-ASCII letter elsewhere
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 3)
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(f"zoomadmin_site.search.searching.{name}", value)
    found = [u.first_name for u in user_search(query="CHARLOTTE", sort="last_login", page_size=100).rows]
    assert found == ["Charlotte"] * 7
