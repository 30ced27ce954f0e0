"""The Meetings page's result rows, built in one pass (why, and why not by a template partial: see
accounts/templatetags/search_tables.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString

from accounts.templatetags.search_tables import (
    GONE_BADGE,
    GONE_CLASS,
    LocalTime,
    choice_labels,
    detail_url_maker,
    esc,
    refresh_cell,
    rows_html,
    zoom_esc,
)
from accounts.zoom_keys import zoom_meeting_id_ok
from meetings.models import ZoomMeeting

register = template.Library()

MEETING_TYPE_LABELS = choice_labels(ZoomMeeting.Type.choices)
MEETING_STATUS_LABELS = choice_labels(ZoomMeeting.Status.choices)
NO_FIXED_TIME = '<span class="muted">No fixed time</span>'
HOST_EMAIL = '<div class="small muted"><bdi>{}</bdi></div>'  # under the host's name, when both are known
PMI_BADGE = ' <span class="badge badge-info">PMI</span>'
# Zoom's meeting lists carry no status: most rows have none until read from Zoom or told by a webhook.
NOT_KNOWN = '<span class="muted">Not known</span>'
MEETING_REFRESH_FORM = "meeting-row-refresh"
MEETING_ROW = (
    "<tr{}>\n"
    '          <td class="nowrap">{}</td>\n'
    '          <td><a href="{}"><bdi>{}</bdi></a>{}</td>\n'
    '          <td><a href="{}"><code>{}</code></a></td>\n'
    "          <td><bdi>{}</bdi>{}</td>\n"
    '          <td class="hide-narrow">{}{}</td>\n'
    '          <td class="hide-narrow num">{}</td>\n'
    "          <td>{}</td>{}\n"
    "        </tr>"
)


def _status_badge(status: str) -> str:
    if not status:
        return NOT_KNOWN
    if status in MEETING_STATUS_LABELS:  # a known status is a plain word
        return f'<span class="badge badge-{status}">{esc(MEETING_STATUS_LABELS[status])}</span>'
    return f'<span class="badge badge-unknown"><bdi>{zoom_esc(status)}</bdi></span>'


def _meeting_row(
    meeting: ZoomMeeting, url: Callable[[Any], str], time: LocalTime, refresh: Callable[[Any], str] | None
) -> str:
    gone = meeting.gone_at is not None
    link = esc(url(meeting.meeting_id))
    meeting_id = esc(meeting.meeting_id)
    host_name, host_email = meeting.host_name, meeting.host_email
    return MEETING_ROW.format(
        GONE_CLASS if gone else "",
        time.minute(meeting.start_time) if meeting.start_time else NO_FIXED_TIME,
        link,
        zoom_esc(meeting.topic or "(no topic)"),
        GONE_BADGE if gone else "",
        link,
        meeting_id,
        zoom_esc(host_name or host_email),
        HOST_EMAIL.format(zoom_esc(host_email)) if host_name and host_email else "",
        esc(MEETING_TYPE_LABELS.get(meeting.type) or f"Type {meeting.type}"),
        PMI_BADGE if meeting.is_pmi else "",
        f"{esc(meeting.duration)} min" if meeting.duration else "",
        _status_badge(meeting.status),
        refresh_cell(
            MEETING_REFRESH_FORM,
            esc(refresh(meeting.meeting_id)) if zoom_meeting_id_ok(meeting.meeting_id) else "",
            f"meeting {meeting_id}",
        )
        if refresh
        else "",
    )


@register.simple_tag
def meeting_rows(rows: Iterable[ZoomMeeting], can_refresh: bool = False) -> SafeString:
    """The <tr> of each meeting, as templates/meetings/meeting_list.html had them, with a refresh button
    when the operator `can_refresh`."""
    url, time = detail_url_maker("meetings:meeting_detail"), LocalTime()
    refresh = detail_url_maker("mirror:meeting_refresh") if can_refresh else None
    return rows_html(_meeting_row(m, url, time, refresh) for m in rows)
