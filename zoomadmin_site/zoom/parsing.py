"""Defensive readers for Zoom JSON values: wrong or missing types become ``""``/``None``/``()``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def parse_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from Zoom's ``2022-03-25T07:29:29Z`` (or an offset, or epoch seconds/ms)."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 100_000_000_000 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_meeting_id(value: object) -> int:
    """Meeting ids are int64. Zoom's docs and webhooks also show them as strings ("1234567890"), and
    people paste them with spaces ("977 6364 3886")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        digits = value.replace(" ", "").replace("-", "")
        if digits.isdigit():
            return int(digits)
    raise ValueError(f"Not a Zoom meeting id: {value!r}")


def text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def boolean(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def moment(data: Mapping[str, Any], key: str) -> datetime | None:
    return parse_datetime(data.get(key))


def strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    return tuple(str(v) for v in value if v is not None) if isinstance(value, list) else ()


def objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
