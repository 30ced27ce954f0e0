"""Host transfer with PATCH schedule_for: the scheduler-of-record rule (zoom-api.md §1.3) and the
"Changing meeting hosts" forum thread (seeds/changing-meeting-hosts.txt), reproduced exactly."""

from __future__ import annotations

from datetime import timedelta

from zoomadmin_site.sandbox import API_USER_EMAIL, API_USER_ID, SCENARIOS

from .conftest import NOW

OLD = SCENARIOS["old_host"]["email"]
NEW = SCENARIOS["new_host"]["email"]


def _start(days: int = 3) -> str:
    return (NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _create(zoom, path_user: str, **body) -> int:
    body.setdefault("topic", "Vendor sync")
    body.setdefault("start_time", _start())
    response = zoom.post(f"/users/{path_user}/meetings", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_forum_setup_api_user_is_assistant_of_both_hosts_but_old_host_is_not_of_new(seeded, zoom):
    assert API_USER_EMAIL in seeded.assistants_of(OLD) and API_USER_EMAIL in seeded.assistants_of(NEW)
    assert {OLD, NEW} <= set(seeded.schedulers_of("me"))
    assert OLD not in seeded.assistants_of(NEW)


def test_patch_schedule_for_fails_with_3000_when_meeting_was_created_under_old_host_path(seeded, zoom):
    meeting_id = SCENARIOS["transfer_blocked"]["meeting_id"]
    response = zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": NEW})
    assert response.status_code == 400
    assert response.json() == {"code": 3000, "message": f"You cannot schedule a meeting for {NEW}."}
    assert zoom.get(f"/meetings/{meeting_id}").json()["host_email"] == OLD


def test_patch_schedule_for_works_when_meeting_was_created_by_api_user_with_schedule_for(seeded, zoom):
    meeting_id = SCENARIOS["transfer_works"]["meeting_id"]
    response = zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": NEW})
    assert response.status_code == 204 and not response.content
    meeting = zoom.get(f"/meetings/{meeting_id}").json()
    assert meeting["host_email"] == NEW and meeting["host_id"] == SCENARIOS["new_host"]["id"]
    assert meeting["assistant_id"] == API_USER_ID


def test_forum_recipe_from_scratch_create_via_me_then_move(seeded, zoom):
    direct = _create(zoom, OLD)
    via_me = _create(zoom, "me", schedule_for=OLD)
    assert zoom.patch(f"/meetings/{direct}", json={"schedule_for": NEW}).json()["code"] == 3000
    assert zoom.patch(f"/meetings/{via_me}", json={"schedule_for": NEW}).status_code == 204


def test_who_calls_patch_does_not_matter_only_the_scheduler_of_record(seeded, zoom):
    seeded.add_assistant(NEW, OLD)  # now the old host (scheduler of record) may schedule for the new host
    meeting_id = SCENARIOS["transfer_blocked"]["meeting_id"]
    assert (
        zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": SCENARIOS["new_host"]["id"]}).status_code
        == 204
    )
    moved = zoom.get(f"/meetings/{meeting_id}").json()
    assert moved["host_email"] == NEW and moved["assistant_id"] == SCENARIOS["old_host"]["id"]


def test_host_that_is_an_assistant_of_the_new_host_can_move_its_own_meeting(seeded, zoom):
    meeting_id = SCENARIOS["transfer_via_host_assistant"]["meeting_id"]
    assert zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": NEW}).status_code == 204


def test_message_echoes_the_value_as_passed(seeded, zoom):
    meeting_id = SCENARIOS["transfer_blocked"]["meeting_id"]
    new_id = SCENARIOS["new_host"]["id"]
    body = zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": new_id}).json()
    assert body["message"] == f"You cannot schedule a meeting for {new_id}."


def test_new_host_must_be_active_and_licensed(seeded, zoom):
    meeting_id = SCENARIOS["transfer_works"]["meeting_id"]
    for scenario in ("basic_user", "inactive_user", "pending_user"):
        email = SCENARIOS[scenario]["email"]
        assert zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": email}).json()["code"] == 3000, (
            scenario
        )
    assert (
        zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": "ghost@example.com"}).json()["code"]
        == 3000
    )


def test_started_meeting_cannot_be_updated(seeded, zoom):
    response = zoom.patch(
        f"/meetings/{SCENARIOS['started_meeting']['meeting_id']}", json={"schedule_for": NEW}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 3000,
        "message": "You cannot update or delete meetings that have started using this method.",
    }


def test_instant_meeting_rejects_schedule_for(seeded, zoom):
    response = zoom.patch(
        f"/meetings/{SCENARIOS['instant_meeting']['meeting_id']}", json={"schedule_for": NEW}
    )
    assert response.json()["code"] == 3000
    assert "Instant meetings do not support" in response.json()["message"]


def test_malformed_schedule_for_answers_300(seeded, zoom):
    meeting_id = SCENARIOS["transfer_works"]["meeting_id"]
    for value in (42, "", "two words@example.com"):
        response = zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": value})
        assert response.status_code == 400
        assert response.json()["code"] == 300


def test_unknown_meeting_answers_404_3001(seeded, zoom):
    response = zoom.patch("/meetings/12345678901", json={"schedule_for": NEW})
    assert response.status_code == 404
    assert response.json() == {
        "code": 3001,
        "message": "A meeting with this 12345678901 is not found or has expired.",
    }


def test_meeting_updated_webhook_carries_old_and_new_host(seeded, zoom):
    seeded.set_webhook("https://hooks.example.com/zoom", "s3cret")
    meeting_id = SCENARIOS["transfer_works"]["meeting_id"]
    zoom.patch(f"/meetings/{meeting_id}", json={"schedule_for": NEW})
    (event,) = [e["body"] for e in seeded.outbox() if e["event"] == "meeting.updated"]
    payload = event["payload"]
    assert payload["object"]["host_id"] == SCENARIOS["new_host"]["id"]
    assert payload["old_object"] == {"id": meeting_id, "host_id": SCENARIOS["old_host"]["id"]}
    assert payload["operator"] == API_USER_EMAIL and payload["operator_id"] == API_USER_ID
