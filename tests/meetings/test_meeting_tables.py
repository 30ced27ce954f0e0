"""The meeting rows tag builds exactly the markup the template built, values escaped the same way."""

from __future__ import annotations

import pytest
from django.utils import timezone

from meetings.models import ZoomMeeting
from meetings.templatetags.meeting_tables import meeting_rows
from tests.accounts.test_search_tables import HOSTILE, render_template, same_markup
from tests.meetings.factories import meeting_fields

# The markup templates/meetings/meeting_list.html had before the rows moved into a tag (with the status
# "Not known", the refresh button and text from Zoom isolated in <bdi> added since).
TEMPLATE_MEETING_ROWS = """{% for m in rows %}
<tr{% if m.is_gone %} class="row-gone"{% endif %}>
  <td class="nowrap">{% if m.start_time %}{{ m.start_time|date:"Y-m-d H:i" }}{% else %}<span class="muted">No fixed time</span>{% endif %}</td>
  <td><a href="{{ m.get_absolute_url }}"><bdi>{{ m.topic|default:"(no topic)" }}</bdi></a>{% if m.is_gone %} <span class="badge badge-gone">Gone</span>{% endif %}</td>
  <td><a href="{{ m.get_absolute_url }}"><code>{{ m.meeting_id }}</code></a></td>
  <td><bdi>{{ m.host_name|default:m.host_email }}</bdi>{% if m.host_name and m.host_email %}<div class="small muted"><bdi>{{ m.host_email }}</bdi></div>{% endif %}</td>
  <td class="hide-narrow">{{ m.type_label }}{% if m.is_pmi %} <span class="badge badge-info">PMI</span>{% endif %}</td>
  <td class="hide-narrow num">{% if m.duration %}{{ m.duration }} min{% endif %}</td>
  <td>{% if m.status %}<span class="badge badge-{{ m.status_css }}">{% if m.status_css == "unknown" %}<bdi>{{ m.status_label }}</bdi>{% else %}{{ m.status_label }}{% endif %}</span>{% else %}<span class="muted">Not known</span>{% endif %}</td>
  {% if can_refresh %}{% url 'mirror:meeting_refresh' m.meeting_id as refresh_url %}<td class="row-refresh"><button type="submit" class="btn btn-small" form="meeting-row-refresh" formaction="{{ refresh_url }}" hx-post="{{ refresh_url }}">Refresh<span class="sr-only"> meeting {{ m.meeting_id }} from Zoom</span></button></td>{% endif %}
</tr>
{% endfor %}"""  # noqa: E501 - the template's lines as they were


def unsaved_meetings() -> list[ZoomMeeting]:
    variants = [
        {},
        {"gone_at": timezone.now(), "status": "started", "is_pmi": True, "type": ZoomMeeting.Type.PMI},
        {"topic": "", "host_name": "", "start_time": None, "type": 3, "duration": None, "status": "waiting"},
        {"topic": HOSTILE, "host_name": HOSTILE, "host_email": "o'neil&co@example.com", "duration": 0},
        {"host_email": "", "type": 42, "status": "<odd>", "meeting_id": -5},
        {"host_name": "", "host_email": "", "status": "", "duration": 1440},
    ]
    return [ZoomMeeting(**meeting_fields(**fields)) for fields in variants]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_meeting_rows_are_the_markup_the_template_made(zone):
    meetings = unsaved_meetings()
    with timezone.override(zone):
        expected = render_template(TEMPLATE_MEETING_ROWS, rows=meetings)
        assert same_markup(meeting_rows(meetings)) == same_markup(expected)


def test_rows_with_a_refresh_button_are_the_markup_the_template_made():
    meetings = [m for m in unsaved_meetings() if m.meeting_id > 0]  # Zoom's ids; the URL takes no others
    expected = render_template(TEMPLATE_MEETING_ROWS, rows=meetings, can_refresh=True)
    assert same_markup(meeting_rows(meetings, can_refresh=True)) == same_markup(expected)
    assert str(meeting_rows(meetings, can_refresh=True)).count('class="row-refresh"') == len(meetings)


def test_a_status_zoom_lists_do_not_carry_is_shown_as_not_known():
    html = str(meeting_rows([ZoomMeeting(**meeting_fields(status=""))]))
    assert '<td><span class="muted">Not known</span></td>' in html


def test_hostile_values_are_escaped():
    html = str(meeting_rows(unsaved_meetings()))
    assert "<script>" not in html and "o&#x27;neil&amp;co@example.com" in html
    assert '<span class="badge badge-unknown"><bdi>&lt;odd&gt;</bdi></span>' in html


def test_a_meeting_id_zoom_would_not_give_gets_no_refresh_button():
    html = str(meeting_rows([ZoomMeeting(**meeting_fields(meeting_id=42))], can_refresh=True))
    assert '<td class="row-refresh"></td>' in html and "<button" not in html
