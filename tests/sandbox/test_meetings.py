"""Meetings endpoints (zoom-api.md §6, §12 "Meetings"), except host transfer (see test_host_transfer)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from zoomadmin_site.sandbox import API_USER_ID, SCENARIOS

from .conftest import NOW
from .openapi_check import assert_matches

HOST = SCENARIOS["old_host"]["email"]
FRESH = "casey.fresh@example.com"


@pytest.fixture
def fresh(sandbox):
    """An empty account with one licensed host and no meetings, clock frozen at NOW (a Monday)."""
    sandbox.create_user(FRESH, first_name="Casey", last_name="Fresh")
    sandbox.set_clock(NOW)
    return sandbox


def _at(delta: timedelta) -> str:
    return (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _create(zoom, user=HOST, **body):
    body.setdefault("topic", "Planning")
    body.setdefault("start_time", _at(timedelta(days=1)))
    return zoom.post(f"/users/{user}/meetings", json=body)


def test_create_meeting_answers_201_with_int64_id_and_base64_uuid(seeded, zoom):
    response = _create(zoom, duration=45)
    assert_matches("POST /users/{userId}/meetings", response)
    body = response.json()
    assert isinstance(body["id"], int) and len(str(body["id"])) == 11
    assert re.fullmatch(r"[A-Za-z0-9+/]{22}==", body["uuid"])
    assert body["host_email"] == HOST and "assistant_id" not in body
    fetched = zoom.get(f"/meetings/{body['id']}")
    assert_matches("GET /meetings/{meetingId}", fetched)
    assert fetched.json()["host_id"] == SCENARIOS["old_host"]["id"]


def test_create_with_schedule_for_makes_target_the_host_and_path_user_the_assistant(seeded, zoom):
    body = _create(zoom, user="me", schedule_for=HOST).json()
    meeting = zoom.get(f"/meetings/{body['id']}").json()
    assert meeting["host_id"] == SCENARIOS["old_host"]["id"]
    assert meeting["assistant_id"] == API_USER_ID


def test_create_for_someone_you_are_not_assistant_of_answers_3000(seeded, zoom):
    response = _create(zoom, user=HOST, schedule_for=SCENARIOS["new_host"]["email"])
    assert response.status_code == 400
    assert response.json() == {
        "code": 3000,
        "message": f"You cannot schedule a meeting for {SCENARIOS['new_host']['email']}.",
    }


def test_instant_meeting_with_schedule_for_answers_3000(seeded, zoom):
    response = _create(zoom, user="me", schedule_for=HOST, type=1)
    assert response.status_code == 400
    assert response.json()["code"] == 3000
    assert response.json()["message"].startswith("Instant meetings do not support the schedule_for parameter")


def test_schedule_for_without_start_time_answers_3000_because_the_meeting_would_be_instant(seeded, zoom):
    before = seeded.meeting_ids(HOST)
    response = zoom.post("/users/me/meetings", json={"topic": "x", "schedule_for": HOST})
    assert response.status_code == 400
    assert response.json()["code"] == 3000
    assert response.json()["message"].startswith("Instant meetings do not support the schedule_for parameter")
    assert seeded.meeting_ids(HOST) == before


def test_scheduled_meeting_without_start_time_becomes_instant(seeded, zoom):
    body = zoom.post(f"/users/{HOST}/meetings", json={"topic": "No time"}).json()
    assert body["type"] == 1 and "start_time" not in body


def test_status_is_started_while_the_clock_is_inside_the_window(seeded, zoom):
    seeded.set_clock(NOW)
    meeting_id = _create(zoom, start_time=_at(timedelta(hours=1)), duration=30).json()["id"]
    assert zoom.get(f"/meetings/{meeting_id}").json()["status"] == "waiting"
    seeded.advance(3600 + 60)
    assert zoom.get(f"/meetings/{meeting_id}").json()["status"] == "started"
    seeded.advance(30 * 60)
    assert zoom.get(f"/meetings/{meeting_id}").json()["status"] == "waiting"


def test_forced_started_meeting(seeded, zoom):
    meeting = zoom.get(f"/meetings/{SCENARIOS['started_meeting']['meeting_id']}").json()
    assert meeting["status"] == "started"
    seeded.set_meeting_state(SCENARIOS["started_meeting"]["meeting_id"], None)
    seeded.set_knob("auto_start", False)
    assert zoom.get(f"/meetings/{SCENARIOS['started_meeting']['meeting_id']}").json()["status"] == "waiting"


def test_recurring_meeting_has_occurrences_and_recurrence(seeded, zoom):
    response = zoom.get(f"/meetings/{SCENARIOS['recurring_meeting']['meeting_id']}")
    assert_matches("GET /meetings/{meetingId}", response)
    body = response.json()
    assert body["type"] == 8 and body["recurrence"]["type"] == 2
    assert body["occurrences"] and all(o["status"] == "available" for o in body["occurrences"])
    every = zoom.get(f"/meetings/{body['id']}", params={"show_previous_occurrences": "true"}).json()
    assert len(every["occurrences"]) == 12 > len(body["occurrences"])
    one = every["occurrences"][0]
    assert (
        zoom.get(f"/meetings/{body['id']}", params={"occurrence_id": one["occurrence_id"]}).json()[
            "start_time"
        ]
        == one["start_time"]
    )


def test_weekly_occurrences_fall_on_the_chosen_days(fresh, zoom):
    body = _create(
        zoom,
        FRESH,
        type=8,
        start_time="2026-03-02T09:00:00",
        timezone="Europe/Berlin",
        recurrence={"type": 2, "weekly_days": "2,4", "end_times": 4},
    ).json()
    starts = [o["start_time"] for o in body["occurrences"]]
    assert starts == [
        "2026-03-02T08:00:00Z",
        "2026-03-04T08:00:00Z",
        "2026-03-09T08:00:00Z",
        "2026-03-11T08:00:00Z",
    ]


def test_alternative_hosts_is_a_semicolon_separated_string(seeded, zoom):
    scenario = SCENARIOS["alternative_hosts_meeting"]
    settings = zoom.get(f"/meetings/{scenario['meeting_id']}").json()["settings"]
    assert settings["alternative_hosts"] == scenario["alternative_hosts"]


def test_pmi_meeting_shows_the_pmi_and_cannot_be_deleted(seeded, zoom):
    meeting = zoom.get(f"/meetings/{SCENARIOS['pmi_meeting']['meeting_id']}").json()
    assert meeting["settings"]["use_pmi"] is True
    assert meeting["pmi"] == str(zoom.get(f"/users/{meeting['host_email']}").json()["pmi"])
    response = zoom.delete(f"/meetings/{meeting['id']}")
    assert response.status_code == 400 and response.json() == {
        "code": 3018,
        "message": "Not allowed to delete PMI.",
    }
    assert zoom.delete(f"/meetings/{meeting['pmi']}").json()["code"] == 3018


def test_delete_answers_204_and_then_the_meeting_is_gone(seeded, zoom):
    meeting_id = _create(zoom).json()["id"]
    assert zoom.delete(f"/meetings/{meeting_id}").status_code == 204
    response = zoom.get(f"/meetings/{meeting_id}")
    assert response.status_code == 404
    assert response.json() == {"code": 3001, "message": f"Meeting {meeting_id} is not found or has expired."}


def test_delete_started_meeting_3002_and_ended_meeting_3007(seeded, zoom):
    started = zoom.delete(f"/meetings/{SCENARIOS['started_meeting']['meeting_id']}").json()
    assert started == {
        "code": 3002,
        "message": "Sorry, you cannot delete this meeting since it is in progress.",
    }
    ended = zoom.delete(f"/meetings/{SCENARIOS['ended_meeting']['meeting_id']}").json()
    assert ended == {"code": 3007, "message": "Sorry, you cannot delete this meeting since it has ended."}


def test_meetings_expire_thirty_days_after_they_end(seeded, zoom):
    meeting_id = SCENARIOS["ended_meeting"]["meeting_id"]
    assert zoom.get(f"/meetings/{meeting_id}").status_code == 200
    seeded.advance(31 * 86400)
    assert zoom.get(f"/meetings/{meeting_id}").json()["code"] == 3001


def test_list_has_only_scheduled_types_and_truncates_agenda(fresh, zoom):
    _create(zoom, FRESH, agenda="x" * 600)
    _create(zoom, FRESH, type=1)
    _create(zoom, FRESH, type=3)
    response = zoom.get(f"/users/{FRESH}/meetings")
    assert_matches("GET /users/{userId}/meetings", response)
    items = response.json()["meetings"]
    assert sorted(m["type"] for m in items) == [2, 3]
    assert len(next(m for m in items if m["type"] == 2)["agenda"]) == 250
    assert all("status" not in m and "host_email" not in m for m in items)


def test_list_type_filter(fresh, zoom):
    past = _create(zoom, FRESH, start_time=_at(-timedelta(days=2))).json()["id"]
    live = _create(zoom, FRESH, start_time=_at(-timedelta(minutes=10)), duration=60).json()["id"]
    future = _create(zoom, FRESH, start_time=_at(timedelta(days=2))).json()["id"]
    floating = _create(zoom, FRESH, type=3).json()["id"]

    def ids(kind: str) -> set[int]:
        return {
            m["id"] for m in zoom.get(f"/users/{FRESH}/meetings", params={"type": kind}).json()["meetings"]
        }

    assert ids("scheduled") == {past, live, future, floating}
    assert ids("live") == {live}
    assert ids("upcoming") == ids("upcoming_meetings") == {live, future, floating}
    assert ids("previous_meetings") == {past}
    assert ids("nonsense") == ids("scheduled")


def test_list_meetings_page_size_max_300_and_paging(fresh, zoom):
    for index in range(5):
        _create(zoom, FRESH, start_time=_at(timedelta(days=index + 1)))
    first = zoom.get(f"/users/{FRESH}/meetings", params={"page_size": 3}).json()
    token = first["next_page_token"]
    second = zoom.get(f"/users/{FRESH}/meetings", params={"page_size": 3, "next_page_token": token}).json()
    assert len(first["meetings"]) == 3 and len(second["meetings"]) == 2 and second["next_page_token"] == ""
    assert zoom.get(f"/users/{FRESH}/meetings", params={"page_size": 5000}).json()["page_size"] == 300
    assert zoom.get("/users/ghost@example.com/meetings").status_code == 404
