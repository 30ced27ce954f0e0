"""Time arithmetic for retries and rate limits: Retry-After in its three forms, next UTC midnight,
exponential backoff with jitter. Pure functions; the caller passes "now"."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from .parsing import parse_datetime


def next_utc_midnight(now: datetime) -> datetime:
    """When Zoom's daily limits reset (00:00 UTC)."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The moment a ``Retry-After`` header points at. Zoom has sent it as seconds, as an HTTP date and
    as an ISO timestamp (``2020-05-31T00:00:00Z``); anything else is ignored."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return now + timedelta(seconds=max(0.0, seconds))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        return parse_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_ratelimit_reset(value: str | None, now: datetime) -> datetime | None:
    """``X-RateLimit-Reset`` (not documented by Zoom; accepted as epoch seconds or a delay in seconds)."""
    try:
        number = float(value or "")
    except ValueError:
        return parse_datetime(value)
    if number > 1_000_000_000:
        return datetime.fromtimestamp(number, tz=UTC)
    return now + timedelta(seconds=max(0.0, number))


def backoff_seconds(attempt: int, rng: random.Random, *, base: float = 0.5, cap: float = 8.0) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so workers spread out."""
    ceiling = min(cap, base * (2**attempt))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
