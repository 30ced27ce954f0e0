"""The rows of the audit log list (/audit/), built like the search tables' rows (accounts/templatetags/
search_tables.py explains why: a row through the template language costs several times this, and the list
must answer within its p95 target over millions of events). It lives here, beside those helpers, because
the audit app sits below accounts and may not import them. The markup is the one the template had;
tests/audit/test_views_list.py checks its escaping."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField, Form, Select
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accounts.templatetags.search_tables import detail_url_maker, esc, rows_html, zoom_esc
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.sentences import Event, event_sentence

register = template.Library()

OUTCOME_LABELS = {value: str(label) for value, label in Outcome.choices}
SENTENCE_CHARS = 240
CHIP_SEPARATOR = "\n    "


@register.simple_tag
def audit_rows(events: Iterable[Event]) -> SafeString:
    url = detail_url_maker("audit:event_detail")
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    cells = _Cells()
    return rows_html(_row(event, url(event.seq), zone, cells) for event in events)


class _Cells(dict[tuple[str, str], str]):
    """The escaped markup of values a page repeats from row to row (actors, actions, outcomes, target
    types), made once per page: escaping each of them on every row cost the page more than its lookups."""

    def __missing__(self, key: tuple[str, str]) -> str:
        kind, value = key
        if kind == "actor":
            cell = f"<td><bdi>{zoom_esc(value)}</bdi></td>"
        elif kind == "action":
            cell = f'<div class="small muted"><code>{esc(value)}</code></div></td>'
        elif kind == "outcome":
            label = OUTCOME_LABELS.get(value, value)
            cell = f'<td><span class="badge badge-{esc(value)}">{esc(label)}</span></td></tr>'
        else:
            cell = f'<span class="muted small">{esc(value)}</span> '
        self[key] = cell
        return cell


def _row(event: Event, link: str, zone: datetime.tzinfo | None, cells: _Cells | None = None) -> str:
    cells = _Cells() if cells is None else cells
    when = event.time.astimezone(zone) if zone and timezone.is_aware(event.time) else event.time
    iso = when.isoformat()
    # The shown time is the ISO one's date and seconds (quicker than formatting it again), but for the
    # years strftime writes without four digits.
    shown = f"{iso[:10]} {iso[11:19]}" if when.year >= 1000 else f"{when:%Y-%m-%d %H:%M:%S}"
    if event.target_type:
        target = (
            f"{cells['kind', event.target_type]}<bdi>{zoom_esc(event.target_label or event.target_id)}</bdi>"
        )
    else:
        target = '<span class="muted">—</span>'
    sentence = _truncated(event_sentence(event))
    return (
        f'<tr><td class="num"><a href="{link}">{event.seq}</a></td>'
        f'<td class="nowrap"><time datetime="{iso}">{shown}</time></td>'
        f"{cells['actor', event.actor_label]}"
        f'<td><a href="{link}"><bdi>{zoom_esc(sentence)}</bdi></a>'
        f"{cells['action', event.action]}"
        f"<td>{target}</td>"
        f"{cells['outcome', event.outcome]}"
    )


def _truncated(text: str) -> str:
    """Truncator(text).chars(SENTENCE_CHARS); a text that already fits comes back as Truncator gives it
    (NFC-normalised) without counting its characters one by one, which most rows' sentences do."""
    composed = unicodedata.normalize("NFC", text)  # as Truncator does first; it may lengthen the text
    if len(composed) <= SENTENCE_CHARS:  # no more characters than code points: nothing to cut
        return composed
    return Truncator(text).chars(SENTENCE_CHARS)


@register.simple_tag
def audit_datalist(element_id: str, values: Iterable[str]) -> SafeString:
    """A <datalist> of `values` (the filter inputs' suggestions: ~50 options, a template loop's work)."""
    options = "".join(f'<option value="{esc(value)}"></option>' for value in values)
    return mark_safe(f'<datalist id="{esc(element_id)}">{options}</datalist>')  # noqa: S308 - escaped


@register.simple_tag
def audit_outcome_chips(chips: Iterable[Mapping[str, Any]]) -> SafeString:
    """The outcome chips (views._outcome_chips): a link each, its count, the current one marked. Plain
    links, loading the whole list page: its filter form must show the outcome a chip sets, or the next
    change of another filter would drop it."""
    return mark_safe(CHIP_SEPARATOR.join(_chip(chip) for chip in chips))  # noqa: S308 - escaped


def _chip(chip: Mapping[str, Any]) -> str:
    kind = f" chip-{esc(chip['outcome'])}" if chip.get("outcome") else ""
    current = " chip-current" if chip["current"] else ""
    return (
        f'<a class="chip{kind}{current}" href="{esc(chip["url"])}"'
        f"{' aria-current="true"' if chip['current'] else ''}>{esc(chip['label'])} "
        f'<span class="chip-count">{esc(chip["shown"])}</span></a>'
    )


@register.simple_tag
def audit_filter_fields(form: Form) -> SafeString:
    """The filter form's visible fields (label, input, errors), with the markup Django's widgets give
    them, built here for the rows' reason: ten widgets through the form renderer's templates cost as
    much as the rest of a one-event page."""
    return rows_html(_field(bound) for bound in form.visible_fields())


def _field(bound: BoundField) -> str:
    widget = bound.field.widget
    attrs = bound.build_widget_attrs(dict(widget.attrs), widget)
    if bound.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound.auto_id}_error"
    attrs["id"] = bound.auto_id
    value = widget.format_value(bound.value())
    rest = "".join(
        f' {esc(name)}="{esc(v)}"' for name, v in attrs.items() if name != "type" and v is not False
    )
    if isinstance(widget, Select):
        chosen = "" if value is None else str(value[0] if isinstance(value, list) and value else value)
        options = "".join(
            f'<option value="{esc(v)}"{" selected" if str(v) == chosen else ""}>{esc(label)}</option>'
            for v, label in widget.choices
        )
        control = f'<select name="{esc(bound.html_name)}"{rest}>{options}</select>'
    else:
        kind = attrs.get("type") or getattr(widget, "input_type", "text")
        shown = "" if value in (None, "") else f' value="{esc(value)}"'
        control = f'<input type="{esc(kind)}" name="{esc(bound.html_name)}"{shown}{rest}>'
    errors = ""
    if bound.errors:
        items = "".join(f"<li>{esc(error)}</li>" for error in bound.errors)
        errors = f'<ul class="errorlist" id="{esc(bound.auto_id)}_error">{items}</ul>'
    grow = " field-grow" if bound.name == "q" else ""
    return (
        f'<div class="field{grow}"><label for="{esc(bound.id_for_label)}">{esc(bound.label)}</label>'
        f"{control}{errors}</div>"
    )
