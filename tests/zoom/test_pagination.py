"""Walking whole listings: follow next_page_token to the end with the same filters; when Zoom's page
token expires mid-walk, start again from the first page and skip what was already yielded."""

from __future__ import annotations

import httpx
import pytest

from zoomadmin_site.zoom import ZoomBadResponse, ZoomRequestError

from .conftest import zoom_error

EXPIRED = zoom_error(400, 300, "The next page token is invalid or expired.")


def _users(*ids, token=""):
    return httpx.Response(
        200,
        json={
            "next_page_token": token,
            "total_records": 3,
            "users": [{"id": i, "email": f"{i}@x.com"} for i in ids],
        },
    )


def test_iter_users_follows_page_tokens_to_the_end_with_the_same_filters(zoom_api, client):
    route = zoom_api.get("https://api.zoom.us/v2/users").mock(
        side_effect=[_users("u1", "u2", token="n2"), _users("u3", token="n3"), _users()]
    )

    ids = [u.id for u in client.iter_users(status="inactive", role_id="2")]

    assert ids == ["u1", "u2", "u3"]
    queries = [dict(call.request.url.params) for call in route.calls]
    assert queries == [
        {"status": "inactive", "role_id": "2", "page_size": "300"},
        {"status": "inactive", "role_id": "2", "page_size": "300", "next_page_token": "n2"},
        {"status": "inactive", "role_id": "2", "page_size": "300", "next_page_token": "n3"},
    ]


def test_an_expired_page_token_restarts_the_walk_without_yielding_duplicates(zoom_api, client):
    route = zoom_api.get("https://api.zoom.us/v2/users").mock(
        side_effect=[
            _users("u1", "u2", token="n2"),
            EXPIRED,
            _users("u0", "u1", token="m2"),
            _users("u2", "u3"),
        ]
    )

    ids = [u.id for u in client.iter_users()]

    assert ids == ["u1", "u2", "u0", "u3"]
    assert "next_page_token" not in dict(route.calls[2].request.url.params)


def test_restarts_are_bounded(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users").mock(side_effect=[_users("u1", token="n2"), EXPIRED] * 5)

    with pytest.raises(ZoomRequestError) as caught:
        list(client.iter_users())

    assert caught.value.reason == "page_token_expired"


def test_pending_users_without_ids_are_deduplicated_by_email(zoom_api, client):
    pending = {"email": "p@x.com", "status": "pending"}
    zoom_api.get("https://api.zoom.us/v2/users").mock(
        side_effect=[
            httpx.Response(200, json={"next_page_token": "n2", "users": [pending]}),
            EXPIRED,
            httpx.Response(200, json={"next_page_token": "", "users": [pending, {"email": "q@x.com"}]}),
        ]
    )

    assert [u.email for u in client.iter_users(status="pending")] == ["p@x.com", "q@x.com"]


def test_iter_pages_yields_whole_pages_for_progress_and_batching(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/h/meetings").mock(
        side_effect=[
            httpx.Response(
                200, json={"next_page_token": "n2", "total_records": 3, "meetings": [{"id": 1}, {"id": 2}]}
            ),
            httpx.Response(200, json={"next_page_token": "", "total_records": 3, "meetings": [{"id": "3"}]}),
        ]
    )

    pages = list(client.iter_pages(client.list_meetings, user_id="h", type="upcoming"))

    assert [[m.id for m in p.items] for p in pages] == [[1, 2], [3]]
    assert pages[0].total_records == 3


def test_iter_meetings_and_iter_role_members(zoom_api, client):
    meetings = zoom_api.get("https://api.zoom.us/v2/users/h/meetings").respond(
        200, json={"next_page_token": "", "meetings": [{"id": 7}]}
    )
    zoom_api.get("https://api.zoom.us/v2/roles/1/members").respond(
        200, json={"next_page_token": "", "members": [{"id": "m1", "email": "m@x.com"}]}
    )

    assert [m.id for m in client.iter_meetings(user_id="h", type="scheduled")] == [7]
    assert [m.id for m in client.iter_role_members(role_id="1")] == ["m1"]
    assert dict(meetings.calls.last.request.url.params) == {"type": "scheduled", "page_size": "300"}


def test_a_page_token_zoom_repeats_forever_is_caught(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users").mock(return_value=_users("u1", token="same"))

    with pytest.raises(ZoomBadResponse):
        list(client.iter_users())
