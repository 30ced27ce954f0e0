"""user_search: what it finds, how it filters, sorts and pages (the selector, without HTTP)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import ZoomUser
from accounts.selectors import USER_SORTS, user_search
from tests.accounts.factories import make_user, make_users
from zoomadmin_site.search.searching import BAD_CURSOR, BAD_SORT, COUNT_CAP

pytestmark = pytest.mark.django_db


def emails(page) -> list[str]:
    return [u.email for u in page.rows]


@pytest.fixture
def jill(db):
    return make_user(
        zoom_id="KDcuGIm1QgePTO8WbOqwIQ",
        email="jchill@example.com",
        first_name="Jill",
        last_name="Chill",
        dept="Developers",
    )


@pytest.fixture
def others(db):
    return [
        make_user(email="bob@example.com", first_name="Bob", last_name="Stone", dept="Sales"),
        make_user(email="ann@example.com", first_name="Ann", last_name="Lee", dept="Finance"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "Jill",
        "jill",
        "JILL",
        "Chill",
        "hil",
        "jill chill",
        "jchill@example",
        "example.com jill",
        "Develop",
        "velopers",
        "KDcuGIm1QgePTO8WbOqwIQ",
        "GIm1Qge",
        "Jill Chill",
        '"jill chill"',
    ],
)
def test_search_finds_user_by_any_field_and_partial_words(jill, others, query):
    assert emails(user_search(query=query)) == ["jchill@example.com"]


@pytest.mark.parametrize("query", ["j", "J", "ji", "ll", "xq"])
def test_one_and_two_character_queries_still_work(jill, others, query):
    page = user_search(query=query)
    if query.lower() == "xq":  # every factory zoom id ends in "Xq", Jill's does not
        assert "jchill@example.com" not in emails(page) and len(page.rows) == 2
    else:
        assert "jchill@example.com" in emails(page)
        assert all(query.lower() in f"{u.name} {u.email} {u.dept} {u.zoom_id}".lower() for u in page.rows)


def test_every_word_must_match_somewhere(jill, others):
    assert emails(user_search(query="jill sales")) == []
    assert emails(user_search(query="bob sales")) == ["bob@example.com"]


def test_short_and_long_terms_combine(jill, others):
    assert emails(user_search(query="ji developers")) == ["jchill@example.com"]
    assert emails(user_search(query="ji sales")) == []


def test_empty_query_lists_everyone_sorted_by_name(jill, others):
    assert [u.name for u in user_search().rows] == ["Ann Lee", "Bob Stone", "Jill Chill"]


def test_filters_by_role_licence_status_and_department(db):
    admin = make_user(role_id="1", email="admin@example.com")
    basic = make_user(type=ZoomUser.Type.BASIC, email="basic@example.com")
    inactive = make_user(status=ZoomUser.Status.INACTIVE, email="inactive@example.com")
    sales = make_user(dept="Sales", email="sales@example.com")
    assert emails(user_search(role_id="1")) == [admin.email]
    assert emails(user_search(user_type=ZoomUser.Type.BASIC)) == [basic.email]
    assert emails(user_search(status="inactive")) == [inactive.email]
    assert emails(user_search(dept="Sales")) == [sales.email]
    assert (
        user_search(role_id="2", status="active", dept="Engineering").count == 1
    )  # basic: the others differ


def test_gone_users_are_hidden_unless_asked_for(db):
    gone = make_user(email="gone@example.com", gone_at=timezone.now())
    make_user(email="here@example.com")
    assert emails(user_search()) == ["here@example.com"]
    assert gone.email in emails(user_search(include_gone=True))
    assert user_search(query="gone@example", include_gone=True).count == 1
    assert user_search(query="gone@example").count == 0


def test_pending_user_without_zoom_id_is_found_by_email(db):
    make_user(
        zoom_id=None, status=ZoomUser.Status.PENDING, email="invited@example.com", first_name="", last_name=""
    )
    page = user_search(query="invited")
    assert emails(page) == ["invited@example.com"]
    assert page.rows[0].url_key == "invited@example.com"


@pytest.mark.parametrize("sort", sorted(USER_SORTS))
def test_every_sort_order_is_total_and_reversible(db, sort):
    make_users(3, dept="B", type=1)
    make_users(3, dept="A", status="inactive", last_login=timezone.now())
    ascending = [u.pk for u in user_search(sort=sort).rows]
    descending = [u.pk for u in user_search(sort=f"-{sort}").rows]
    assert sorted(ascending) == sorted(descending) and len(ascending) == 6
    assert descending == list(reversed(ascending))


def test_sort_by_last_login_puts_never_logged_in_first(db):
    never = make_user(last_login=None)
    recent = make_user(last_login=timezone.now())
    assert [u.pk for u in user_search(sort="last_login").rows] == [never.pk, recent.pk]
    assert [u.pk for u in user_search(sort="-last_login").rows] == [recent.pk, never.pk]


def walk(direction: str, **kwargs) -> list[int]:
    """Every page, following next links (or, from the last page, previous links)."""
    seen, page = [], user_search(page_size=7, **kwargs)
    seen += [u.pk for u in page.rows]
    while page.next_cursor:
        page = user_search(page_size=7, after=page.next_cursor, **kwargs)
        seen += [u.pk for u in page.rows]
    if direction == "forward":
        return seen
    back = [u.pk for u in page.rows]
    while page.prev_cursor:
        page = user_search(page_size=7, before=page.prev_cursor, **kwargs)
        back = [u.pk for u in page.rows] + back
    return back


@pytest.mark.parametrize("sort", ["name", "-name", "dept", "-licence", "status", "last_login", "email"])
@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_keyset_paging_has_no_duplicates_or_gaps_even_with_ties(db, sort, direction):
    make_users(20, first_name="Same", last_name="Name", dept="Tied")  # identical sort values
    make_users(12, dept="Other", type=1)
    expected = [u.pk for u in user_search(sort=sort, page_size=100).rows]
    assert walk(direction, sort=sort) == expected
    assert len(expected) == 32


def test_paging_respects_filters_and_query(db):
    make_users(15, dept="Ops")
    make_users(15, dept="Legal")
    assert len(walk("forward", query="ops")) == 15


def test_count_is_exact_below_the_cap(db):
    make_users(5)
    page = user_search()
    assert (page.count, page.count_capped, page.count_label) == (5, False, "5")


def test_count_beyond_the_cap_says_so(db):
    from zoomadmin_site.search.searching import count_capped

    make_users(5)
    assert count_capped(ZoomUser.objects.all(), cap=3) == (3, True)
    assert count_capped(ZoomUser.objects.all(), cap=5) == (5, False)
    assert f"{COUNT_CAP:,}+" == "1,000+"


@pytest.mark.parametrize("cursor", ["garbage", "", "a" * 900, "W10:1abc:def", "null", "%00"])
def test_bad_cursor_shows_the_first_page(db, cursor):
    make_users(3)
    page = user_search(after=cursor or None)
    assert len(page.rows) == 3
    assert (BAD_CURSOR in page.ignored) == bool(cursor)


def test_cursor_from_another_sort_order_is_not_used(db):
    make_users(5)
    by_name = user_search(page_size=2)
    page = user_search(sort="email", page_size=2, after=by_name.next_cursor)
    assert BAD_CURSOR in page.ignored and page.prev_cursor is None


def test_unknown_sort_key_falls_back_to_name(db):
    make_users(2)
    page = user_search(sort="password")
    assert page.sort == "name" and BAD_SORT in page.ignored
    assert user_search(sort="--name").sort == "name"


@pytest.mark.parametrize("sort", ["name", "last_login", "-last_login"])
@pytest.mark.parametrize("query", ["number", "user numb", "ser", "example.com", "xq number", "Number1"])
def test_common_and_rare_term_plans_find_the_same_rows_in_the_same_order(db, monkeypatch, query, sort):
    """Past COUNT_CAP matches, a sort unrelated to the text walks the sort index instead of collecting."""
    make_users(25)
    make_users(5, last_login=timezone.now())
    expected = [u.pk for u in user_search(query=query, sort=sort, page_size=100).rows]
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 4)
    common = user_search(query=query, sort=sort, page_size=100)
    assert [u.pk for u in common.rows] == expected
    assert common.count_capped == (len(expected) > 4)
    seen, page = [], user_search(query=query, sort=sort, page_size=3)
    seen += [u.pk for u in page.rows]
    while page.next_cursor:
        page = user_search(query=query, sort=sort, page_size=3, after=page.next_cursor)
        seen += [u.pk for u in page.rows]
    assert seen == expected


def test_planner_estimate_of_a_very_common_term_skips_counting_on_postgresql(db, monkeypatch):
    from django.db import connection

    make_users(12)
    expected = [u.pk for u in user_search(query="number", sort="last_login").rows]
    monkeypatch.setattr(
        "zoomadmin_site.search.searching.PG_COMMON_ESTIMATE", 0
    )  # every estimate counts as "very common"
    page = user_search(query="number", sort="last_login")
    assert [u.pk for u in page.rows] == expected
    assert page.count_capped == (connection.vendor == "postgresql")


def test_too_short_query_is_counted_from_its_first_page(db):
    make_users(60, dept="Qa")
    page = user_search(query="qa")  # no trigram index for two letters: not counted beyond the page
    assert page.count is None and page.count_label == "50+" and page.next_cursor
    assert user_search(query="qa", page_size=100).count == 60  # it all fits on one page


@pytest.mark.parametrize(
    ("filters", "keeps"),
    [
        ({}, lambda u: u.gone_at is None),
        ({"include_gone": True}, lambda u: True),
        ({"role_id": "1"}, lambda u: u.gone_at is None and u.role_id == "1"),
        ({"user_type": ZoomUser.Type.BASIC}, lambda u: u.gone_at is None and u.type == ZoomUser.Type.BASIC),
        ({"status": "inactive"}, lambda u: u.gone_at is None and u.status == "inactive"),
        ({"dept": "Sales"}, lambda u: u.gone_at is None and u.dept == "Sales"),
        (
            {"dept": "Sales", "role_id": "1", "include_gone": True},
            lambda u: u.dept == "Sales" and u.role_id == "1",
        ),
    ],
)
@pytest.mark.parametrize(("query", "words"), [("example", ["example"]), ("example 1", ["example", "1"])])
def test_a_text_search_counts_exactly_the_users_each_filter_keeps(db, filters, keeps, query, words):
    """The count comes from the search's own SQL, which words the filters apart from the rows' query."""
    for n, (role, kind, status, dept) in enumerate(
        [("1", 1, "active", "Sales"), ("2", 2, "inactive", "Sales"), ("1", 2, "active", "Legal")] * 3
    ):
        make_user(
            role_id=role, type=kind, status=status, dept=dept, gone_at=timezone.now() if n > 5 else None
        )
    users = list(ZoomUser.objects.all())

    def text(u: ZoomUser) -> str:
        return f"{u.display_name} {u.first_name} {u.last_name} {u.email} {u.dept} {u.zoom_id}".lower()

    expected = {u.email for u in users if keeps(u) and all(w in text(u) for w in words)}
    page = user_search(query=query, page_size=100, **filters)
    assert (page.count, set(emails(page))) == (len(expected), expected)
