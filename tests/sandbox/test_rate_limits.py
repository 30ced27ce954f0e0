"""Rate limits (zoom-api.md §9.3): per-second and daily label limits, and 100 meeting writes per host/day."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest

from zoomadmin_site.sandbox import KNOB_DEFAULTS, PLANS, SCENARIOS, make_app, ratelimit

from .conftest import NOW, api_client

QUOTA_MESSAGE = (
    "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this "
    "particular user. You may resume these requests at GMT 00:00:00."
)


class FakeWallClock:
    """Stands in for ``time`` in the rate limiter so the one-second window is deterministic."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def wall(monkeypatch) -> FakeWallClock:
    clock = FakeWallClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


def test_default_plan_is_pro_like():
    assert KNOB_DEFAULTS["plan"] == "pro" and KNOB_DEFAULTS["rate_limits"] is True
    assert PLANS["pro"]["per_second"] == {"light": 30, "medium": 20, "heavy": 10}


def test_per_second_limit_answers_429_with_qps_headers(sandbox, zoom, wall):
    sandbox.set_rate_limits(True, per_second={"medium": 3})
    assert [zoom.get("/users").status_code for _ in range(3)] == [200, 200, 200]
    response = zoom.get("/users")
    assert response.status_code == 429
    assert response.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
    }
    assert response.headers["x-ratelimit-type"] == "QPS"
    assert response.headers["x-ratelimit-category"] == "Medium"
    assert response.headers["retry-after"] == "1"
    assert zoom.get("/users/me").status_code == 200  # another label has its own budget
    wall.now += 1.01
    assert zoom.get("/users").status_code == 200


def test_per_second_window_ends_when_the_request_arrived(sandbox, zoom, wall):
    """A request admitted late (it waited for the state file's lock) is judged on the second before it
    arrived, not on hits that arrived after it."""
    sandbox.set_rate_limits(True, per_second={"medium": 3})
    arrived = wall.now
    wall.now += 0.5
    assert [zoom.get("/users").status_code for _ in range(3)] == [200, 200, 200]
    wall.now = arrived  # a request that arrived half a second before those, admitted only now
    assert zoom.get("/users").status_code == 200
    wall.now = arrived + 0.6
    assert zoom.get("/users").status_code == 429  # its second holds all four


def test_per_second_limit_is_shared_by_every_app_over_the_state_file(sandbox, state_path, wall):
    sandbox.set_rate_limits(True, per_second={"light": 4})
    first, second = api_client(make_app(state_path)), api_client(make_app(state_path))
    statuses = [client.get("/users/me").status_code for client in (first, second) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]


def _hammer(state_path: str, count: int, results) -> None:
    with api_client(make_app(state_path)) as client:
        results.extend([client.get("/users/me").status_code for _ in range(count)])


def test_per_second_limit_holds_across_processes(sandbox, state_path, wall):
    sandbox.set_rate_limits(True, per_second={"light": 7})
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        results = manager.list()
        workers = [context.Process(target=_hammer, args=(str(state_path), 6, results)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        statuses = list(results)
    assert len(statuses) == 18
    assert statuses.count(200) == 7 and statuses.count(429) == 11


def test_daily_label_limit_answers_429_until_next_utc_midnight(sandbox, zoom):
    sandbox.set_clock(NOW)
    sandbox.set_rate_limits(True, per_day={"light": 2})
    assert zoom.get("/users/me").status_code == 200
    assert zoom.get("/users/me").status_code == 200
    response = zoom.get("/users/me")
    assert response.status_code == 429
    assert response.json()["message"].startswith(
        "You have reached the maximum daily rate limit for this API."
    )
    assert response.headers["x-ratelimit-type"] == "Daily-limit"
    assert response.headers["retry-after"] == "2026-03-03T00:00:00Z"
    sandbox.advance(9 * 3600)
    assert zoom.get("/users/me").status_code == 200


def _meeting(zoom, path_user: str, **body):
    body.setdefault("start_time", (NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return zoom.post(f"/users/{path_user}/meetings", json={"topic": "Quota", **body})


def test_the_101st_meeting_write_of_a_host_in_a_utc_day_answers_429(seeded, zoom):
    host = SCENARIOS["new_host"]["email"]
    seeded.set_meeting_usage(host, 98)
    first = _meeting(zoom, host)
    assert first.headers["x-ratelimit-remaining"] == "1"
    assert zoom.patch(f"/meetings/{first.json()['id']}", json={"topic": "Renamed"}).status_code == 204
    response = _meeting(zoom, host)
    assert response.status_code == 429
    assert response.json() == {"code": 429, "message": QUOTA_MESSAGE}
    assert zoom.patch(f"/meetings/{first.json()['id']}", json={"topic": "Again"}).status_code == 429
    assert zoom.delete(f"/meetings/{first.json()['id']}").status_code == 204  # DELETE is not counted
    assert seeded.meeting_usage(host) == 100


def test_meeting_quota_is_charged_to_the_host_not_the_caller(seeded, zoom):
    host = SCENARIOS["old_host"]["email"]
    _meeting(zoom, "me", schedule_for=host)
    assert seeded.meeting_usage(host) == 1
    assert seeded.meeting_usage("me") == 0


def test_failed_writes_are_not_counted(seeded, zoom):
    host = SCENARIOS["old_host"]["email"]
    _meeting(zoom, host, schedule_for=SCENARIOS["new_host"]["email"])  # 400/3000
    assert seeded.meeting_usage(host) == 0


def test_seeded_user_at_the_quota_and_reset_at_midnight(seeded, zoom):
    email = SCENARIOS["quota_exhausted"]["email"]
    assert _meeting(zoom, email).status_code == 429
    seeded.advance(10 * 3600)  # past 00:00 UTC
    assert _meeting(zoom, email).status_code == 201
