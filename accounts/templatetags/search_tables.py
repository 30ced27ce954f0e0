"""Tags for the search result tables (Users and Meetings pages).

Why the result rows' markup is built here, in Python, and not by a template partial: rendering a row
through the template language costs several times what these tags cost (bench/row_render.py measures
both; figures in bench/results/row-render.json), and the difference, over 50 rows, is more than the few
milliseconds the search pages have left under their p95 target. The cost is the template engine's per
value work (lookup, localisation, the lazy-aware escape()), so it stays whichever way the values are
prepared: what must stay in Python is the rows' markup and its escaping. What stays in the templates is
everything else on the pages, including the partial "rows" the htmx row refresh renders (it calls these
tags, so a refreshed row is the very markup of the page).

How: the URL prefix is reversed once (keys escaped as the URL converter and reverse() would), labels come
from dicts, and every value goes through esc(), which escapes exactly as autoescaping does
(tests/accounts/test_search_tables.py renders the same rows with template markup and compares). Text from
Zoom sits in <bdi> (and goes through zoom_esc()), so that bidi controls in it cannot reorder the page's own
words around it (accounts/zoom_text.py). The markup
is spelled out here, so keep it in step with those tests and the templates that load these tags.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe

from accounts.models import ZoomUser
from accounts.zoom_keys import ZOOM_USER_ID, user_key_to_url, zoom_user_key_ok
from accounts.zoom_text import bidi_contained
from zoomadmin_site.search.pages import SortHeader

register = template.Library()

ROW_SEPARATOR = "\n        "  # rows sit in <tbody> at this indentation
GONE_CLASS = ' class="row-gone"'
GONE_BADGE = ' <span class="badge badge-gone">Gone</span>'
ROW_URL_PLACEHOLDER = 918273645546372819  # digits found nowhere else in a URL; <int:> converters take it
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


def esc(value: Any) -> str:
    """What autoescaping does to a plain value (django.utils.html.escape without its lazy-string wrapper,
    which costs more than the escaping when called 500 times a page)."""
    return html.escape(str(value))


def zoom_esc(value: Any) -> str:
    """esc() for text from Zoom, which goes into <bdi>: kept from ending it early (accounts/zoom_text.py)."""
    return esc(bidi_contained(str(value)))


def rows_html(row_markup: Iterable[str]) -> SafeString:
    """Rows whose every value went through esc() (or is constant markup), as safe HTML."""
    return mark_safe(ROW_SEPARATOR.join(row_markup))  # noqa: S308 - built from escaped values only


def detail_url_maker(viewname: str, segment: Callable[[str], str] = str) -> Callable[[Any], str]:
    """`reverse(viewname, args=[key])` for many keys, reversing only once: the reversed prefix, the key's
    path segment (`segment`: what the URL's converter's to_url() makes of it) quoted as reverse() quotes
    it, and the suffix. An empty key, which no converter takes, has no URL ("")."""
    marker = str(ROW_URL_PLACEHOLDER)
    prefix, _, suffix = reverse(viewname, args=[ROW_URL_PLACEHOLDER]).rpartition(marker)

    def url(key: Any) -> str:
        text = str(key)
        if ZOOM_USER_ID.fullmatch(text):  # Zoom's user ids and meeting ids: nothing to escape
            return prefix + text + suffix
        return prefix + quote(segment(text), safe=_URL_SAFE) + suffix if text else ""

    return url


class LocalTime:
    """What the template's |date filter formats: aware datetimes in the current time zone (looked up
    once for all rows)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None

    def _local(self, value: datetime.datetime) -> datetime.datetime:
        return value.astimezone(self.zone) if self.zone and timezone.is_aware(value) else value

    def day(self, value: datetime.datetime) -> str:
        """`value|date:"Y-m-d"`."""
        local = self._local(value)
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"

    def minute(self, value: datetime.datetime) -> str:
        """`value|date:"Y-m-d H:i"`."""
        local = self._local(value)
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def query_string(*params: Mapping[str, str]) -> str:
    """What `{% querystring params other %}` gives: later mappings win, "?" even when empty."""
    merged: dict[str, str] = {}
    for mapping in params:
        merged.update(mapping)
    return "?" + urlencode(merged)


def choice_labels(choices: Iterable[tuple[Any, Any]]) -> dict[Any, str]:
    return {value: str(label) for value, label in choices}


USER_TYPE_LABELS = choice_labels(ZoomUser.Type.choices)
USER_STATUS_LABELS = choice_labels(ZoomUser.Status.choices)
USER_ROW = (
    "<tr{}>\n"
    "          <td>{}{}</td>\n"
    "          <td><bdi>{}</bdi></td>\n"
    '          <td class="hide-narrow"><bdi>{}</bdi></td>\n'
    "          <td><bdi>{}</bdi></td>\n"
    "          <td>{}</td>\n"
    '          <td><span class="badge badge-{}">{}</span></td>\n'
    '          <td class="hide-narrow nowrap">{}</td>{}\n'
    "        </tr>"
)
# "Refresh this row from Zoom", for operators who may refresh the mirror. htmx posts it and swaps the row
# (hx-target and hx-vals come from the <tbody>); without JavaScript the button submits the page's one
# hidden form `form_id` (CSRF token, the search URL to come back to) to the row's refresh URL. A row whose
# key Zoom would not take (accounts/zoom_keys.py) has an empty cell: the refresh view would refuse it.
REFRESH_CELL = '\n          <td class="row-refresh">{}</td>'
REFRESH_BUTTON = (
    '<button type="submit" class="btn btn-small" form="{}" formaction="{}" hx-post="{}">'
    'Refresh<span class="sr-only"> {} from Zoom</span></button>'
)
NAME_LINK = '<a href="{}"><bdi>{}</bdi></a>'

USER_REFRESH_FORM = "user-row-refresh"


def refresh_cell(form_id: str, url: str, label: str) -> str:
    """The refresh button's cell; `url` and `label` already escaped, `url` empty for no button."""
    return REFRESH_CELL.format(REFRESH_BUTTON.format(form_id, url, url, label) if url else "")


def _user_row(
    user: ZoomUser, url: Callable[[Any], str], time: LocalTime, refresh: Callable[[Any], str] | None
) -> str:
    gone, key = user.gone_at is not None, user.url_key
    status = user.status
    known_status = status in USER_STATUS_LABELS
    name, link = zoom_esc(user.name), url(key)
    return USER_ROW.format(
        GONE_CLASS if gone else "",
        NAME_LINK.format(esc(link), name) if link else f"<bdi>{name}</bdi>",  # no key, no page to link
        GONE_BADGE if gone else "",
        zoom_esc(user.email),
        zoom_esc(user.dept),
        zoom_esc(getattr(user, "role_name", "")),
        esc(USER_TYPE_LABELS.get(user.type) or f"Type {user.type}"),
        status if known_status else "unknown",  # a known status is a plain word
        esc(USER_STATUS_LABELS[status]) if known_status else f"<bdi>{zoom_esc(status)}</bdi>",
        time.day(user.last_login) if user.last_login else "Never",
        refresh_cell(
            USER_REFRESH_FORM, esc(refresh(key)) if zoom_user_key_ok(key) else "", f"<bdi>{name}</bdi>"
        )
        if refresh
        else "",
    )


@register.simple_tag
def user_rows(rows: Iterable[ZoomUser], can_refresh: bool = False) -> SafeString:
    """The <tr> of each user, as templates/accounts/user_list.html had them (`role_name` set by the view),
    with a refresh button when the operator `can_refresh`."""
    url, time = detail_url_maker("accounts:user_detail", user_key_to_url), LocalTime()
    refresh = detail_url_maker("mirror:user_refresh", user_key_to_url) if can_refresh else None
    return rows_html(_user_row(u, url, time, refresh) for u in rows)


SORT_MARKS = {
    "ascending": mark_safe(' <span aria-hidden="true">▲</span>'),
    "descending": mark_safe(' <span aria-hidden="true">▼</span>'),
}
NO_MARKUP = mark_safe("")


@register.simple_tag(takes_context=True)
def sort_th(context: template.Context, header: SortHeader, narrow: bool = False) -> SafeString:
    """A sortable column header: a link that sorts by the column (or reverses it), and aria-sort."""
    href = context["request"].path + query_string(header.params)
    return format_html(
        '<th scope="col"{}{}>\n  <a href="{}" hx-get="{}">{}{}</a>\n</th>',
        format_html(' aria-sort="{}"', header.aria_sort) if header.aria_sort else NO_MARKUP,
        mark_safe(' class="hide-narrow"') if narrow else NO_MARKUP,
        href,
        href,
        header.label,
        SORT_MARKS.get(header.aria_sort, NO_MARKUP),
    )


@register.simple_tag
def select_options(choices: Iterable[Any], selected: Any) -> SafeString:
    """The <option>s of a filter's <select>: `choices` are (value, label) pairs or plain values (value and
    label alike); the one whose value reads as `selected` is selected ("" or None: none is, as a missing
    form value resolves to "" here)."""
    chosen = None if selected in (None, "") else str(selected)
    markup = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple | list) else (choice, choice)
        value = str(value)
        mark = " selected" if value == chosen else ""
        markup.append(f'<option value="{esc(value)}"{mark}>{esc(label)}</option>')
    return mark_safe("".join(markup))  # noqa: S308 - built from escaped values only
