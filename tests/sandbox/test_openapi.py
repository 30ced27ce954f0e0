"""Every operation of Zoom's OpenAPI subset is implemented and answers its documented 2xx shape."""

from __future__ import annotations

import pytest

from zoomadmin_site.sandbox import HELP_DESK_ROLE_ID, SCENARIOS
from zoomadmin_site.sandbox.routing import ROUTES

from .openapi_check import assert_matches, schemas

OLD, NEW = SCENARIOS["old_host"], SCENARIOS["new_host"]
MEMBER, HELPER = SCENARIOS["promote_member"], SCENARIOS["host_assistant"]
ADMIN = SCENARIOS["admin"]["id"]
FUTURE = "2026-03-09T10:00:00Z"
RECURRING, MOVABLE = SCENARIOS["recurring_meeting"]["meeting_id"], SCENARIOS["transfer_works"]["meeting_id"]
NEW_USER = {"action": "create", "user_info": {"email": "a@example.com", "type": 1}}

# operation → (method, path, json body or None, query)
RECIPES: dict[str, tuple[str, str, dict | None, dict]] = {
    "GET /users": ("GET", "/users", None, {"page_size": 5}),
    "POST /users": ("POST", "/users", NEW_USER, {}),
    "GET /users/{userId}": ("GET", f"/users/{OLD['email']}", None, {}),
    "PATCH /users/{userId}": ("PATCH", f"/users/{OLD['email']}", {"job_title": "Lead"}, {}),
    "DELETE /users/{userId}": ("DELETE", f"/users/{MEMBER['email']}", None, {"action": "delete"}),
    "PUT /users/{userId}/status": ("PUT", f"/users/{MEMBER['email']}/status", {"action": "deactivate"}, {}),
    "GET /users/{userId}/assistants": ("GET", f"/users/{NEW['email']}/assistants", None, {}),
    "POST /users/{userId}/assistants": (
        "POST",
        f"/users/{NEW['email']}/assistants",
        {"assistants": [{"email": MEMBER["email"]}]},
        {},
    ),
    "DELETE /users/{userId}/assistants": ("DELETE", f"/users/{NEW['email']}/assistants", None, {}),
    "DELETE /users/{userId}/assistants/{assistantId}": (
        "DELETE",
        f"/users/{NEW['email']}/assistants/{HELPER['id']}",
        None,
        {},
    ),
    "GET /users/{userId}/schedulers": ("GET", "/users/me/schedulers", None, {}),
    "DELETE /users/{userId}/schedulers": ("DELETE", f"/users/{HELPER['email']}/schedulers", None, {}),
    "DELETE /users/{userId}/schedulers/{schedulerId}": (
        "DELETE",
        f"/users/{HELPER['email']}/schedulers/{NEW['id']}",
        None,
        {},
    ),
    "GET /users/{userId}/meetings": ("GET", f"/users/{OLD['email']}/meetings", None, {}),
    "POST /users/{userId}/meetings": (
        "POST",
        "/users/me/meetings",
        {"topic": "T", "start_time": FUTURE, "schedule_for": OLD["email"]},
        {},
    ),
    "GET /meetings/{meetingId}": ("GET", f"/meetings/{RECURRING}", None, {}),
    "PATCH /meetings/{meetingId}": ("PATCH", f"/meetings/{MOVABLE}", {"schedule_for": NEW["email"]}, {}),
    "DELETE /meetings/{meetingId}": ("DELETE", f"/meetings/{MOVABLE}", None, {}),
    "GET /roles": ("GET", "/roles", None, {}),
    "POST /roles": ("POST", "/roles", {"name": "Ops", "privileges": ["User:Read"]}, {}),
    "GET /roles/{roleId}": ("GET", f"/roles/{HELP_DESK_ROLE_ID}", None, {}),
    "PATCH /roles/{roleId}": ("PATCH", f"/roles/{HELP_DESK_ROLE_ID}", {"description": "Front line"}, {}),
    "DELETE /roles/{roleId}": ("DELETE", "/roles/{new_role}", None, {}),
    "GET /roles/{roleId}/members": ("GET", "/roles/1/members", None, {}),
    "POST /roles/{roleId}/members": ("POST", "/roles/1/members", {"members": [{"id": MEMBER["id"]}]}, {}),
    "DELETE /roles/{roleId}/members/{memberId}": ("DELETE", f"/roles/1/members/{ADMIN}", None, {}),
}


def test_every_operation_of_the_subset_has_a_route():
    assert {route.name for route in ROUTES} == set(schemas())


@pytest.mark.parametrize("operation", sorted(RECIPES))
def test_operation_answers_the_documented_shape(seeded, zoom, operation):
    method, path, body, query = RECIPES[operation]
    if "{new_role}" in path:
        path = path.format(new_role=zoom.post("/roles", json={"name": "Temp"}).json()["id"])
    response = (
        zoom.request(method, path, json=body, params=query)
        if body
        else zoom.request(method, path, params=query)
    )
    assert_matches(operation, response)
