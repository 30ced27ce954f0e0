"""The base every endpoint group builds on: the session, URL-encoded path segments, and turning
Zoom's JSON into typed results (``Page``, tuples, single objects)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .errors import ZoomBadResponse
from .models import Page
from .session import JsonObject, ZoomSession

logger = logging.getLogger(__name__)

MAX_MEMBERS_PER_CALL = 30  # assistants and role members: Zoom accepts at most 30 per request


def seg(value: str | int) -> str:
    """One URL-encoded path segment: ``a+b@x.com`` → ``a%2Bb%40x.com``; ``/`` can never split a path."""
    text = str(value)
    if not text:
        raise ValueError("An empty id cannot be part of a Zoom URL.")
    return quote(text, safe="")


def zoom_time(value: datetime | str) -> str:
    """Zoom's ``yyyy-MM-ddTHH:mm:ssZ`` for aware datetimes; naive ones are local time for ``timezone``."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def members_body(ids: Sequence[str], emails: Sequence[str], what: str) -> list[dict[str, str]]:
    members = [{"id": i} for i in ids] + [{"email": e} for e in emails]
    if not members:
        raise ValueError(f"Name at least one {what} (by id or email).")
    if len(members) > MAX_MEMBERS_PER_CALL:
        raise ValueError(f"Zoom accepts at most {MAX_MEMBERS_PER_CALL} {what}s per call, not {len(members)}.")
    return members


def json_body(extra: Mapping[str, Any] | None, **fields: Any) -> JsonObject:
    """The named fields that are set (datetimes in Zoom's format) over any ``extra`` raw fields."""
    body = dict(extra or {})
    for name, value in fields.items():
        if value is not None:
            body[name] = zoom_time(value) if name == "start_time" else value
    return body


def flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def plain_dict(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(value) if value is not None else None


class Endpoints:
    _session: ZoomSession

    def _get(self, path: str, *, operation: str, params: Mapping[str, Any] | None = None) -> JsonObject:
        data = self._session.call("GET", path, operation=operation, params=params)
        if data is None:
            raise ZoomBadResponse(
                f"Zoom answered GET {path} with an empty body.", method="GET", path=path, retryable=True
            )
        return data

    def _one[T](self, data: JsonObject | None, parse: Callable[[Mapping[str, Any]], T]) -> T:
        try:
            return parse(data or {})
        except ValueError as exc:
            raise ZoomBadResponse(f"Zoom's answer could not be read: {exc}.") from exc

    def _items[T](self, data: JsonObject, key: str, parse: Callable[[Mapping[str, Any]], T]) -> tuple[T, ...]:
        raw = data.get(key) or []
        if not isinstance(raw, list):
            raise ZoomBadResponse(f"Zoom's answer has no list of {key}.")
        items = []
        for entry in raw:
            try:
                items.append(parse(entry))
            except (ValueError, TypeError, AttributeError):
                logger.warning("zoom: skipped an unreadable item in %s", key)
        return tuple(items)

    def _page[T](self, data: JsonObject, key: str, parse: Callable[[Mapping[str, Any]], T]) -> Page[T]:
        total = data.get("total_records")
        size = data.get("page_size")
        return Page(
            items=self._items(data, key, parse),
            next_page_token=str(data.get("next_page_token") or ""),
            total_records=total if isinstance(total, int) else None,
            page_size=size if isinstance(size, int) else None,
        )
