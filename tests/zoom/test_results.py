"""Zoom's JSON becomes typed, frozen results; parsing is defensive (unknown fields ignored, ids keep
Zoom's types, datetimes are aware UTC)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import httpx
import pytest

from zoomadmin_site.zoom import Meeting, Page, ZoomBadResponse, ZoomUser, parse_datetime, parse_meeting_id

USERS_PAGE = {
    "next_page_token": "n2",
    "page_count": 2,
    "page_size": 2,
    "total_records": 3,
    "users": [
        {
            "id": "KDcuGIm1QgePTO8WbOqwIQ",
            "email": "jchill@example.com",
            "first_name": "Jill",
            "type": 2,
            "role_id": "1",
            "status": "active",
            "pmi": 6589310093,
            "verified": 1,
            "created_at": "2018-10-31T04:32:37Z",
            "last_login_time": "2022-03-25T05:40:55Z",
            "group_ids": ["RSMaSp8sTEGK0_oamiA2_w"],
            "some_future_field": {"nested": True},
        },
        {"email": "pending@example.com", "status": "pending", "type": 1, "role_id": "2"},
    ],
}

MEETING = {
    "assistant_id": "kFFvsJc-Q1OSxaJQLvaa_A",
    "host_id": "30R7kT7bTIKSNUFEuH_Qlg",
    "host_email": "jchill@example.com",
    "id": 97763643886,
    "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
    "topic": "My Meeting",
    "type": 8,
    "status": "waiting",
    "start_time": "2022-03-25T07:29:29Z",
    "duration": 60,
    "timezone": "America/Los_Angeles",
    "start_url": "https://example.zoom.us/s/97763643886?zak=SECRET",
    "password": "123456",
    "pmi": "3542471135",
    "occurrences": [
        {
            "occurrence_id": "1648194360000",
            "start_time": "2022-03-25T07:46:00Z",
            "duration": 60,
            "status": "available",
        }
    ],
    "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "1,3", "end_times": 7},
    "settings": {
        "alternative_hosts": "a@example.com;b@example.com",
        "use_pmi": False,
        "waiting_room": True,
        "breakout_room": {"enable": False},
    },
}


def test_user_list_becomes_a_page_of_typed_users(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users").respond(200, json=USERS_PAGE)

    page = client.list_users()

    assert isinstance(page, Page)
    assert page.next_page_token == "n2" and page.total_records == 3 and page.has_more
    jill, pending = page.items
    assert jill.id == "KDcuGIm1QgePTO8WbOqwIQ" and jill.role_id == "1" and jill.is_licensed
    assert jill.last_login_time == datetime(2022, 3, 25, 5, 40, 55, tzinfo=UTC)
    assert jill.group_ids == ("RSMaSp8sTEGK0_oamiA2_w",)
    assert pending.id == "" and pending.email == "pending@example.com" and pending.status == "pending"


def test_results_are_frozen(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users").respond(200, json=USERS_PAGE)
    user = client.list_users().items[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        user.email = "other@example.com"  # type: ignore[misc]


def test_get_user_carries_role_name(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/u1").respond(
        200,
        json={"id": "u1", "email": "a@example.com", "role_name": "Admin", "role_id": "1", "use_pmi": False},
    )

    user = client.get_user(user_id="u1")

    assert (user.role_name, user.role_id, user.use_pmi) == ("Admin", "1", False)


def test_meeting_with_settings_recurrence_and_occurrences(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/meetings/97763643886").respond(200, json=MEETING)

    meeting = client.get_meeting(meeting_id=97763643886)

    assert meeting.id == 97763643886 and meeting.pmi == 3542471135
    assert meeting.scheduler_of_record == "kFFvsJc-Q1OSxaJQLvaa_A"
    assert meeting.is_recurring and not meeting.has_started
    assert meeting.settings is not None
    assert meeting.settings.alternative_host_list == ("a@example.com", "b@example.com")
    assert meeting.settings.waiting_room is True
    assert meeting.recurrence is not None and meeting.recurrence.weekly_days == "1,3"
    assert meeting.occurrences[0].start_time == datetime(2022, 3, 25, 7, 46, tzinfo=UTC)


def test_meeting_repr_never_shows_the_host_start_url_or_password():
    meeting = Meeting.from_zoom(MEETING)

    assert "zak=" not in repr(meeting) and "123456" not in repr(meeting)


def test_scheduler_of_record_is_the_host_when_created_without_schedule_for():
    meeting = Meeting.from_zoom({"id": 1, "host_id": "host-1"})

    assert meeting.scheduler_of_record == "host-1"


def test_meeting_ids_from_webhooks_as_strings_are_accepted():
    assert Meeting.from_zoom({"id": "1234567890"}).id == 1234567890
    assert parse_meeting_id("977 6364 3886") == 97763643886
    with pytest.raises(ValueError):
        parse_meeting_id("abc")


def test_roles_keep_string_ids(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/roles").respond(
        200,
        json={
            "total_records": 2,
            "roles": [
                {"id": "0", "name": "Owner", "total_members": 1},
                {"id": "RqBLcd1jLS9a7RBkbGtqn2A", "name": "Help Desk"},
            ],
        },
    )

    roles = client.list_roles()

    assert [r.id for r in roles] == ["0", "RqBLcd1jLS9a7RBkbGtqn2A"]
    assert roles[0].total_members == 1


def test_role_members_use_zooms_department_field(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/roles/1/members").respond(
        200,
        json={
            "next_page_token": "",
            "total_records": 1,
            "members": [{"id": "m1", "email": "m@example.com", "department": "Dev", "type": 2}],
        },
    )

    page = client.list_role_members(role_id="1")

    assert page.items[0].department == "Dev" and not page.has_more


def test_assistants_and_schedulers_are_typed(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/h/assistants").respond(
        200,
        json={"assistants": [{"id": "a1", "email": "a@example.com", "can_manage_host_private_event": True}]},
    )
    zoom_api.get("https://api.zoom.us/v2/users/a1/schedulers").respond(
        200, json={"schedulers": [{"id": "h", "email": "h@example.com", "pmi": 3542471135}]}
    )

    assert client.list_assistants(user_id="h")[0].can_manage_host_private_event is True
    assert client.list_schedulers(user_id="a1")[0].pmi == 3542471135


def test_added_members_splits_zooms_comma_joined_ids(zoom_api, client):
    zoom_api.post("https://api.zoom.us/v2/roles/1/members").respond(
        201, json={"ids": "u1,u2", "add_at": "2019-06-01T07:58:03Z"}
    )

    added = client.assign_role(role_id="1", user_ids=["u1", "u2"])

    assert added.ids == ("u1", "u2") and added.added_at == datetime(2019, 6, 1, 7, 58, 3, tzinfo=UTC)


def test_unreadable_list_items_are_skipped_not_fatal(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/h/meetings").respond(
        200, json={"meetings": [{"id": 1, "topic": "ok"}, {"topic": "no id"}, "garbage"]}
    )

    assert [m.id for m in client.list_meetings(user_id="h").items] == [1]


def test_a_non_json_success_answer_is_a_bad_response(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/users/u1").respond(
        200, text="<html>Proxy login</html>", headers={"content-type": "text/html"}
    )

    with pytest.raises(ZoomBadResponse) as caught:
        client.get_user(user_id="u1")

    assert "proxy" in caught.value.explanation.lower()
    assert "text/html" in caught.value.explanation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-03-25T07:29:29Z", datetime(2022, 3, 25, 7, 29, 29, tzinfo=UTC)),
        ("2022-03-25T09:29:29+02:00", datetime(2022, 3, 25, 7, 29, 29, tzinfo=UTC)),
        ("2022-03-25T07:29:29", datetime(2022, 3, 25, 7, 29, 29, tzinfo=UTC)),
        (1626230691572, datetime(2021, 7, 14, 2, 44, 51, 572000, tzinfo=UTC)),
        ("", None),
        ("not a date", None),
        (None, None),
    ],
)
def test_datetimes_become_aware_utc(raw, expected):
    assert parse_datetime(raw) == expected


def test_unknown_types_for_known_fields_do_not_crash():
    user = ZoomUser.from_zoom({"id": 5, "email": None, "type": "2", "pmi": "x", "group_ids": "nope"})

    assert (user.id, user.email, user.type, user.pmi, user.group_ids) == ("5", "", 2, None, ())


def test_empty_success_body_on_a_read_is_a_bad_response(zoom_api, client):
    zoom_api.get("https://api.zoom.us/v2/roles/1").mock(return_value=httpx.Response(204))

    with pytest.raises(ZoomBadResponse):
        client.get_role(role_id="1")
