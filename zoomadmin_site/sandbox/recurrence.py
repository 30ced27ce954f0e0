"""Occurrences of a recurring meeting with a fixed time (type 8), in the meeting's time zone.

``recurrence.type``: 1 daily, 2 weekly (``weekly_days`` "1,3": 1 = Sunday … 7 = Saturday), 3 monthly
(``monthly_day``, or ``monthly_week`` -1/1..4 with ``monthly_week_day``); ``repeat_interval``; ends after
``end_times`` occurrences (default 1) or at ``end_date_time``; at most 60 occurrences. Occurrence ids are
the start times in epoch milliseconds, as Zoom's are ("1648194360000").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from .ids import parse_time

MAX_OCCURRENCES = 60


def zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (KeyError, ValueError):
        return UTC


def zoom_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1


def _days(text: Any, fallback: int) -> list[int]:
    days = sorted({int(part) for part in str(text or "").split(",") if part.strip().isdigit()})
    return [d for d in days if 1 <= d <= 7] or [fallback]


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> date | None:
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if zoom_weekday(date(year, month, d)) == weekday
    ]
    if week == -1:
        return date(year, month, days[-1])
    return date(year, month, days[week - 1]) if 1 <= week <= len(days) else None


def _daily(start: date, interval: int) -> Iterator[date]:
    for k in range(MAX_OCCURRENCES * 12):
        yield start + timedelta(days=k * interval)


def _weekly(start: date, interval: int, days: list[int]) -> Iterator[date]:
    week_start = start - timedelta(days=zoom_weekday(start) - 1)
    for k in range(MAX_OCCURRENCES * 12):
        base = week_start + timedelta(weeks=k * interval)
        for day in days:
            candidate = base + timedelta(days=day - 1)
            if candidate >= start:
                yield candidate


def _monthly(start: date, interval: int, rule: dict[str, Any]) -> Iterator[date]:
    for k in range(MAX_OCCURRENCES * 12):
        month_index = start.month - 1 + k * interval
        year, month = start.year + month_index // 12, month_index % 12 + 1
        if rule.get("monthly_week"):
            candidate = _nth_weekday(
                year, month, int(rule["monthly_week"]), int(rule.get("monthly_week_day") or 1)
            )
        else:
            day = int(rule.get("monthly_day") or start.day)
            candidate = date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None
        if candidate is not None and candidate >= start:
            yield candidate


def _dates(rule: dict[str, Any], start: date) -> Iterator[date]:
    interval = max(1, int(rule.get("repeat_interval") or 1))
    kind = int(rule.get("type") or 1)
    if kind == 2:
        return _weekly(start, interval, _days(rule.get("weekly_days"), zoom_weekday(start)))
    if kind == 3:
        return _monthly(start, interval, rule)
    return _daily(start, interval)


def occurrence_starts(rule: dict[str, Any] | None, first_start: int, timezone: str | None) -> list[int]:
    """Start times (epoch seconds) of every occurrence."""
    if not rule:
        return [first_start]
    tz = zone(timezone)
    local = datetime.fromtimestamp(first_start, tz=tz)
    clock = time(local.hour, local.minute, local.second)
    until = parse_time(str(rule["end_date_time"])) if rule.get("end_date_time") else None
    count = (
        MAX_OCCURRENCES
        if until is not None
        else min(MAX_OCCURRENCES, max(1, int(rule.get("end_times") or 1)))
    )
    starts: list[int] = []
    for day in _dates(rule, local.date()):
        ts = int(datetime.combine(day, clock, tzinfo=tz).timestamp())
        if (until is not None and ts > until) or len(starts) >= count:
            break
        starts.append(ts)
    return starts or [first_start]
