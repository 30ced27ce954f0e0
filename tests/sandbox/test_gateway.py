"""Gateway behaviour: unknown endpoints, headers on every answer, JSON body and validation errors."""

from __future__ import annotations

import httpx
import pytest

from .conftest import get_token

NOT_RECOGNIZED = {"code": 2300, "message": "This API endpoint is not recognized."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("PUT", "/users"),  # known path, wrong method
        ("POST", "/meetings/123"),
        ("GET", "/v2/users/me"),  # base URL already ending in /v2
        ("POST", "/v2/roles/1/members"),
    ],
)
def test_unknown_route_or_method_answers_404_2300(zoom, method, path):
    response = zoom.request(method, path, json={})
    assert response.status_code == 404
    assert response.json() == NOT_RECOGNIZED


def test_paths_outside_v2_are_not_recognized(app):
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
        response = client.get("https://api.zoom.us/users/me")
    assert response.json() == NOT_RECOGNIZED


def test_host_is_ignored_only_the_path_counts(app):
    token = get_token(app).json()["access_token"]
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
        response = client.get(
            "http://127.0.0.1:9100/v2/users/me", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200


def test_every_answer_carries_a_tracking_id(zoom):
    answers = [zoom.get("/users/me"), zoom.get("/users/nobody@example.com"), zoom.get("/nope")]
    ids = {answer.headers["x-zm-trackingid"] for answer in answers}
    assert len(ids) == 3
    assert all(value.startswith("v=2.0;clid=") for value in ids)


def test_rate_limit_category_header_follows_the_label(zoom):
    assert zoom.get("/users").headers["x-ratelimit-category"] == "Medium"
    assert zoom.get("/users/me").headers["x-ratelimit-category"] == "Light"
    assert "x-ratelimit-category" not in zoom.get("/nope").headers


def test_non_json_body_answers_400_300(zoom):
    response = zoom.patch(
        "/users/me", content=b"first_name=Bob", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}
    assert zoom.patch("/users/me", json=["a list"]).json()["code"] == 300


def test_wrong_field_type_answers_validation_failed_with_errors(zoom):
    response = zoom.patch("/users/me", json={"first_name": 12, "type": 7})
    assert response.status_code == 400
    assert response.json() == {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [
            {"field": "first_name", "message": "Invalid field."},
            {"field": "type", "message": "Invalid field."},
        ],
    }


def test_unknown_body_fields_and_query_keys_are_ignored(zoom):
    assert zoom.patch("/users/me", json={"whatever": 1, "dept": "IT"}).status_code == 204
    assert zoom.get("/users", params={"bogus": "1"}).status_code == 200


def test_trailing_slash_is_tolerated(zoom):
    assert zoom.get("/users/me/").status_code == 200
