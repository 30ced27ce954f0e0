"""Assistants and schedulers: one relation, two views (zoom-api.md §5)."""

from __future__ import annotations

import re

from zoomadmin_site.sandbox import API_USER_EMAIL, SCENARIOS

from .openapi_check import assert_matches

HOST = SCENARIOS["new_host"]["email"]
OTHER = SCENARIOS["old_host"]["email"]


def test_assistants_and_schedulers_are_inverse_views_of_one_relation(seeded, zoom):
    assistants = zoom.get(f"/users/{HOST}/assistants")
    assert_matches("GET /users/{userId}/assistants", assistants)
    assert {a["email"] for a in assistants.json()["assistants"]} == {
        API_USER_EMAIL,
        SCENARIOS["host_assistant"]["email"],
    }
    schedulers = zoom.get(f"/users/{SCENARIOS['host_assistant']['email']}/schedulers")
    assert_matches("GET /users/{userId}/schedulers", schedulers)
    assert [s["email"] for s in schedulers.json()["schedulers"]] == [HOST]
    assert isinstance(schedulers.json()["schedulers"][0]["pmi"], int)


def test_api_user_can_schedule_for_every_licensed_active_user(seeded, zoom):
    schedulers = {s["email"] for s in zoom.get("/users/me/schedulers").json()["schedulers"]}
    licensed = set()
    token = ""
    while True:
        body = zoom.get("/users", params={"page_size": 300, "next_page_token": token}).json()
        licensed |= {u["email"] for u in body["users"] if u["type"] == 2 and u["email"] != API_USER_EMAIL}
        token = body["next_page_token"]
        if not token:
            break
    assert schedulers == licensed


def test_add_assistant_answers_201_with_ids_string_and_add_at(seeded, zoom):
    response = zoom.post(f"/users/{HOST}/assistants", json={"assistants": [{"email": OTHER}]})
    assert_matches("POST /users/{userId}/assistants", response)
    body = response.json()
    assert body["ids"] == SCENARIOS["old_host"]["id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["add_at"])
    assert HOST in seeded.schedulers_of(OTHER)


def test_add_several_assistants_joins_ids_with_commas(seeded, zoom):
    items = [{"email": OTHER}, {"id": SCENARIOS["promote_member"]["id"]}]
    body = zoom.post(f"/users/{HOST}/assistants", json={"assistants": items}).json()
    assert body["ids"] == f"{SCENARIOS['old_host']['id']},{SCENARIOS['promote_member']['id']}"


def _error(zoom, host, items):
    response = zoom.post(f"/users/{host}/assistants", json={"assistants": items})
    assert response.status_code == 400, response.text
    return response.json()


def test_add_assistant_errors_are_400_code_200(seeded, zoom):
    basic = SCENARIOS["basic_user"]["email"]
    assert _error(zoom, HOST, [{"email": HOST}]) == {
        "code": 200,
        "message": "Can't assign scheduling privilege to yourself.",
    }
    assert (
        _error(zoom, HOST, [{"email": "ghost@example.com"}])["message"]
        == "Can't find user ghost@example.com."
    )
    assert _error(zoom, HOST, [{"email": basic}])["message"] == (
        f"The user must either be a Licensed user or an On-prem user : {basic}."
    )
    assert _error(zoom, HOST, [{"email": API_USER_EMAIL}])["message"] == (
        f"User {API_USER_EMAIL} has already granted scheduling privilege."
    )
    assert _error(zoom, basic, [{"email": HOST}])["code"] == 200


def test_at_most_30_assistants(sandbox, zoom):
    for index in range(31):
        sandbox.create_user(f"helper{index}@example.com", first_name="Helper", last_name=str(index))
    items = [{"email": f"helper{index}@example.com"} for index in range(31)]
    assert _error(zoom, "owner@example.com", items)["code"] == 300
    assert (
        zoom.post("/users/owner@example.com/assistants", json={"assistants": items[:30]}).status_code == 201
    )


def test_assistants_need_a_paid_account(seeded, zoom):
    seeded.set_plan("free")
    message = _error(zoom, HOST, [{"email": OTHER}])["message"]
    assert message == f"Current account must be paid account: {HOST}"


def test_delete_one_assistant_or_all_and_schedulers_too(seeded, zoom):
    assistant = SCENARIOS["host_assistant"]["email"]
    assert zoom.delete(f"/users/{HOST}/assistants/{SCENARIOS['host_assistant']['id']}").status_code == 204
    assert assistant not in seeded.assistants_of(HOST)
    assert zoom.delete(f"/users/{HOST}/assistants").status_code == 204
    assert seeded.assistants_of(HOST) == []
    assert zoom.delete(f"/users/me/schedulers/{OTHER}").status_code == 204
    assert OTHER not in seeded.schedulers_of(API_USER_EMAIL)
    assert zoom.delete("/users/me/schedulers").status_code == 204
    assert seeded.schedulers_of(API_USER_EMAIL) == []
    assert zoom.get("/users/ghost@example.com/assistants").json()["code"] == 1001
