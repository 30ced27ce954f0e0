"""Fault knobs and the call log: what a client sees, and what reached "Zoom"."""

from __future__ import annotations

import time

import httpx
import pytest

from zoomadmin_site.sandbox import SCENARIOS

from .conftest import get_token

MEETING = SCENARIOS["transfer_works"]["meeting_id"]
NEW = SCENARIOS["new_host"]["email"]


def test_fail_next_fails_exactly_the_next_matching_calls(seeded, zoom):
    seeded.fail_next("PATCH", "/meetings/*", count=2, status=503, message="Service Temporarily Unavailable.")
    assert zoom.get(f"/meetings/{MEETING}").status_code == 200  # GET does not match
    first = zoom.patch(f"/meetings/{MEETING}", json={"topic": "A"})
    second = zoom.patch(f"/meetings/{MEETING}", json={"topic": "B"})
    third = zoom.patch(f"/meetings/{MEETING}", json={"topic": "C"})
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 204)
    assert first.json() == {"code": 503, "message": "Service Temporarily Unavailable."}
    assert zoom.get(f"/meetings/{MEETING}").json()["topic"] == "C"
    assert [c.fault for c in seeded.calls(method="PATCH")] == ["fail_next:error", "fail_next:error", None]


def test_fail_next_accepts_route_templates_and_the_token_endpoint(sandbox, app, zoom):
    sandbox.fail_next("GET", "/v2/users/{userId}", status=500)
    assert zoom.get("/users/me").status_code == 500
    sandbox.fail_next("POST", "/oauth/token", status=503)
    assert get_token(app).status_code == 503
    assert get_token(app).status_code == 200


def test_timeout_raises_a_read_timeout_in_process_and_changes_nothing(seeded, zoom):
    seeded.fail_next("PATCH", "/meetings/*", kind="timeout")
    with pytest.raises(httpx.ReadTimeout):
        zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW})
    assert zoom.get(f"/meetings/{MEETING}").json()["host_email"] == SCENARIOS["old_host"]["email"]
    (call,) = seeded.calls(method="PATCH")
    assert (call.status, call.fault) == (0, "fail_next:timeout")


def test_timeout_after_write_applies_the_change_but_the_client_never_hears(seeded, zoom):
    seeded.fail_next("PATCH", "/meetings/*", kind="timeout", after_write=True)
    with pytest.raises(httpx.TimeoutException):
        zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW})
    assert zoom.get(f"/meetings/{MEETING}").json()["host_email"] == NEW


def test_error_after_write_answers_5xx_although_the_change_was_made(seeded, zoom):
    seeded.fail_next("PATCH", "/meetings/*", status=502, after_write=True)
    assert zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW}).status_code == 502
    assert zoom.get(f"/meetings/{MEETING}").json()["host_email"] == NEW


def test_drop_next_write_answers_success_but_keeps_nothing(seeded, zoom):
    seeded.set_webhook("https://hooks.example.com/zoom", "s3cret")
    seeded.drop_next_write(method="PATCH", path="/meetings/*")
    response = zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW})
    assert response.status_code == 204
    assert zoom.get(f"/meetings/{MEETING}").json()["host_email"] == SCENARIOS["old_host"]["email"]
    assert seeded.outbox() == []
    assert seeded.calls(method="PATCH")[-1].fault == "drop_next_write"
    assert zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW}).status_code == 204
    assert zoom.get(f"/meetings/{MEETING}").json()["host_email"] == NEW


def test_drop_next_write_is_not_used_up_by_a_failed_write(seeded, zoom):
    seeded.drop_next_write()
    assert (
        zoom.patch(
            f"/meetings/{SCENARIOS['transfer_blocked']['meeting_id']}", json={"schedule_for": NEW}
        ).status_code
        == 400
    )
    assert (
        zoom.post(
            "/roles/1/members", json={"members": [{"id": SCENARIOS["promote_member"]["id"]}]}
        ).status_code
        == 201
    )
    assert zoom.get(f"/users/{SCENARIOS['promote_member']['id']}").json()["role_id"] == "2"


def test_added_latency(sandbox, zoom):
    sandbox.set_latency(120)
    started = time.perf_counter()
    zoom.get("/users/me")
    assert time.perf_counter() - started >= 0.12


def _statuses(sandbox, zoom, seed: int) -> list[int]:
    sandbox.set_fault_seed(seed)
    return [zoom.get("/users/me").status_code for _ in range(20)]


def test_random_faults_are_reproducible_with_a_seed(sandbox, zoom):
    sandbox.set_error_rates(rate_429=0.2, rate_5xx=0.2, status_5xx=503)
    first = _statuses(sandbox, zoom, 11)
    assert first == _statuses(sandbox, zoom, 11)
    assert {200, 429, 503} <= set(first)
    assert first != _statuses(sandbox, zoom, 12)
    sandbox.clear_faults()
    assert set(_statuses(sandbox, zoom, 11)) == {200}


def test_random_429_looks_like_a_per_second_limit(sandbox, zoom):
    sandbox.set_error_rates(rate_429=1.0)
    response = zoom.get("/users/me")
    assert response.status_code == 429 and response.headers["x-ratelimit-type"] == "QPS"


def test_random_timeouts(sandbox, zoom):
    sandbox.set_error_rates(rate_timeout=1.0)
    with pytest.raises(httpx.ReadTimeout):
        zoom.get("/users/me")


def test_call_log_counts_exactly_the_writes_that_reached_zoom(seeded, zoom):
    since = seeded.last_call_id()
    zoom.get(f"/meetings/{MEETING}", params={"show_previous_occurrences": "true"})
    zoom.patch(f"/meetings/{MEETING}", json={"schedule_for": NEW})
    zoom.patch(f"/meetings/{SCENARIOS['transfer_blocked']['meeting_id']}", json={"schedule_for": NEW})
    writes = seeded.calls(writes_only=True)  # the token request (a POST) is not a write
    assert [(c.method, c.status, c.code) for c in writes] == [("PATCH", 204, None), ("PATCH", 400, 3000)]
    assert writes[0].body == {"schedule_for": NEW}
    assert writes[0].route == "PATCH /meetings/{meetingId}"
    assert writes[0].path == f"/v2/meetings/{MEETING}"
    (read,) = seeded.calls(method="GET", since_id=since)
    assert read.query == "show_previous_occurrences=true"
    assert seeded.calls(route="PATCH /meetings/{meetingId}", since_id=since) == writes
    assert len(seeded.calls(path="/v2/meetings/*", since_id=since)) == 3
