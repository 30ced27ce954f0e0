"""Every ZoomClient method sends exactly the request Zoom documents: method, encoded path, query, JSON
body and headers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from .conftest import OAUTH_URL, sent_json

NO_CONTENT = httpx.Response(204)
ADDED = httpx.Response(201, json={"ids": "u1,u2", "add_at": "2026-11-23T10:00:00Z"})
MEETING = {"id": 97763643886, "uuid": "aDYlohsHRtCd4ii1uC2+hA==", "topic": "Standup", "type": 2}

# (call, method, raw path, query, json body, answer)
CASES = [
    pytest.param(
        lambda c: c.list_users(
            status="inactive", role_id="1", page_size=300, next_page_token="nxt", include_fields="host_key"
        ),
        "GET",
        "/v2/users",
        {
            "status": "inactive",
            "role_id": "1",
            "page_size": "300",
            "next_page_token": "nxt",
            "include_fields": "host_key",
        },
        None,
        httpx.Response(200, json={"users": []}),
        id="list_users-every-filter",
    ),
    pytest.param(
        lambda c: c.list_users(license="zoom_workforce_management"),
        "GET",
        "/v2/users",
        {"license": "zoom_workforce_management"},
        None,
        httpx.Response(200, json={"users": []}),
        id="list_users-license",
    ),
    pytest.param(
        lambda c: c.list_users(),
        "GET",
        "/v2/users",
        {},
        None,
        httpx.Response(200, json={"users": []}),
        id="list_users-no-filter-sends-no-query",
    ),
    pytest.param(
        lambda c: c.get_user(user_id="Jill+Chill@example.com"),
        "GET",
        "/v2/users/Jill%2BChill%40example.com",
        {},
        None,
        httpx.Response(200, json={"id": "u1", "email": "jill@example.com"}),
        id="get_user-by-email",
    ),
    pytest.param(
        lambda c: c.get_user(user_id="me"),
        "GET",
        "/v2/users/me",
        {},
        None,
        httpx.Response(200, json={"id": "u1", "email": "a@example.com"}),
        id="get_user-me",
    ),
    pytest.param(
        lambda c: c.get_user(user_id="a/b"),
        "GET",
        "/v2/users/a%2Fb",
        {},
        None,
        httpx.Response(200, json={"id": "a/b", "email": "x@example.com"}),
        id="slash-cannot-split-path",
    ),
    pytest.param(
        lambda c: c.update_user(user_id="u1", first_name="Jill", dept="Ops", extra={"pronouns": "she"}),
        "PATCH",
        "/v2/users/u1",
        {},
        {"pronouns": "she", "first_name": "Jill", "dept": "Ops"},
        NO_CONTENT,
        id="update_user",
    ),
    pytest.param(
        lambda c: c.update_user_status(user_id="u1", action="deactivate"),
        "PUT",
        "/v2/users/u1/status",
        {},
        {"action": "deactivate"},
        NO_CONTENT,
        id="update_user_status-deactivate",
    ),
    pytest.param(
        lambda c: c.update_user_status(user_id="u1", action="activate"),
        "PUT",
        "/v2/users/u1/status",
        {},
        {"action": "activate"},
        NO_CONTENT,
        id="update_user_status-activate",
    ),
    pytest.param(
        lambda c: c.list_assistants(user_id="host@example.com"),
        "GET",
        "/v2/users/host%40example.com/assistants",
        {},
        None,
        httpx.Response(200, json={"assistants": []}),
        id="list_assistants",
    ),
    pytest.param(
        lambda c: c.add_assistants(user_id="host", assistant_ids=["u1"], assistant_emails=["b@x.com"]),
        "POST",
        "/v2/users/host/assistants",
        {},
        {"assistants": [{"id": "u1"}, {"email": "b@x.com"}]},
        ADDED,
        id="add_assistants",
    ),
    pytest.param(
        lambda c: c.delete_assistant(user_id="host", assistant_id="u1"),
        "DELETE",
        "/v2/users/host/assistants/u1",
        {},
        None,
        NO_CONTENT,
        id="delete_assistant",
    ),
    pytest.param(
        lambda c: c.delete_all_assistants(user_id="host"),
        "DELETE",
        "/v2/users/host/assistants",
        {},
        None,
        NO_CONTENT,
        id="delete_all_assistants",
    ),
    pytest.param(
        lambda c: c.list_schedulers(user_id="api"),
        "GET",
        "/v2/users/api/schedulers",
        {},
        None,
        httpx.Response(200, json={"schedulers": []}),
        id="list_schedulers",
    ),
    pytest.param(
        lambda c: c.delete_scheduler(user_id="api", scheduler_id="h1"),
        "DELETE",
        "/v2/users/api/schedulers/h1",
        {},
        None,
        NO_CONTENT,
        id="delete_scheduler",
    ),
    pytest.param(
        lambda c: c.delete_all_schedulers(user_id="api"),
        "DELETE",
        "/v2/users/api/schedulers",
        {},
        None,
        NO_CONTENT,
        id="delete_all_schedulers",
    ),
    pytest.param(
        lambda c: c.list_roles(),
        "GET",
        "/v2/roles",
        {},
        None,
        httpx.Response(200, json={"roles": []}),
        id="list_roles",
    ),
    pytest.param(
        lambda c: c.list_roles(role_type="iq"),
        "GET",
        "/v2/roles",
        {"type": "iq"},
        None,
        httpx.Response(200, json={"roles": []}),
        id="list_roles-type",
    ),
    pytest.param(
        lambda c: c.get_role(role_id="RqBLcd1jLS9a7RBkbGtqn2A"),
        "GET",
        "/v2/roles/RqBLcd1jLS9a7RBkbGtqn2A",
        {},
        None,
        httpx.Response(200, json={"id": "RqBLcd1jLS9a7RBkbGtqn2A", "name": "Help Desk"}),
        id="get_role",
    ),
    pytest.param(
        lambda c: c.list_role_members(role_id="1", page_size=300, next_page_token="n2"),
        "GET",
        "/v2/roles/1/members",
        {"page_size": "300", "next_page_token": "n2"},
        None,
        httpx.Response(200, json={"members": []}),
        id="list_role_members",
    ),
    pytest.param(
        lambda c: c.assign_role(role_id="1", user_ids=["u1"], emails=["b@x.com"]),
        "POST",
        "/v2/roles/1/members",
        {},
        {"members": [{"id": "u1"}, {"email": "b@x.com"}]},
        ADDED,
        id="assign_role",
    ),
    pytest.param(
        lambda c: c.unassign_role(role_id="1", member_id="u1"),
        "DELETE",
        "/v2/roles/1/members/u1",
        {},
        None,
        NO_CONTENT,
        id="unassign_role",
    ),
    pytest.param(
        lambda c: c.list_meetings(user_id="host", type="upcoming", page_size=300),
        "GET",
        "/v2/users/host/meetings",
        {"type": "upcoming", "page_size": "300"},
        None,
        httpx.Response(200, json={"meetings": []}),
        id="list_meetings-type-filter",
    ),
    pytest.param(
        lambda c: c.list_meetings(
            user_id="host", from_date="2026-12-01", to_date="2026-12-31", timezone="Europe/Berlin"
        ),
        "GET",
        "/v2/users/host/meetings",
        {"from": "2026-12-01", "to": "2026-12-31", "timezone": "Europe/Berlin"},
        None,
        httpx.Response(200, json={"meetings": []}),
        id="list_meetings-from-to-timezone",
    ),
    pytest.param(
        lambda c: c.get_meeting(meeting_id="977 6364 3886"),
        "GET",
        "/v2/meetings/97763643886",
        {},
        None,
        httpx.Response(200, json=MEETING),
        id="get_meeting-id-as-pasted-string",
    ),
    pytest.param(
        lambda c: c.get_meeting(
            meeting_id=97763643886, occurrence_id="1648194360000", show_previous_occurrences=True
        ),
        "GET",
        "/v2/meetings/97763643886",
        {"occurrence_id": "1648194360000", "show_previous_occurrences": "true"},
        None,
        httpx.Response(200, json=MEETING),
        id="get_meeting-occurrence-and-previous-occurrences",
    ),
    pytest.param(
        lambda c: c.create_meeting(
            topic="Standup",
            start_time=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
            duration=30,
            timezone="Europe/Berlin",
            schedule_for="host@example.com",
            settings={"waiting_room": True},
        ),
        "POST",
        "/v2/users/me/meetings",
        {},
        {
            "topic": "Standup",
            "type": 2,
            "start_time": "2026-12-01T09:30:00Z",
            "duration": 30,
            "timezone": "Europe/Berlin",
            "schedule_for": "host@example.com",
            "settings": {"waiting_room": True},
        },
        httpx.Response(201, json=MEETING),
        id="create_meeting-schedule_for",
    ),
    pytest.param(
        lambda c: c.create_meeting(
            user_id="host@example.com",
            topic="Weekly",
            type=8,
            start_time=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
            agenda="Plans for the week",
            recurrence={"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 6},
        ),
        "POST",
        "/v2/users/host%40example.com/meetings",
        {},
        {
            "topic": "Weekly",
            "type": 8,
            "start_time": "2026-12-01T09:30:00Z",
            "agenda": "Plans for the week",
            "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 6},
        },
        httpx.Response(201, json={**MEETING, "type": 8}),
        id="create_meeting-recurring-with-agenda-for-another-user",
    ),
    pytest.param(
        lambda c: c.update_meeting(meeting_id=97763643886, schedule_for="new@example.com"),
        "PATCH",
        "/v2/meetings/97763643886",
        {},
        {"schedule_for": "new@example.com"},
        NO_CONTENT,
        id="update_meeting-schedule_for",
    ),
    pytest.param(
        lambda c: c.update_meeting(meeting_id="97763643886", occurrence_id="1648194360000", duration=45),
        "PATCH",
        "/v2/meetings/97763643886",
        {"occurrence_id": "1648194360000"},
        {"duration": 45},
        NO_CONTENT,
        id="update_meeting-occurrence",
    ),
    pytest.param(
        lambda c: c.delete_meeting(meeting_id=97763643886, schedule_for_reminder=False),
        "DELETE",
        "/v2/meetings/97763643886",
        {"schedule_for_reminder": "false"},
        None,
        NO_CONTENT,
        id="delete_meeting",
    ),
]


@pytest.mark.parametrize(("call", "method", "path", "query", "body", "answer"), CASES)
def test_method_sends_exactly_the_documented_request(
    zoom_api, client, call, method, path, query, body, answer
):
    route = zoom_api.route(host="api.zoom.us").mock(return_value=answer)

    call(client)

    request = route.calls.last.request
    assert request.method == method
    assert request.url.raw_path.split(b"?")[0].decode() == path
    assert dict(request.url.params) == query
    assert request.headers["authorization"] == "Bearer tok-1"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == "zoomadmin/0.1 (+httpx)"
    assert sent_json(request) == body
    if body is not None:
        assert request.headers["content-type"] == "application/json"


def test_token_request_is_a_basic_auth_form_post_with_account_credentials(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/me").respond(200, json={"id": "u1", "email": "a@x.com"})

    client.get_user(user_id="me")

    request = zoom_api["token"].calls.last.request
    assert request.method == "POST"
    assert str(request.url) == OAUTH_URL
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"client-1:secret-1").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["user-agent"] == "zoomadmin/0.1 (+httpx)"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["account_credentials"],
        "account_id": ["acct-1"],
    }


def test_update_user_refuses_role_fields_that_zoom_would_silently_ignore(client):
    with pytest.raises(ValueError, match="assign_role"):
        client.update_user(user_id="u1", extra={"role_name": "Admin"})


def test_schedule_for_cannot_be_combined_with_an_occurrence(client):
    with pytest.raises(ValueError, match="whole meeting"):
        client.update_meeting(meeting_id=1, occurrence_id="1648194360000", schedule_for="x@example.com")


def test_assign_role_refuses_more_than_thirty_members_before_calling_zoom(client):
    with pytest.raises(ValueError, match="at most 30"):
        client.assign_role(role_id="1", user_ids=[f"u{i}" for i in range(31)])


def test_naive_start_time_is_sent_as_local_time_for_the_given_timezone(zoom_api, client):
    route = zoom_api.post("https://api.zoom.us/v2/users/me/meetings").respond(201, json=MEETING)

    client.create_meeting(topic="Local", start_time=datetime(2026, 12, 1, 9, 30), timezone="Europe/Berlin")

    assert sent_json(route.calls.last.request)["start_time"] == "2026-12-01T09:30:00"
