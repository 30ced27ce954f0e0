"""Any key Zoom gives a user addresses their pages, and only keys shaped like Zoom's are worth a Zoom call."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from accounts.zoom_keys import zoom_meeting_id_ok, zoom_user_key_ok

HOSTILE_KEYS = [
    "KDcuGIm1QgePTO8WbOqwIQ",
    "sales/emea@example.com",
    "a/b/c",
    "/leading@example.com",
    "trailing/",
    "..",
    ".",
    "...",
    "../../admin",
    "a%2Fb@example.com",
    "100%",
    "%",
    "%25",
    "a?b#c%d@example.com",
    "o'neil+zoom&co@example.com",
    '"quoted"@example.com',
    "<script>alert(1)</script>@example.com",
    "tab\there@example.com",
    "\u202eevil@example.com",
    "ünï@example.com",
    "🙂@example.com",
    " ",
    "   padded   ",
    "x" * 254,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
@pytest.mark.parametrize("viewname", ["accounts:user_detail", "mirror:user_refresh"])
def test_every_non_empty_key_makes_a_url_that_resolves_back_to_it(viewname, key):
    url = reverse(viewname, args=[key])
    assert url.startswith("/users/") and url.count("/") == (4 if viewname == "mirror:user_refresh" else 3)
    match = resolve(unquote(url))  # servers hand Django the path percent-decoded once
    assert match.view_name == viewname and match.kwargs == {"user_key": key}


def test_an_email_with_a_slash_is_escaped_twice_so_the_servers_decoding_leaves_one_level():
    assert (
        reverse("accounts:user_detail", args=["sales/emea@example.com"])
        == "/users/sales%252Femea@example.com/"
    )
    assert reverse("accounts:user_detail", args=[".."]) == "/users/%252E%252E/"
    assert (
        reverse("accounts:user_detail", args=["KDcuGIm1QgePTO8WbOqwIQ"]) == "/users/KDcuGIm1QgePTO8WbOqwIQ/"
    )


def test_a_typed_url_with_a_plain_email_still_finds_the_user_page():
    assert resolve("/users/jill@example.com/").kwargs == {"user_key": "jill@example.com"}


@pytest.mark.parametrize(
    "key",
    [
        "KDcuGIm1QgePTO8WbOqwIQ",
        "z8yAAAAA8bbbQ",
        "a",
        "x" * 64,
        "jchill@example.com",
        "sales/emea@example.com",
        "o'neil+zoom&co@example.com",
        "a?b#c%d@example.com",
    ],
)
def test_zoom_user_ids_and_emails_are_worth_a_zoom_call(key):
    assert zoom_user_key_ok(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "me",
        "ME",
        "x" * 65,
        "a b",
        "a/b",
        "..",
        "KDcuGIm1QgePTO8WbOqwIQ?x",
        "nobody@",
        "@example.com",
        "a@b@example.com",
        "\u202eevil@example.com",
        "a\x00@example.com",
        "x" * 250 + "@example.com",
        "<script>@example.com",
    ],
)
def test_anything_else_is_not(key):
    assert not zoom_user_key_ok(key)


@pytest.mark.parametrize(
    ("meeting_id", "ok"),
    [
        (85010000001, True),
        (123456789, True),
        (999999999999, True),
        (12345678, False),
        (1000000000000, False),
        (0, False),
        (-85010000001, False),
        (2**63 - 1, False),
    ],
)
def test_meeting_ids_have_zooms_nine_to_eleven_digits_with_a_digit_to_spare(meeting_id, ok):
    assert zoom_meeting_id_ok(meeting_id) is ok
