"""Filters for showing text from Zoom among the page's own words (why: accounts/zoom_text.py).

{{ zoom_user.name|zoom_text }}        <bdi>Jill Chill</bdi>, escaped
{{ meeting.agenda|zoom_lines }}       the same, with line breaks as <br>
{{ zoom_user.name|zoom_isolated }}    plain text between isolate characters, for the <title>
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.zoom_text import bidi_contained, bidi_isolated

register = template.Library()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@register.filter
def zoom_text(value: Any) -> SafeString:
    """Always escaped, even under {% autoescape off %}: it is Zoom's text."""
    return format_html("<bdi>{}</bdi>", bidi_contained(_text(value)))


@register.filter
def zoom_lines(value: Any) -> SafeString:
    return format_html("<bdi>{}</bdi>", linebreaksbr(bidi_contained(_text(value)), autoescape=True))


@register.filter
def zoom_isolated(value: Any) -> str:
    return bidi_isolated(_text(value))
