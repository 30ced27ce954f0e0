"""Users endpoints (zoom-api.md §4, §12 "Users")."""

from __future__ import annotations

import pytest

from zoomadmin_site.sandbox import API_USER_EMAIL, API_USER_ID, SCENARIOS

from .openapi_check import assert_matches


def test_list_users_defaults_to_active_users_with_role_id_as_string_and_no_role_name(seeded, zoom):
    response = zoom.get("/users")
    assert_matches("GET /users", response)
    body = response.json()
    assert body["page_size"] == 30
    assert {u["status"] for u in body["users"]} == {"active"}
    assert all(isinstance(u["role_id"], str) for u in body["users"])
    assert all("role_name" not in u for u in body["users"])
    assert body["total_records"] == seeded.user_count("active")


def test_pending_users_have_no_id_in_the_list(seeded, zoom):
    users = zoom.get("/users", params={"status": "pending", "page_size": 300}).json()["users"]
    assert users
    assert all("id" not in u for u in users)
    assert SCENARIOS["pending_user"]["email"] in {u["email"] for u in users}


def test_unknown_status_value_falls_back_to_active(seeded, zoom):
    body = zoom.get("/users", params={"status": "NOT_A_STATUS"}).json()
    assert {u["status"] for u in body["users"]} == {"active"}


def test_role_id_filter(seeded, zoom):
    admins = zoom.get("/users", params={"role_id": "1", "page_size": 300}).json()["users"]
    assert admins and {u["role_id"] for u in admins} == {"1"}
    assert API_USER_EMAIL in {u["email"] for u in admins}


@pytest.mark.parametrize(
    ("raw", "expected"), [("999999", 2000), ("-5", 30), ("abc", 30), ("0", 30), ("7", 7)]
)
def test_page_size_is_clamped_like_zoom(sandbox, zoom, raw, expected):
    assert zoom.get("/users", params={"page_size": raw}).json()["page_size"] == expected


def test_next_page_token_pages_through_everything_and_is_empty_at_the_end(seeded, zoom):
    seen, token, pages = [], "", 0
    while True:
        body = zoom.get("/users", params={"page_size": 7, "next_page_token": token}).json()
        seen += [u["email"] for u in body["users"]]
        token, pages = body["next_page_token"], pages + 1
        if not token:
            break
    assert len(seen) == len(set(seen)) == seeded.user_count("active")
    assert pages == body["page_count"]


def test_next_page_token_expires_after_15_simulated_minutes(seeded, zoom):
    token = zoom.get("/users", params={"page_size": 5}).json()["next_page_token"]
    seeded.advance(14 * 60)
    assert zoom.get("/users", params={"page_size": 5, "next_page_token": token}).status_code == 200
    seeded.advance(2 * 60)
    response = zoom.get("/users", params={"page_size": 5, "next_page_token": token})
    assert response.status_code == 400
    assert response.json() == {"code": 300, "message": "The next page token is invalid or expired."}


def test_next_page_token_must_come_with_the_same_query(seeded, zoom):
    token = zoom.get("/users", params={"page_size": 5}).json()["next_page_token"]
    assert zoom.get("/users", params={"status": "inactive", "next_page_token": token}).json()["code"] == 300
    assert zoom.get("/users", params={"next_page_token": "made-up"}).json()["code"] == 300


def test_get_user_by_id_email_or_me_includes_role_name(seeded, zoom):
    by_me = zoom.get("/users/me")
    assert_matches("GET /users/{userId}", by_me)
    assert by_me.json()["id"] == API_USER_ID
    assert by_me.json()["role_name"] == "Admin" and by_me.json()["role_id"] == "1"
    email = SCENARIOS["old_host"]["email"]
    by_email = zoom.get(f"/users/{email.upper()}").json()
    assert by_email["id"] == SCENARIOS["old_host"]["id"]
    assert zoom.get(f"/users/{by_email['id']}").json()["email"] == email


def test_unknown_user_answers_404_1001(sandbox, zoom):
    response = zoom.get("/users/ghost@example.com")
    assert response.status_code == 404
    assert response.json() == {"code": 1001, "message": "User does not exist: ghost@example.com."}


def test_patch_user_with_role_name_answers_204_and_changes_nothing(seeded, zoom):
    email = SCENARIOS["promote_member"]["email"]
    response = zoom.patch(f"/users/{email}", json={"role_name": "Admin", "role_id": "1"})
    assert response.status_code == 204
    assert not response.content
    user = zoom.get(f"/users/{email}").json()
    assert (user["role_id"], user["role_name"]) == ("2", "Member")


def test_patch_user_changes_profile_fields_and_display_name(seeded, zoom):
    email = SCENARIOS["new_host"]["email"]
    assert zoom.patch(f"/users/{email}", json={"first_name": "Marc", "dept": "Finance"}).status_code == 204
    user = zoom.get(f"/users/{email}").json()
    assert (user["first_name"], user["display_name"], user["dept"]) == ("Marc", "Marc Okafor", "Finance")


def test_patch_user_type_needs_a_free_licence(sandbox, zoom):
    sandbox.create_user("basic.user@example.com", first_name="Basic", last_name="User", type=1)
    sandbox.set_knob("licenses", 2)
    response = zoom.patch("/users/basic.user@example.com", json={"type": 2})
    assert response.status_code == 400
    assert response.json()["code"] == 2034
    sandbox.set_knob("licenses", None)
    assert zoom.patch("/users/basic.user@example.com", json={"type": 2}).status_code == 204


def test_admins_and_owner_cannot_be_activated_or_deactivated(seeded, zoom):
    for email in (SCENARIOS["admin"]["email"], SCENARIOS["owner"]["email"]):
        response = zoom.put(f"/users/{email}/status", json={"action": "deactivate"})
        assert response.status_code == 400
        assert response.json() == {
            "code": 200,
            "message": "Zoom Room and Admin users' status cannot be activated or deactivated.",
        }


def test_deactivate_and_activate_a_member(seeded, zoom):
    email = SCENARIOS["new_host"]["email"]
    assert zoom.put(f"/users/{email}/status", json={"action": "deactivate"}).status_code == 204
    assert zoom.get(f"/users/{email}").json()["status"] == "inactive"
    assert zoom.put(f"/users/{email}/status", json={"action": "activate"}).status_code == 204
    assert zoom.get(f"/users/{email}").json()["status"] == "active"
    assert zoom.put(f"/users/{email}/status", json={"action": "pause"}).json()["code"] == 300


def test_create_user_is_pending_until_the_invitation_is_accepted(sandbox, zoom):
    response = zoom.post(
        "/users", json={"action": "create", "user_info": {"email": "New@Example.com", "type": 2}}
    )
    assert_matches("POST /users", response)
    assert zoom.get("/users/new@example.com").json()["status"] == "pending"
    again = zoom.post(
        "/users", json={"action": "create", "user_info": {"email": "new@example.com", "type": 1}}
    )
    assert again.status_code == 409


def test_delete_user_transfers_meetings_when_asked(seeded, zoom):
    host, target = SCENARIOS["new_host"]["email"], SCENARIOS["host_assistant"]["email"]
    ids = seeded.meeting_ids(host)
    params = {"action": "disassociate", "transfer_email": target, "transfer_meeting": "true"}
    assert zoom.delete(f"/users/{host}", params=params).status_code == 204
    assert zoom.get(f"/users/{host}").status_code == 404
    assert set(ids) <= set(seeded.meeting_ids(target))
    assert zoom.delete(f"/users/{SCENARIOS['admin']['email']}").json()["code"] == 1117
