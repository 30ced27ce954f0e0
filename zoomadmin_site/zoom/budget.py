"""A request budget shared by every worker through Django's cache, so that all of them together stay
under ZOOM_RATE_LIMIT_PER_SECOND (Zoom's limits are per account, shared by all apps on it).

Fixed one-second windows: the counter for second ``s`` lives at ``<prefix>:<s>``, created with
``cache.add`` and counted with ``cache.incr``. Interactive requests (people clicking) may use the whole
window; background ones (sync, bulk jobs) only ``background_share`` of it, so a sync never starves the
people clicking. Set the priority for a block of code with ``zoom_priority(Priority.BACKGROUND)``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from enum import StrEnum

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache

from .errors import ZoomRateLimited


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


# Backends whose incr is atomic. Others (database, file) do get+set, so two workers can both read 4 and
# write 5; for them every counted request also claims its slot number with cache.add, which is atomic.
_ATOMIC_INCR = (LocMemCache, RedisCache, BaseMemcachedCache)
_WINDOW_TTL = 5
# Background work runs at 95% of its share: Zoom counts a sliding second, and a few milliseconds of jitter
# between two paced requests one window apart would otherwise put 61 requests in some second.
_BACKGROUND_HEADROOM = 0.95


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
        self.background_limit = (
            max(1, math.floor(self.limit * background_share * _BACKGROUND_HEADROOM)) if self.limit else 0
        )
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._confirm_slots = not isinstance(cache, _ATOMIC_INCR)
        self._gate = threading.Lock()
        self._next_send = 0.0

    def allowance(self, priority: Priority) -> int:
        return self.background_limit if priority is Priority.BACKGROUND else self.limit

    def acquire(self, priority: Priority) -> float:
        """Take one request from the budget, waiting for the next window when this one is used up.
        Returns the seconds waited; raises ZoomRateLimited when the wait would exceed ``max_wait``.

        Background requests are then also spaced out by ``pace`` right before they are sent."""
        if not self.limit:
            return 0.0
        allowance = self.allowance(priority)
        waited = 0.0
        while True:
            now = self._clock()
            window = math.floor(now)
            if self._take(window, allowance):
                return waited
            pause = max(window + 1 - now, 0.001)
            if waited + pause > self._max_wait:
                raise ZoomRateLimited(
                    f"This dashboard's share of Zoom's request rate ({allowance} per second for {priority} "
                    f"work) stayed used up for {waited:.0f} seconds.",
                    remedy="Try again shortly; a large background job may be running.",
                    reason="local_budget",
                    limit_kind="local_budget",
                    retry_after=1.0,
                    retryable=True,
                )
            self._sleep(pause)
            waited += pause

    def exhaust_current_window(self) -> None:
        """Zoom said 429 per second: tell every worker to stop for the rest of this second."""
        if self.limit:
            self._cache.set(self._key(math.floor(self._clock())), self.limit, timeout=_WINDOW_TTL)

    def _key(self, window: int) -> str:
        return f"{self._prefix}:{window}"

    def pace(self, priority: Priority) -> float:
        """Background sends leave this process at least 1 / background_limit seconds apart, so that no
        sliding one-second span (Zoom counts that way) holds more than the background share, even across a
        window boundary. Called right before the request goes out, so that a pause in the worker (a
        database lock, a busy CPU) delays what follows instead of letting it out in a burst. People
        clicking are never paced. Returns the seconds waited."""
        if not self.limit or priority is not Priority.BACKGROUND:
            return 0.0
        with self._gate:
            now = self._clock()
            start = max(now, self._next_send)
            self._next_send = start + 1 / self.background_limit
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)

    def _take(self, window: int, allowance: int) -> int:
        """The slot number taken in this window (1-based), or 0 when the allowance is used up."""
        key = self._key(window)
        for _ in range(self.limit + 1):
            count = self._incr(key)
            if count > allowance:
                self._decr(key)
                return 0
            if not self._confirm_slots or self._cache.add(f"{key}:{count}", 1, timeout=_WINDOW_TTL):
                return count
        return 0

    def _incr(self, key: str) -> int:
        self._cache.add(key, 0, timeout=_WINDOW_TTL)
        try:
            return self._cache.incr(key)
        except ValueError:  # expired between add and incr
            self._cache.add(key, 1, timeout=_WINDOW_TTL)
            return 1

    def _decr(self, key: str) -> None:
        with suppress(ValueError):
            self._cache.decr(key)
