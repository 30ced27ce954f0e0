"""The candidate bench/row_render.py measures against the tags: the search pages' rows as template
partials (bench/templates/row_render/*.html, what the page templates' "rows" partials would hold), each
row's values prepared once in Python so the template does as little as it can (URL prefixes reversed
once, labels from dicts, our own words and numbers already markup-safe, rows as dicts, the cheapest
thing to look into), while the template does the markup and escapes every value from Zoom."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe

from accounts.models import ZoomUser
from accounts.templatetags.search_tables import LocalTime
from accounts.zoom_keys import ZOOM_USER_ID, user_key_to_url, zoom_meeting_id_ok, zoom_user_key_ok
from meetings.models import ZoomMeeting

register = template.Library()
Row = dict[str, Any]
_PLACEHOLDER = 918273645546372819
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
NEVER, UNKNOWN, NO_TEXT = SafeString("Never"), SafeString("unknown"), SafeString("")


def _url_around(viewname: str) -> tuple[str, str]:
    prefix, _, suffix = reverse(viewname, args=[_PLACEHOLDER]).rpartition(str(_PLACEHOLDER))
    return prefix, suffix


def key_url_maker(viewname: str) -> Callable[[str], str]:
    prefix, suffix = _url_around(viewname)

    def url(key: str) -> str:
        if ZOOM_USER_ID.fullmatch(key):
            return prefix + key + suffix
        return prefix + quote(user_key_to_url(key), safe=_URL_SAFE) + suffix if key else ""

    return url


def number_url_maker(viewname: str) -> Callable[[int], SafeString]:
    prefix, suffix = _url_around(viewname)
    return lambda number: SafeString(f"{prefix}{int(number)}{suffix}")


def labels(choices: Iterable[tuple[Any, Any]]) -> dict[Any, SafeString]:
    return {value: mark_safe(str(label)) for value, label in choices}  # noqa: S308 - our own words


def type_label(names: dict[Any, SafeString], code: int) -> SafeString:
    return names.get(code) or SafeString(f"Type {int(code)}")


USER_TYPES, USER_STATUSES = labels(ZoomUser.Type.choices), labels(ZoomUser.Status.choices)
USER_STATUS_CSS = {status: SafeString(status) for status in ZoomUser.Status.values}
MEETING_TYPES, MEETING_STATUSES = labels(ZoomMeeting.Type.choices), labels(ZoomMeeting.Status.choices)
MEETING_STATUS_CSS = {status: SafeString(status) for status in ZoomMeeting.Status.values}


@register.simple_tag
def user_row_values(rows: Iterable[ZoomUser], can_refresh: bool = False) -> list[Row]:
    url, time = key_url_maker("accounts:user_detail"), LocalTime()
    refresh = key_url_maker("mirror:user_refresh") if can_refresh else None
    return [
        {
            "url": url(user.url_key),
            "name": user.name,
            "gone": user.gone_at is not None,
            "email": user.email,
            "dept": user.dept,
            "role": getattr(user, "role_name", ""),
            "type": type_label(USER_TYPES, user.type),
            "status_css": USER_STATUS_CSS.get(user.status, UNKNOWN),
            "status": USER_STATUSES.get(user.status, user.status),
            "last_login": SafeString(time.day(user.last_login)) if user.last_login else NEVER,
            "refresh": refresh(user.url_key) if refresh and zoom_user_key_ok(user.url_key) else "",
        }
        for user in rows
    ]


@register.simple_tag
def meeting_row_values(rows: Iterable[ZoomMeeting], can_refresh: bool = False) -> list[Row]:
    url, time = number_url_maker("meetings:meeting_detail"), LocalTime()
    refresh = number_url_maker("mirror:meeting_refresh") if can_refresh else None
    return [
        {
            "url": url(m.meeting_id),
            "start": SafeString(time.minute(m.start_time)) if m.start_time else NO_TEXT,
            "topic": m.topic or "(no topic)",
            "gone": m.gone_at is not None,
            "id": SafeString(int(m.meeting_id)),
            "host": m.host_name or m.host_email,
            "host_email": m.host_email if m.host_name else "",
            "type": type_label(MEETING_TYPES, m.type),
            "pmi": m.is_pmi,
            "duration": SafeString(f"{int(m.duration)} min") if m.duration else NO_TEXT,
            "status_css": MEETING_STATUS_CSS.get(m.status, UNKNOWN),
            "status": MEETING_STATUSES.get(m.status, m.status),
            "refresh": refresh(m.meeting_id) if refresh and zoom_meeting_id_ok(m.meeting_id) else NO_TEXT,
        }
        for m in rows
    ]
