"""A request budget shared by every worker through Django's cache, so that all of them together stay
under ZOOM_RATE_LIMIT_PER_SECOND (Zoom's limits are per account, shared by all apps on it).

Zoom counts a sliding second: a burst at the end of one second and another at the start of the next
trip its limit although each second on its own holds no more than the limit. So calls are paced on one
grid of send slots shared by every worker, thread and process: slot ``k`` is the instant ``k / rate``,
claimed with ``cache.add`` (atomic on every backend, the database one included), and each call waits for
its slot. A one-second span then holds at most ``ceil(rate)`` slots, and calls that reach Zoom up to
``MARGIN_SECONDS`` after their slot's instant add those of the ``MARGIN_SECONDS`` before the span: with
``rate * (1 + MARGIN_SECONDS) = limit - burst`` no sliding second ever holds more than the limit, whatever
the number of workers. The margin is time, not slots: lateness is time (a busy machine, the network),
and slots of 1/80 s at Business rates are far shorter than at Free's 4 a second. A call woken more than
``_LATE_MAX`` seconds after its instant (or after it asked, for a slot already past: a claim slowed by a
busy cache) leaves its slot unused and takes a new one; the rest of the margin covers the rest of the way
to Zoom (building the request, the network).

- Background calls (sync, bulk jobs) take only slots of their share (``background_share`` of them, spread
  evenly), so a sync never starves the people clicking.
- Interactive calls (people clicking) may also take up to ``burst`` slots the grid left unused in the
  moment before (sent at once, a little after their instant): a preflight's few reads go out together when
  the account is quiet. ``burst`` is the people's share of a second, at most BURST_MAX.

Set the priority for a block of code with ``zoom_priority(Priority.BACKGROUND)``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.core.cache.backends.base import BaseCache

from .errors import ZoomRateLimited

BURST_MAX = 5  # interactive calls sent at once when the account is quiet (a preflight makes 4 or 5 reads)
_SLOT_TTL_MARGIN = 2  # seconds a slot's key outlives its instant: nobody claims a past slot after that
_PROBES = 256  # slots tried per claim before looking at the clock again
MARGIN_SECONDS = 0.04  # lateness a call may reach Zoom with, after its slot, without crowding a second
_LATE_MAX = 0.02  # seconds: a call woken later than this after its instant takes a new slot
_RECLAIMS = 3  # new slots taken for one call woken late, before it is sent anyway


class Priority(StrEnum):
    INTERACTIVE = "interactive"
    BACKGROUND = "background"


_priority: ContextVar[Priority] = ContextVar("zoom_priority", default=Priority.INTERACTIVE)


@contextmanager
def zoom_priority(priority: Priority | str) -> Iterator[None]:
    """Run the block's Zoom calls at this priority (default: interactive)."""
    token = _priority.set(Priority(priority))
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> Priority:
    return _priority.get()


class RequestBudget:
    def __init__(
        self,
        *,
        cache: BaseCache,
        key_prefix: str,
        per_second: float,
        background_share: float,
        max_wait: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._cache = cache
        self._prefix = key_prefix
        self.limit = max(1, math.floor(per_second)) if per_second > 0 else 0
        self.share = background_share
        # The people's share of a second, sent at once when the grid left those slots unused.
        spare = self.limit / (1 + MARGIN_SECONDS)
        self.burst = min(BURST_MAX, math.floor((1 - background_share) * spare))
        # Slots per second (not a whole number): rate * (1 + MARGIN_SECONDS) + burst == limit.
        self.rate = (self.limit - self.burst) / (1 + MARGIN_SECONDS) if self.limit else 0.0
        self.background_limit = max(1, math.ceil(self.share * math.ceil(self.rate))) if self.limit else 0
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._gate = threading.Lock()
        self._next = 0  # this process's next slot to try: saves probing slots its own threads took

    def allowance(self, priority: Priority) -> int:
        """Calls per second this priority may make at most."""
        return self.background_limit if priority is Priority.BACKGROUND else math.ceil(self.rate) + self.burst

    def acquire(self, priority: Priority) -> float:
        """Claim the next free send slot and wait for its instant. Returns the seconds waited; raises
        ZoomRateLimited when the wait would exceed ``max_wait`` (no slot is taken then)."""
        if not self.limit:
            return 0.0
        waited = 0.0
        for _ in range(_RECLAIMS + 1):
            asked = self._clock()
            slot = self._claim(priority)
            now = self._clock()
            # A slot already past when asked for is one the burst allows: due when asked. A claim that
            # took long (a busy cache) may return a slot that passed meanwhile: that one is late.
            planned = max(asked, slot / self.rate)
            if planned > now:
                self._sleep(planned - now)
            woke = self._clock()
            waited += max(0.0, woke - now)
            # Woken late (a busy machine): sent now, the call could join the next slots' second and put
            # one more in it than the limit. Its slot is left unused; it takes the next free one instead.
            if woke - planned <= _LATE_MAX:
                break
        return waited

    def exhaust_current_window(self) -> None:
        """Zoom said 429 per second (another app on the account used it up): no worker sends for a
        second; the slots of that second are given up."""
        if self.limit:
            resume = math.floor((self._clock() + 1) * self.rate)
            self._cache.set(self._key("resume"), resume, timeout=_SLOT_TTL_MARGIN + 1)
            with self._gate:
                self._next = max(self._next, resume)

    def _key(self, name: str | int) -> str:
        return f"{self._prefix}:{name}"

    def _background_slot(self, k: int) -> bool:
        """Whether slot ``k`` is one of background work's: ``share`` of the slots, spread evenly."""
        return self.share >= 1 or math.floor((k + 1) * self.share) > math.floor(k * self.share)

    def _claim(self, priority: Priority) -> int:
        """The slot this call takes: the first free one from the earliest this call may take. Background
        work starts after the slots this process's own threads took (no need to try them again); people
        clicking look from the oldest slot the burst allows, so that they find the free slots background
        work left, not only those after its queue. One cache write per call (the claim): a claim that
        finds a slot taken only reads."""
        background = priority is Priority.BACKGROUND
        tried = 0  # slots up to here were found taken
        while True:
            now = self._clock()
            earliest = math.ceil((now if background else now - self.burst / self.rate) * self.rate - 1e-9)
            slot = max(earliest, tried, self._cache.get(self._key("resume"), 0))
            if background:
                with self._gate:
                    slot = max(slot, self._next)
            for _ in range(_PROBES):
                if background and not self._background_slot(slot):
                    slot += 1
                    continue
                wait = slot / self.rate - now
                if wait > self._max_wait:
                    raise self._refusal(priority, wait)
                ttl = math.ceil(max(0.0, wait)) + _SLOT_TTL_MARGIN
                if self._cache.add(self._key(slot), 1, timeout=ttl):
                    with self._gate:
                        self._next = max(self._next, slot + 1)
                    return slot
                slot += 1
            tried = slot

    def _refusal(self, priority: Priority, wait: float) -> ZoomRateLimited:
        return ZoomRateLimited(
            f"This dashboard's share of Zoom's request rate ({self.allowance(priority)} per second for "
            f"{priority} work) is taken for the next {wait:.0f} seconds.",
            remedy="Try again shortly; a large background job may be running.",
            reason="local_budget",
            limit_kind="local_budget",
            retry_after=1.0,
            retryable=True,
        )
