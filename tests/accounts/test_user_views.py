"""The Users page and the user page over HTTP: htmx fragments, shareable URLs, query counts, access."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import make_role, make_user, make_users

pytestmark = pytest.mark.django_db
# Counting the matches and fetching the first page take two queries: on SQLite the count, then the rows;
# on PostgreSQL the planner's estimate of how common the text is, then one query that counts the matches
# and, when they are few, returns the page too (see zoomadmin_site/search/searching.py).
COUNT_AND_PAGE = 2

USERS = "/users/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_user_list_url_names_are_kept():
    assert reverse("accounts:user_list") == "/users/"
    assert reverse("accounts:approval_list") == "/approvals/"
    assert reverse("accounts:user_detail", args=["abc"]) == "/users/abc/"


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("url", [USERS, "/users/?q=jill", "/users/zu-known/", "/approvals/"])
def test_permission_boundary_of_every_user_page(persona_client, status, url):
    make_user(zoom_id="zu-known")
    response = persona_client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


def test_full_page_has_the_search_form_and_results(alice_client):
    make_user(first_name="Jill", last_name="Chill")
    response = alice_client.get(USERS)
    html = response.content.decode()
    assert "<html" in html and 'id="user-search"' in html and 'id="user-results"' in html
    assert "Jill Chill" in html and "1</strong> user" in html
    assert response["Vary"].count("HX-Request") == 1


def test_htmx_request_gets_only_the_results_fragment(alice_client):
    make_user(first_name="Jill", last_name="Chill")
    response = alice_client.get(USERS, {"q": "jill"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="user-search"' not in html
    assert "Jill Chill" in html
    assert response["HX-Push-Url"] == "/users/?q=jill"


def test_back_button_history_restore_gets_the_full_page(alice_client):
    response = alice_client.get(USERS, {"q": "jill"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


def test_pushed_url_is_canonical_without_empty_or_invalid_parameters(alice_client):
    response = alice_client.get(
        USERS,
        {"q": " jill ", "role": "", "type": "9", "status": "active", "dept": "", "sort": "bogus"},
        **HTMX,
    )
    assert response["HX-Push-Url"] == "/users/?q=jill&status=active"


def test_page_works_without_javascript_as_a_get_form(alice_client):
    html = alice_client.get(USERS).content.decode()
    form = re.search(r'<form id="user-search"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/users/"' in form
    assert '<button type="submit"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html


def test_url_reflects_the_query_in_the_form_and_in_links(alice_client):
    make_users(3, dept="Ops")
    html = alice_client.get(USERS, {"q": "ops", "sort": "-email"}).content.decode()
    assert 'name="q" value="ops"' in html
    assert 'name="sort" value="-email"' in html
    sort_links = re.findall(r'href="(/users/\?[^"]*sort=[^"]*)"', html)
    assert sort_links and all("q=ops" in link for link in sort_links)


def test_sort_header_toggles_direction_and_says_so(alice_client):
    make_users(2)
    html = alice_client.get(USERS, {"sort": "email"}).content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="/users/\?sort=-email"', html)
    html = alice_client.get(USERS, {"sort": "-email"}).content.decode()
    assert 'aria-sort="descending"' in html and 'href="/users/?sort=email"' in html


def test_next_and_previous_links_page_through_results(alice_client):
    make_users(120)
    html = alice_client.get(USERS).content.decode()
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    after = parse_qs(urlsplit(next_link).query)["after"][0]
    page2 = alice_client.get(USERS, {"after": after}, **HTMX)
    assert 'rel="prev"' in page2.content.decode()
    assert "after=" in page2["HX-Push-Url"]


def test_result_count_and_gone_filter(alice_client):
    make_users(3)
    make_user(gone_at=timezone.now(), first_name="Gone", last_name="Person")
    assert "3</strong> users" in alice_client.get(USERS).content.decode()
    html = alice_client.get(USERS, {"gone": "1"}).content.decode()
    assert "4</strong> users" in html and "badge-gone" in html


def test_role_names_come_from_the_role_mirror(alice_client):
    make_role("RqBLcd1jLS9a7RBkbGtqn2A", "Help Desk")
    make_user(role_id="RqBLcd1jLS9a7RBkbGtqn2A", first_name="Helen")
    make_user(role_id="1", first_name="Adam")
    html = alice_client.get(USERS).content.decode()
    assert "Help Desk" in html and "<td><bdi>Admin</bdi></td>" in html
    assert '<option value="RqBLcd1jLS9a7RBkbGtqn2A">Help Desk</option>' in html


def test_department_filter_lists_departments_in_use(alice_client):
    make_user(dept="Sales")
    make_user(dept="Finance")
    html = alice_client.get(USERS, {"dept": "Sales"}).content.decode()
    assert '<option value="Sales" selected>Sales</option>' in html
    assert '<option value="Finance">Finance</option>' in html


@pytest.mark.parametrize("rows", [1, 500])
def test_user_list_query_count_is_constant(alice, client, django_assert_num_queries, rows):
    make_users(rows)
    make_role("1", "Admin")
    client.force_login(alice)
    client.get(USERS)  # warm the session and permission caches the same way for both sizes
    # operator, operator's permissions and roles (one query), count and page; the session, Zoom roles,
    # departments and the last full sync come from the cache (local memory in tests), filled before
    with django_assert_num_queries(2 + COUNT_AND_PAGE):
        response = client.get(USERS, {"q": "user"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 500])
def test_user_list_fragment_query_count_is_constant(alice_client, django_assert_num_queries, rows):
    make_users(rows)
    alice_client.get(USERS)
    # operator, operator's permissions and roles, count and page (the session, Zoom roles: cached)
    with django_assert_num_queries(2 + COUNT_AND_PAGE):
        alice_client.get(USERS, {"q": "number", "sort": "-last_login"}, **HTMX)


def test_a_query_that_matches_nothing_looks_for_no_page(alice_client, django_assert_num_queries):
    make_users(20)
    alice_client.get(USERS)
    # operator, permissions and roles, the count (0: no page to look for; PostgreSQL's count, after the
    # estimate, carries the page of few matches anyway); the session: cached
    with django_assert_num_queries(2 + (2 if connection.vendor == "postgresql" else 1)):
        response = alice_client.get(USERS, {"q": "zebra crossing", "sort": "-name"}, **HTMX)
    assert "No users match “zebra crossing”" in response.content.decode()
