"""Roles (zoom-api.md §1.1, §7) and the "Change user role from Member to Admin" forum thread."""

from __future__ import annotations

from zoomadmin_site.sandbox import HELP_DESK_ROLE_ID, SCENARIOS

from .openapi_check import assert_matches

MEMBER = SCENARIOS["promote_member"]


def _roles(zoom) -> dict[str, dict]:
    return {role["id"]: role for role in zoom.get("/roles").json()["roles"]}


def test_system_roles_have_string_ids_0_1_2_and_a_custom_role_has_an_opaque_id(seeded, zoom):
    response = zoom.get("/roles")
    assert_matches("GET /roles", response)
    roles = _roles(zoom)
    assert [(r["id"], r["name"]) for r in response.json()["roles"][:3]] == [
        ("0", "Owner"),
        ("1", "Admin"),
        ("2", "Member"),
    ]
    assert roles[HELP_DESK_ROLE_ID]["name"] == "Help Desk"
    assert response.json()["total_records"] == 4


def test_total_members_matches_the_users_in_each_role(seeded, zoom):
    for role_id, role in _roles(zoom).items():
        members = zoom.get(f"/roles/{role_id}/members", params={"page_size": 300}).json()
        assert members["total_records"] == role["total_members"] == len(members["members"])


def test_get_role_includes_privileges(seeded, zoom):
    response = zoom.get("/roles/1")
    assert_matches("GET /roles/{roleId}", response)
    assert "Role:Edit" in response.json()["privileges"]
    assert zoom.get("/roles/nope").json() == {"code": 1034, "message": "Provided role_id does not exist."}


def test_role_members_use_department_and_page(seeded, zoom):
    response = zoom.get("/roles/2/members", params={"page_size": 5})
    assert_matches("GET /roles/{roleId}/members", response)
    body = response.json()
    assert "department" in body["members"][0] and "dept" not in body["members"][0]
    rest = zoom.get(
        "/roles/2/members", params={"page_size": 5, "next_page_token": body["next_page_token"]}
    ).json()
    assert not {m["id"] for m in body["members"]} & {m["id"] for m in rest["members"]}


def test_forum_patch_user_role_name_is_204_but_role_unchanged(seeded, zoom):
    assert zoom.patch(f"/users/{MEMBER['id']}", json={"role_name": "Admin"}).status_code == 204
    assert zoom.get(f"/users/{MEMBER['id']}").json()["role_name"] == "Member"


def test_forum_doubled_v2_path_answers_2300(seeded, zoom):
    response = zoom.post("/v2/roles/1/members", json={"members": [{"id": MEMBER["id"]}]})
    assert response.status_code == 404
    assert response.json() == {"code": 2300, "message": "This API endpoint is not recognized."}


def test_forum_documented_body_promotes_member_to_admin(seeded, zoom):
    before = _roles(zoom)
    response = zoom.post("/roles/1/members", json={"members": [{"id": MEMBER["id"]}]})
    assert_matches("POST /roles/{roleId}/members", response)
    assert response.json()["ids"] == MEMBER["id"]
    user = zoom.get(f"/users/{MEMBER['id']}").json()
    assert (user["role_id"], user["role_name"]) == ("1", "Admin")
    after = _roles(zoom)
    assert after["1"]["total_members"] == before["1"]["total_members"] + 1
    assert after["2"]["total_members"] == before["2"]["total_members"] - 1


def test_assigning_moves_the_user_out_of_the_previous_role(seeded, zoom):
    helpdesk = SCENARIOS["help_desk_role"]["member_email"]
    assert zoom.post("/roles/1/members", json={"members": [{"email": helpdesk}]}).status_code == 201
    members = zoom.get(f"/roles/{HELP_DESK_ROLE_ID}/members", params={"page_size": 300}).json()["members"]
    assert helpdesk not in {m["email"] for m in members}


def test_owner_and_member_roles_cannot_be_targeted(seeded, zoom):
    for role_id in ("0", "2"):
        response = zoom.post(f"/roles/{role_id}/members", json={"members": [{"id": MEMBER["id"]}]})
        assert response.status_code == 400
        assert response.json() == {
            "code": 300,
            "message": "Can't delete or add members for Normal/Owner roles.",
        }
    assert zoom.delete(f"/roles/2/members/{MEMBER['id']}").json()["code"] == 300


def test_unknown_role_is_1034_and_more_than_30_members_is_300(seeded, zoom):
    assert zoom.post("/roles/XYZ/members", json={"members": [{"id": MEMBER["id"]}]}).json()["code"] == 1034
    many = [{"email": f"user{index}@example.com"} for index in range(31)]
    assert zoom.post("/roles/1/members", json={"members": many}).json()["code"] == 300


def test_unassigning_returns_the_user_to_member(seeded, zoom):
    admin = SCENARIOS["admin"]
    assert zoom.delete(f"/roles/1/members/{admin['id']}").status_code == 204
    assert zoom.get(f"/users/{admin['id']}").json()["role_id"] == "2"
    response = zoom.delete(f"/roles/1/members/{admin['id']}")
    assert response.status_code == 400


def test_roles_api_is_not_recognized_on_a_free_plan(seeded, zoom):
    seeded.set_plan("free")
    assert zoom.get("/roles").json()["code"] == 2300
    assert zoom.post("/roles/1/members", json={"members": [{"id": MEMBER["id"]}]}).status_code == 404


def test_role_writes_need_role_management_rights_of_the_app_creator(seeded, zoom):
    seeded.set_role("me", HELP_DESK_ROLE_ID)  # Help Desk has no Role:Edit
    response = zoom.post("/roles/1/members", json={"members": [{"id": MEMBER["id"]}]})
    assert response.status_code == 400 and response.json()["code"] == 200


def test_role_change_queues_user_updated_with_role_names(seeded, zoom):
    seeded.set_webhook("https://hooks.example.com/zoom", "s3cret")
    zoom.post("/roles/1/members", json={"members": [{"id": MEMBER["id"]}]})
    (event,) = seeded.outbox()
    assert event["event"] == "user.updated"
    assert event["body"]["payload"]["object"] == {"id": MEMBER["id"], "role": "Admin"}
    assert event["body"]["payload"]["old_object"] == {"id": MEMBER["id"], "role": "Member"}


def test_custom_role_crud(seeded, zoom):
    created = zoom.post(
        "/roles", json={"name": "Auditors", "description": "Read only", "privileges": ["User:Read"]}
    )
    assert_matches("POST /roles", created)
    role_id = created.json()["id"]
    assert zoom.patch(f"/roles/{role_id}", json={"description": "Read-only auditors"}).status_code == 204
    assert zoom.get(f"/roles/{role_id}").json()["description"] == "Read-only auditors"
    assert zoom.delete(f"/roles/{role_id}").status_code == 204
    assert zoom.delete("/roles/1").json()["code"] == 300
