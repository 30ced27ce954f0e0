"""No value coming from Zoom breaks a page: whatever ids, emails, names and labels the mirror holds, the
search pages, their htmx fragments, the detail pages and a row's refresh answer 200 (or a clean 404 for
a key no page can be found by), and show every value escaped."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import ZoomUser
from accounts.zoom_keys import zoom_meeting_id_ok, zoom_user_key_ok
from meetings.models import ZoomMeeting
from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = "<script>alert(1)</script>"
HOSTILE = {
    "slash": "sales/emea",
    "slashes": "/a//b/",
    "dots": "..",
    "dot": ".",
    "query": "a?b#c%d",
    "escapes": "%2F%252F%00%",
    "quotes": 'o\'neil "the" `best`',
    "markup": SCRIPT,
    "entity": "&lt;b&gt; &amp; &#x27;",
    "nul": "nul\x00byte",
    "controls": "\x01\x08\x0b\x1b[31m\x7f",
    "newlines": "line\r\nbreak\u2028sep",
    "long": "x" * 190,
    "bidi": "\u202eevil\u202c \u2067rtl\u2069 \u200f",
    "hebrew": "שלום עולם",
    "emoji": "🙂👩‍👩‍👧 🏳️‍🌈",
    "combining": "e\u0301\u0301\u0301",
    "empty": "",
    "spaces": "   ",
    "whitespace": "\t\n ",
}


def fits(value: str, model: type, field: str) -> str:
    return value[: model._meta.get_field(field).max_length]


@pytest.fixture
def hostile(request) -> str:
    value = HOSTILE[request.param]
    if "\x00" in value and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold NUL: such a value never reaches the mirror there")
    return value


def hostile_user(value: str, *, pending: bool) -> ZoomUser:
    """Every text field Zoom fills holds `value`: the id (or, pending, the email) too."""
    text = {f: fits(value, ZoomUser, f) for f in ("first_name", "last_name", "display_name", "dept")}
    return make_user(
        zoom_id=None if pending or not value else fits(value, ZoomUser, "zoom_id"),
        email=fits(value, ZoomUser, "email") if pending else f"{len(value)}.{value[:40]}@example.com",
        status=fits(value, ZoomUser, "status") if not pending else ZoomUser.Status.PENDING,
        role_id=fits(value, ZoomUser, "role_id"),
        timezone=fits(value, ZoomUser, "timezone"),
        last_login=timezone.now(),
        **text,
    )


def hostile_meeting(value: str, meeting_id: int) -> ZoomMeeting:
    text = ("topic", "host_zoom_id", "host_email", "host_name", "timezone", "status", "uuid")
    return make_meeting(
        meeting_id=meeting_id,
        agenda=value,
        alternative_hosts=f"{value};{value}@example.com",
        join_url=f"https://example.zoom.us/j/{value}?pwd={value}",
        assistant_id=fits(value, ZoomMeeting, "assistant_id"),
        **{field: fits(value, ZoomMeeting, field) for field in text},
    )


def assert_harmless(response, *statuses: int) -> str:
    assert response.status_code in (statuses or (200,)), response.status_code
    html = response.content.decode()
    assert SCRIPT not in html and "<script>alert" not in html
    return html


@pytest.mark.parametrize("hostile", list(HOSTILE), indirect=True)
@pytest.mark.parametrize("pending", [False, True], ids=["with-id", "pending"])
def test_a_user_with_hostile_values_is_listed_shown_and_refreshed(request, alice_client, hostile, pending):
    user = hostile_user(hostile, pending=pending)
    make_user(first_name="Zed", last_name="Plain")  # a well-formed neighbour row still renders
    for params in ({"gone": "1"}, {"q": "zed"}, {"dept": user.dept}, {"sort": "-dept"}):
        assert_harmless(alice_client.get("/users/", params))
        assert_harmless(alice_client.get("/users/", params, **HTMX))
    html = assert_harmless(alice_client.get("/users/", {"gone": "1", "sort": "email"}))
    links = re.findall(r'<a href="(/users/[^"?]+)"', html)
    assert len(links) == 2 or (not user.url_key and len(links) == 1)  # no link for a user without a key
    for link in links:  # every link on the page leads to a page, found again from its key
        assert_harmless(alice_client.get(unescape(link)), 200, 404)
    if user.url_key and "\x00" not in user.url_key:
        page = assert_harmless(alice_client.get(reverse("accounts:user_detail", args=[user.url_key])))
        assert "There is no Zoom user" not in page
        if zoom_user_key_ok(user.url_key):  # a Zoom call: the refresh views refuse the others first
            request.getfixturevalue("zoom_sandbox")
        refresh = reverse("mirror:user_refresh", args=[user.url_key])
        assert_harmless(alice_client.post(refresh, {"row": "1"}, **HTMX), 200, 404)
        assert_harmless(alice_client.post(refresh), 302, 404)


@pytest.mark.parametrize("hostile", list(HOSTILE), indirect=True)
@pytest.mark.parametrize("meeting_id", [85010000001, 1, 2**63 - 1, 0, -(2**63)])
def test_a_meeting_with_hostile_values_is_listed_shown_and_refreshed(
    request, alice_client, hostile, meeting_id
):
    meeting = hostile_meeting(hostile, meeting_id)
    host = make_user(zoom_id="KDcuGIm1QgePTO8WbOqwIQ", first_name=hostile, display_name=hostile)
    make_meeting(host, assistant_id=host.zoom_id)
    for params in ({}, {"q": hostile}, {"host": hostile}, {"sort": "-topic"}, {"status": "unknown"}):
        assert_harmless(alice_client.get("/meetings/", params))
        assert_harmless(alice_client.get("/meetings/", params, **HTMX))
    assert_harmless(
        alice_client.get(f"/meetings/{meeting.meeting_id}/"), *((200,) if meeting_id >= 0 else (404,))
    )
    assert_harmless(alice_client.get(host.get_absolute_url()))
    if meeting_id > 0:
        if zoom_meeting_id_ok(meeting_id):
            request.getfixturevalue("zoom_sandbox")
        refresh = reverse("mirror:meeting_refresh", args=[meeting_id])
        assert_harmless(alice_client.post(refresh, {"row": "1"}, **HTMX), 200, 404)


def test_a_user_without_id_or_email_is_listed_without_a_link(alice_client):
    make_user(zoom_id=None, email="", first_name="Nobody", last_name="Known")
    html = assert_harmless(alice_client.get("/users/"))
    assert "Nobody Known" in html and 'href="/users//"' not in html


def test_hostile_values_in_the_upcoming_meetings_of_a_user_page(alice_client):
    host = make_user(zoom_id="KDcuGIm1QgePTO8WbOqwIQ")
    make_meeting(host, topic=SCRIPT, start_time=timezone.now() + datetime.timedelta(days=1))
    html = assert_harmless(alice_client.get(host.get_absolute_url()))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
