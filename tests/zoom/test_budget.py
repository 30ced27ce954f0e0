"""The request budget is shared by all workers through the cache; background work may use only its share
of each second so that people clicking are never starved."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command

from zoomadmin_site.zoom import Priority, ZoomRateLimited, zoom_priority
from zoomadmin_site.zoom.budget import RequestBudget

from .conftest import zoom_error

USER = {"id": "u1", "email": "a@example.com"}


def _budget(cache, clock, *, per_second=10, share=0.7, max_wait=10.0) -> RequestBudget:
    return RequestBudget(
        cache=cache,
        key_prefix="test:budget",
        per_second=per_second,
        background_share=share,
        max_wait=max_wait,
        clock=clock,
        sleep=clock.sleep,
    )


def test_background_work_gets_only_its_share_of_a_second_evenly_paced(zoom_cache, clock):
    budget = _budget(zoom_cache, clock)
    start = clock.now  # 0.25 s into a window

    sent_at = []
    for _ in range(6):  # 70% of 10 per second, less 5% headroom for Zoom's sliding window
        budget.acquire(Priority.BACKGROUND)
        budget.pace(Priority.BACKGROUND)
        sent_at.append(round(clock.now - int(start), 2))
    assert sent_at == [0.25, 0.42, 0.58, 0.75, 0.92, 1.08]  # 1/6 s apart: never a burst

    budget.acquire(Priority.BACKGROUND)
    budget.pace(Priority.BACKGROUND)
    assert clock.now - int(start) == pytest.approx(1.25)  # spaced again after the 6th


def test_interactive_work_may_use_the_whole_second(zoom_cache, clock):
    budget = _budget(zoom_cache, clock)

    for _ in range(10):
        budget.acquire(Priority.INTERACTIVE)
    assert clock.sleeps == []

    budget.acquire(Priority.INTERACTIVE)
    assert len(clock.sleeps) == 1


def test_people_clicking_still_get_the_rest_while_a_sync_is_throttled(zoom_cache, clock):
    workers = [_budget(zoom_cache, clock, max_wait=0.1) for _ in range(7)]  # one per sync process
    for worker in workers[:6]:
        worker.acquire(Priority.BACKGROUND)  # first send of each process: no spacing wait
    with pytest.raises(ZoomRateLimited) as caught:
        workers[6].acquire(Priority.BACKGROUND)  # refused, and its attempt is not counted

    for _ in range(4):
        workers[0].acquire(Priority.INTERACTIVE)

    assert clock.sleeps == []  # people clicking are neither paced nor made to wait
    assert caught.value.limit_kind == "local_budget" and caught.value.retryable


def test_a_budget_of_zero_means_no_local_limit(zoom_cache, clock):
    budget = _budget(zoom_cache, clock, per_second=0)

    for _ in range(100):
        budget.acquire(Priority.BACKGROUND)

    assert clock.sleeps == []


class LostUpdateCache(BaseCache):
    """A cache whose incr is get+set (like the database cache) and loses one update, as two workers
    racing would: the second incr returns the same number as the first."""

    def __init__(self):
        super().__init__({})
        self._inner = LocMemCache("lost-update", {})
        self._lose_next = True

    def add(self, key, value, timeout=300, version=None):
        return self._inner.add(key, value, timeout)

    def get(self, key, default=None, version=None):
        return self._inner.get(key, default)

    def set(self, key, value, timeout=300, version=None):
        self._inner.set(key, value, timeout)

    def delete(self, key, version=None):
        return self._inner.delete(key)

    def incr(self, key, delta=1, version=None):
        value = self._inner.get(key) + delta
        if self._lose_next and value == 2:
            self._lose_next = False
            return 1  # the other worker's write of 1 won; this worker also thinks it holds slot 1
        self._inner.set(key, value)
        return value


def test_lost_updates_on_a_non_atomic_cache_never_let_extra_requests_through(clock):
    budget = _budget(LostUpdateCache(), clock, per_second=3)

    for _ in range(3):
        budget.acquire(Priority.INTERACTIVE)
    assert clock.sleeps == []

    budget.acquire(Priority.INTERACTIVE)
    assert len(clock.sleeps) == 1


@pytest.mark.django_db
def test_budget_and_token_work_on_the_database_cache(settings, clock, zoom_api, make_client, config):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zoom_test_cache"}
    }
    call_command("createcachetable", verbosity=0)
    from django.core.cache import caches

    client = make_client(dataclasses.replace(config, rate_limit_per_second=3), cache=caches["default"])
    zoom_api.get("https://api.zoom.us/v2/users/u1").respond(200, json=USER)

    for _ in range(4):
        client.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1
    assert len(clock.sleeps) == 1  # the fourth request of the second waited for the next one


class TestThroughTheClient:
    @pytest.fixture
    def limited(self, make_client, config):
        return dataclasses.replace(config, rate_limit_per_second=10, background_share=0.7)

    def test_background_priority_applies_to_every_call_in_the_block(
        self, zoom_api, make_client, limited, clock
    ):
        client = make_client(limited)
        zoom_api.get("https://api.zoom.us/v2/users/u1").respond(200, json=USER)
        start = clock.now

        with zoom_priority(Priority.BACKGROUND):
            for _ in range(8):
                client.get_user(user_id="u1")

        assert (
            int(clock.now) - int(start) == 1
        )  # the 7th call waited for the next window (6 = 95% of 70% of 10)

    def test_workers_share_one_budget(self, zoom_api, make_client, limited, clock):
        first, second = make_client(limited), make_client(limited)
        zoom_api.get("https://api.zoom.us/v2/users/u1").respond(200, json=USER)

        for _ in range(6):
            first.get_user(user_id="u1")
        for _ in range(4):
            second.get_user(user_id="u1")
        assert clock.sleeps == []

        second.get_user(user_id="u1")
        assert len(clock.sleeps) == 1

    def test_a_zoom_per_second_429_pauses_every_worker_for_the_rest_of_the_second(
        self, zoom_api, make_client, limited, clock
    ):
        first = make_client(dataclasses.replace(limited, max_retries=0))
        second = make_client(limited)
        zoom_api.get("https://api.zoom.us/v2/users/u1").mock(
            side_effect=[
                zoom_error(429, 429, "You have reached the maximum per-second rate limit for this API."),
                httpx.Response(200, json=USER),
            ]
        )
        with pytest.raises(ZoomRateLimited):
            first.get_user(user_id="u1")

        second.get_user(user_id="u1")

        assert clock.sleeps == [pytest.approx(0.75)]
