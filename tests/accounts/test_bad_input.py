"""Odd, hostile or malformed input never produces an error page, and is always shown escaped."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"

HOSTILE_QUERIES = [
    "'",
    '"',
    '""',
    '"unbalanced',
    'a"b',
    "*",
    "a*",
    "**",
    "-",
    "-jill",
    ":",
    "email:jill",
    "(",
    ")",
    "(jill",
    "NEAR",
    "NEAR(jill chill)",
    "jill NEAR chill",
    "AND",
    "jill AND",
    "OR",
    "NOT",
    "jill OR 1=1",
    "' OR 1=1 --",
    "'; DROP TABLE accounts_zoomuser; --",
    "%",
    "_",
    "\\",
    "%_\\",
    "^jill",
    "{jill}",
    "[]",
    SCRIPT,
    "&lt;b&gt;",
    "\x00",
    "jill\x00chill",
    "\u202ejill",
    "🙂",
    "ü",
    "Ölaf",
    "a" * 10_000,
    "jill " * 100,
    "\t\n",
    "   ",
]


@pytest.fixture
def users(db):
    make_user(first_name="Jill", last_name="Chill", email="jchill@example.com")
    make_user(first_name=SCRIPT, last_name='"quoted" & <b>bold</b>', dept="<i>R&D</i>")


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize("htmx", [False, True])
def test_hostile_search_text_is_harmless(alice_client, users, query, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = alice_client.get("/users/", {"q": query}, **headers)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"type": "abc"},
        {"type": "99999999999999999999999"},
        {"type": "-1"},
        {"role": SCRIPT},
        {"status": "deleted"},
        {"dept": "x" * 5000},
        {"dept": "\x00"},
        {"gone": "maybe"},
        {"sort": "bogus"},
        {"sort": "-"},
        {"sort": "--name"},
        {"sort": SCRIPT},
        {"after": "not-a-cursor"},
        {"before": "x" * 5000},
        {"after": "\x00"},
        {"q": ["zzz", "jill"]},
        {"page": "-1"},
        {"unknown": "param"},
    ],
)
def test_bad_filter_values_are_ignored_and_named(alice_client, users, params):
    response = alice_client.get("/users/", params)
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "Jill Chill" in html  # the rest of the search still runs


def test_an_ignored_value_is_named_on_the_page(alice_client, users):
    html = alice_client.get("/users/", {"status": "deleted", "sort": "bogus"}).content.decode()
    assert "Ignored: Status: Select a valid choice." in html
    assert "Ignored: Unknown sort order ignored." in html


def test_html_in_zoom_data_is_escaped_in_the_list_and_on_the_user_page(alice_client, users):
    from accounts.models import ZoomUser

    html = alice_client.get("/users/").content.decode()
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>R&D</i>" not in html and "&lt;i&gt;R&amp;D&lt;/i&gt;" in html
    user = ZoomUser.objects.get(dept="<i>R&D</i>")
    html = alice_client.get(user.get_absolute_url()).content.decode()
    assert SCRIPT not in html and "<b>bold</b>" not in html


def test_searching_for_markup_finds_it_and_echoes_it_escaped(alice_client, users):
    html = alice_client.get("/users/", {"q": "<script>"}).content.decode()
    assert "1</strong> user" in html and SCRIPT not in html
    assert "matching “&lt;script&gt;”" in html
