"""The request budget paces every worker on one grid of send slots shared through the cache: no sliding
second (Zoom counts that way) ever holds more calls than the limit, whatever the number of workers,
threads or processes; background work takes only its share of the slots, so people clicking are never
starved; a quiet account lets a person's few reads go out at once."""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
from bisect import bisect_right

import httpx
import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command

from zoomadmin_site.zoom import Priority, ZoomRateLimited, zoom_priority
from zoomadmin_site.zoom.budget import MARGIN_SECONDS, RequestBudget

from .conftest import FakeClock, zoom_error

USER = {"id": "u1", "email": "a@example.com"}
START = 1_800_000_000.25


class FrozenClock:
    """Time stands still; ``sleep`` records when the caller would send (its slot's instant). Many
    claimers at one instant are the worst case: every one of them wants to send now."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self._local = threading.local()
        self._lock = threading.Lock()
        self.sends: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self._local.slept = seconds

    def send(self, budget: RequestBudget, priority: Priority) -> float:
        """Claim as a worker would; the instant the call would go out."""
        self._local.slept = 0.0
        budget.acquire(priority)
        at = self.now + self._local.slept
        with self._lock:
            self.sends.append(at)
        return at


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


def busiest_second(sends: list[float], span: float = 1.0) -> int:
    """The most calls in any sliding one-second span (t - 1, t], as Zoom counts them. With ``span`` 1 +
    MARGIN_SECONDS: the most Zoom could count if each call reached it up to the margin late (the calls of
    the margin's time before a second all late, those inside it on time)."""
    times = sorted(sends)
    return max(bisect_right(times, t) - bisect_right(times, t - span) for t in times)


LATE = 1 + MARGIN_SECONDS


def test_calls_of_many_workers_are_spaced_on_one_grid(zoom_cache):
    clock = FrozenClock()
    workers = [_budget(zoom_cache, clock, share=1.0) for _ in range(3)]  # three processes
    rate = workers[0].rate
    assert rate == pytest.approx(10 / LATE)  # 10 per second, less room for sends a little late

    for _ in range(10):
        for worker in workers:
            clock.send(worker, Priority.BACKGROUND)

    times = sorted(clock.sends)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    assert set(gaps) == {round(1 / rate, 6)}  # one after another, never two in one slot
    assert busiest_second(times) == 10 and busiest_second(times, LATE) == 10  # even with late sends


def test_threads_claiming_at_once_never_put_more_than_the_limit_in_any_second(zoom_cache):
    clock = FrozenClock()
    budget = _budget(zoom_cache, clock, per_second=20, share=1.0)
    others = [_budget(zoom_cache, clock, per_second=20, share=1.0) for _ in range(3)]
    claimers = [budget] * 5 + others  # threads of one process, and other processes

    def work(worker: RequestBudget) -> None:
        for _ in range(15):
            clock.send(worker, Priority.BACKGROUND)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in claimers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(clock.sends) == 120 and len(set(clock.sends)) == 120  # every call its own slot
    assert busiest_second(clock.sends, LATE) <= 20  # Zoom's 20, even were each sent the margin late


def test_background_work_takes_only_its_share_and_people_are_not_queued_behind_it(zoom_cache):
    clock = FrozenClock()
    sync = _budget(zoom_cache, clock, per_second=20, share=0.7)
    person = _budget(zoom_cache, clock, per_second=20, share=0.7)

    background = [clock.send(sync, Priority.BACKGROUND) for _ in range(40)]
    assert busiest_second(background) <= sync.allowance(Priority.BACKGROUND) < 13
    assert max(background) - START > 3  # the sync's queue reaches seconds ahead

    clicked = clock.send(person, Priority.INTERACTIVE)
    assert clicked - START < 0.2  # a slot the sync may not take, not the end of its queue
    assert busiest_second([*background, clicked], LATE) <= 20


def test_people_clicking_on_a_quiet_account_send_a_few_calls_at_once(zoom_cache):
    clock = FrozenClock()
    budget = _budget(zoom_cache, clock, per_second=20, share=0.7)
    rate = budget.rate
    assert (budget.burst, rate) == (5, pytest.approx(15 / LATE))

    first = [clock.send(budget, Priority.INTERACTIVE) for _ in range(5)]
    # Slots the quiet moment before left unused: at once, or within one slot.
    assert sum(at <= START for at in first) >= 4 and all(at < START + 1 / rate for at in first)
    later = [clock.send(budget, Priority.INTERACTIVE) for _ in range(20)]
    assert all(b - a == pytest.approx(1 / rate, abs=1e-6) for a, b in itertools.pairwise(later))
    assert busiest_second(first + later, LATE) <= 20  # the burst counts against the limit too

    clock.now += 5  # quiet again: the burst is there again
    assert clock.send(budget, Priority.INTERACTIVE) <= clock.now + 1 / rate


def test_a_slot_another_worker_took_first_is_skipped(zoom_cache):
    clock = FrozenClock()
    budget = _budget(zoom_cache, clock, share=1.0)
    first = clock.send(budget, Priority.BACKGROUND)
    zoom_cache.add(f"test:budget:{round(first * budget.rate) + 1}", 1)  # another process takes the next

    second = clock.send(budget, Priority.BACKGROUND)

    assert second == pytest.approx(first + 2 / budget.rate)


def test_a_wait_longer_than_allowed_is_refused_and_takes_no_slot(zoom_cache):
    clock = FrozenClock()
    impatient = _budget(zoom_cache, clock, share=1.0, max_wait=0.5)
    for _ in range(4):
        clock.send(impatient, Priority.BACKGROUND)

    with pytest.raises(ZoomRateLimited) as caught:
        for _ in range(10):
            clock.send(impatient, Priority.BACKGROUND)

    assert caught.value.limit_kind == "local_budget" and caught.value.retryable
    patient = _budget(zoom_cache, clock, share=1.0)
    taken = sorted(clock.sends)
    assert clock.send(patient, Priority.BACKGROUND) == pytest.approx(taken[-1] + 1 / patient.rate)  # no gap


def test_a_budget_of_zero_means_no_local_limit(zoom_cache, clock):
    budget = _budget(zoom_cache, clock, per_second=0)

    for _ in range(100):
        budget.acquire(Priority.BACKGROUND)

    assert clock.sleeps == []


@pytest.mark.django_db
def test_budget_and_token_work_on_the_database_cache(settings, clock, zoom_api, make_client, config):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zoom_test_cache"}
    }
    call_command("createcachetable", verbosity=0)
    from django.core.cache import caches

    client = make_client(dataclasses.replace(config, rate_limit_per_second=3), cache=caches["default"])
    zoom_api.get("https://api.zoom.us/v2/users/u1").respond(200, json=USER)
    start = clock.now

    for _ in range(4):
        client.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1
    # 3 per second, less room for late sends: slots LATE / 3 s apart, the first within one.
    spacing = LATE / 3
    assert 3 * spacing <= clock.now - start < 4 * spacing


def test_the_same_grid_on_a_locmem_cache_shared_by_two_budgets():
    cache = LocMemCache("budget-grid", {})
    clock = FrozenClock()
    one, two = _budget(cache, clock, share=1.0), _budget(cache, clock, share=1.0)
    sends = [clock.send(worker, Priority.BACKGROUND) for worker in (one, two) * 9]
    assert len(set(sends)) == 18 and busiest_second(sends, LATE) == 10


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

        # 10 per second, less 2 for people's bursts and room for late sends: 7.7 slots, 7 in 10 of them
        # background work's. Eight calls take more than a second and a quarter.
        assert clock.now - start > 1.25

    def test_workers_share_one_grid(self, zoom_api, make_client, limited, clock):
        first, second = make_client(limited), make_client(limited)
        sent: list[float] = []
        zoom_api.get("https://api.zoom.us/v2/users/u1").mock(
            side_effect=lambda request: sent.append(clock.now) or httpx.Response(200, json=USER)
        )

        for _ in range(6):
            first.get_user(user_id="u1")
            second.get_user(user_id="u1")

        assert len(sent) == 12 and busiest_second(sent, LATE) <= 10  # both count against one limit
        assert max(sent) - min(sent) > 1  # 12 calls at 7.7 slots a second (and a burst of 2)

    def test_a_zoom_per_second_429_pauses_every_worker_for_a_second(
        self, zoom_api, make_client, limited, clock
    ):
        first = make_client(dataclasses.replace(limited, max_retries=0))
        second = make_client(limited)
        sent: list[float] = []
        answers = iter(
            [
                zoom_error(429, 429, "You have reached the maximum per-second rate limit for this API."),
                httpx.Response(200, json=USER),
            ]
        )
        zoom_api.get("https://api.zoom.us/v2/users/u1").mock(
            side_effect=lambda request: sent.append(clock.now) or next(answers)
        )
        with pytest.raises(ZoomRateLimited):
            first.get_user(user_id="u1")

        second.get_user(user_id="u1")

        assert sent[1] - sent[0] >= 1 - 1 / 6


def test_a_call_woken_late_takes_a_new_slot_instead_of_crowding_the_next_second(zoom_cache):
    class LateClock(FakeClock):
        """The machine is busy: the first wait overshoots by 0.3 s."""

        def sleep(self, seconds: float) -> None:
            super().sleep(seconds + (0.3 if not self.sleeps else 0.0))

    clock = LateClock(START)
    other, late = _budget(zoom_cache, clock, share=1.0), _budget(zoom_cache, clock, share=1.0)
    for _ in range(20):
        other._claim(Priority.BACKGROUND)  # claims of other workers, queued ahead
    rate = late.rate
    first_slot = (math.ceil(START * rate) + 20) / rate

    late.acquire(Priority.BACKGROUND)

    assert clock.now >= first_slot + 0.3  # it woke late for its slot...
    assert abs(clock.now * rate - round(clock.now * rate)) < 1e-3  # ...and went out on a new slot's instant
    assert len(clock.sleeps) == 2


def test_a_slot_that_passed_while_the_cache_was_busy_is_not_used_late(zoom_cache):
    class SlowCache:
        """The first claim waits 0.3 s for the cache (a database cache behind other writers)."""

        def __init__(self) -> None:
            self.slow = True

        def get(self, key, default=None):
            return zoom_cache.get(key, default)

        def add(self, key, value, timeout=None):
            if self.slow:
                self.slow = False
                clock.now += 0.3
            return zoom_cache.add(key, value, timeout=timeout)

    clock = FakeClock(START)
    budget = RequestBudget(
        cache=SlowCache(),
        key_prefix="test:budget",
        per_second=10,
        background_share=1.0,
        max_wait=10.0,
        clock=clock,
        sleep=clock.sleep,
    )

    budget.acquire(Priority.BACKGROUND)

    # The slot it got was due while it waited for the cache: it goes out on a later slot, on time.
    assert clock.now > START + 0.3
    assert abs(clock.now * budget.rate - round(clock.now * budget.rate)) < 1e-3
