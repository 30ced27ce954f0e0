"""A meeting's schedule in words: Zoom's recurrence object and occurrence list, read defensively (they are
JSON from Zoom, stored as given, and may be missing, partial or odd)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime

WEEKDAYS = {1: "Sunday", 2: "Monday", 3: "Tuesday", 4: "Wednesday", 5: "Thursday", 6: "Friday", 7: "Saturday"}
WEEK_ORDINALS = {-1: "last", 1: "first", 2: "second", 3: "third", 4: "fourth"}
UNITS = {1: ("day", "days"), 2: ("week", "weeks"), 3: ("month", "months")}
MAX_OCCURRENCES_SHOWN = 50


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _when(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        return parsed.astimezone(datetime.UTC)
    except OverflowError:
        return None


def in_zone(value: datetime.datetime | None, zone: str) -> datetime.datetime | None:
    """`value` in the IANA time zone `zone` (a string from Zoom); None if either is unusable."""
    if value is None or not zone:
        return None
    try:
        return value.astimezone(zoneinfo.ZoneInfo(zone))
    except (LookupError, ValueError, OSError, OverflowError, TypeError):
        return None


def _days(weekly_days: Any) -> str:
    names = [WEEKDAYS[n] for n in (_int(p) for p in str(weekly_days).split(",")) if n in WEEKDAYS]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def _every(kind: int, interval: int) -> str:
    singular, plural = UNITS[kind]
    return f"Every {singular}" if interval <= 1 else f"Every {interval} {plural}"


def _monthly_detail(recurrence: dict[str, Any]) -> str:
    day = _int(recurrence.get("monthly_day"))
    if day:
        return f" on day {day}"
    week, weekday = _int(recurrence.get("monthly_week")), _int(recurrence.get("monthly_week_day"))
    if week in WEEK_ORDINALS and weekday in WEEKDAYS:
        return f" on the {WEEK_ORDINALS[week]} {WEEKDAYS[weekday]}"
    return ""


def _ending(recurrence: dict[str, Any]) -> str:
    until = _when(recurrence.get("end_date_time"))
    if until:
        return f", until {until:%Y-%m-%d}"
    times = _int(recurrence.get("end_times"))
    return f", {times} times" if times else ""


def recurrence_in_words(recurrence: Any) -> str:
    """'Every 2 weeks on Monday and Wednesday, 10 times'; '' when there is nothing readable."""
    if not isinstance(recurrence, dict):
        return ""
    kind = _int(recurrence.get("type"))
    if kind not in UNITS:
        return ""
    text = _every(kind, _int(recurrence.get("repeat_interval")) or 1)
    if kind == 2 and _days(recurrence.get("weekly_days", "")):
        text += " on " + _days(recurrence.get("weekly_days", ""))
    elif kind == 3:
        text += _monthly_detail(recurrence)
    return text + _ending(recurrence)


@dataclass(frozen=True)
class Occurrence:
    occurrence_id: str
    start_time: datetime.datetime | None
    duration: int | None
    status: str


def occurrence_list(occurrences: Any) -> tuple[list[Occurrence], int]:
    """The occurrences to show (at most MAX_OCCURRENCES_SHOWN) and how many more there are."""
    items = [o for o in occurrences if isinstance(o, dict)] if isinstance(occurrences, list) else []
    shown = [
        Occurrence(
            occurrence_id=str(o.get("occurrence_id", ""))[:64],
            start_time=_when(o.get("start_time")),
            duration=_int(o.get("duration")),
            status=str(o.get("status", ""))[:32],
        )
        for o in items[:MAX_OCCURRENCES_SHOWN]
    ]
    return shown, max(0, len(items) - MAX_OCCURRENCES_SHOWN)
