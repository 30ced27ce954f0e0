"""Every operation of Zoom's OpenAPI subset is implemented and answers its documented 2xx shape, and
its error answers have Zoom's error shape with a status and code the spec documents."""

from __future__ import annotations

import pytest

from zoomadmin_site.sandbox import HELP_DESK_ROLE_ID, SCENARIOS
from zoomadmin_site.sandbox.routing import ROUTES

from .openapi_check import assert_error_matches, assert_matches, error_problems, problems, schemas

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


GHOST = "ghost@example.com"
STARTED, PMI = SCENARIOS["started_meeting"]["meeting_id"], SCENARIOS["pmi_meeting"]["meeting_id"]
BLOCKED, INSTANT = SCENARIOS["transfer_blocked"]["meeting_id"], SCENARIOS["instant_meeting"]["meeting_id"]
ENDED = SCENARIOS["ended_meeting"]["meeting_id"]

# (operation, method, path, json body or None, expected status, expected code)
ERROR_RECIPES = [
    ("GET /users/{userId}", "GET", f"/users/{GHOST}", None, 404, 1001),
    ("PATCH /users/{userId}", "PATCH", f"/users/{GHOST}", {"dept": "Ops"}, 404, 1001),
    ("PATCH /users/{userId}", "PATCH", f"/users/{OLD['email']}", {"type": "two"}, 400, 300),
    ("PUT /users/{userId}/status", "PUT", f"/users/{ADMIN}/status", {"action": "deactivate"}, 400, 200),
    ("GET /users/{userId}/assistants", "GET", f"/users/{GHOST}/assistants", None, 404, 1001),
    (
        "POST /users/{userId}/assistants",
        "POST",
        f"/users/{NEW['email']}/assistants",
        {"assistants": [{"email": NEW["email"]}]},
        400,
        200,
    ),
    ("GET /users/{userId}/schedulers", "GET", f"/users/{GHOST}/schedulers", None, 404, 1001),
    ("GET /users/{userId}/meetings", "GET", f"/users/{GHOST}/meetings", None, 404, 1001),
    (
        "POST /users/{userId}/meetings",
        "POST",
        f"/users/{OLD['email']}/meetings",
        {"topic": "T", "start_time": FUTURE, "schedule_for": NEW["email"]},
        400,
        3000,
    ),
    (
        "POST /users/{userId}/meetings",
        "POST",
        "/users/me/meetings",
        {"topic": "T", "schedule_for": OLD["email"]},
        400,
        3000,
    ),
    (
        "POST /users/{userId}/meetings",
        "POST",
        "/users/me/meetings",
        {"topic": "T", "duration": "long"},
        400,
        300,
    ),
    ("GET /meetings/{meetingId}", "GET", "/meetings/12345678901", None, 404, 3001),
    (
        "PATCH /meetings/{meetingId}",
        "PATCH",
        f"/meetings/{BLOCKED}",
        {"schedule_for": NEW["email"]},
        400,
        3000,
    ),
    ("PATCH /meetings/{meetingId}", "PATCH", f"/meetings/{STARTED}", {"topic": "T"}, 400, 3000),
    (
        "PATCH /meetings/{meetingId}",
        "PATCH",
        f"/meetings/{INSTANT}",
        {"schedule_for": NEW["email"]},
        400,
        3000,
    ),
    ("PATCH /meetings/{meetingId}", "PATCH", "/meetings/12345678901", {"topic": "T"}, 404, 3001),
    ("DELETE /meetings/{meetingId}", "DELETE", f"/meetings/{STARTED}", None, 400, 3002),
    ("DELETE /meetings/{meetingId}", "DELETE", f"/meetings/{ENDED}", None, 400, 3007),
    ("DELETE /meetings/{meetingId}", "DELETE", f"/meetings/{PMI}", None, 400, 3018),
    ("DELETE /meetings/{meetingId}", "DELETE", "/meetings/12345678901", None, 404, 3001),
    ("GET /roles/{roleId}", "GET", "/roles/nope", None, 400, 1034),
    ("GET /roles/{roleId}/members", "GET", "/roles/nope/members", None, 400, 1034),
    ("POST /roles/{roleId}/members", "POST", "/roles/2/members", {"members": [{"id": ADMIN}]}, 400, 300),
    ("POST /roles/{roleId}/members", "POST", "/roles/nope/members", {"members": [{"id": ADMIN}]}, 400, 1034),
    ("DELETE /roles/{roleId}/members/{memberId}", "DELETE", f"/roles/nope/members/{ADMIN}", None, 400, 1034),
    ("PATCH /roles/{roleId}", "PATCH", "/roles/0", {"description": "x"}, 400, 300),
]


@pytest.mark.parametrize(
    ("operation", "method", "path", "body", "status", "code"),
    ERROR_RECIPES,
    ids=[f"{row[0]}-{row[4]}-{row[5]}" for row in ERROR_RECIPES],
)
def test_error_answers_have_zooms_shape_and_a_documented_status_and_code(
    seeded, zoom, operation, method, path, body, status, code
):
    response = zoom.request(method, path, json=body) if body else zoom.request(method, path)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert_error_matches(operation, response)


def test_gateway_errors_have_zooms_shape_on_any_operation(seeded, zoom):
    seeded.set_scopes(["user:read:user:admin"])
    seeded.expire_tokens()
    response = zoom.get("/roles")
    assert (response.status_code, response.json()["code"]) == (400, 4711)
    assert_error_matches("GET /roles", response)


def test_the_checker_refuses_nulls_and_error_answers_the_spec_does_not_document():
    assert problems({"id": None}, {"properties": {"id": {"type": "string"}}}) != []
    assert problems({"id": None}, {"properties": {"id": {"type": "string", "nullable": True}}}) == []
    assert error_problems("GET /users/{userId}", 404, {"code": 1001}) != []  # no message
    assert error_problems("GET /users/{userId}", 404, {"code": "1001", "message": "x"}) != []
    assert error_problems("GET /users/{userId}", 404, {"code": 3001, "message": "x"}) != []  # wrong code
    assert error_problems("GET /users/{userId}", 409, {"code": 1001, "message": "x"}) != []  # wrong status
    assert error_problems("GET /users/{userId}", 404, {"code": 1001, "message": "x"}) == []
