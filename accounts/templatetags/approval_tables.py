"""The rows of the approvals list, built like the search tables' rows (accounts/templatetags/
search_tables.py explains why: a row through the template language costs several times this, and the
list must answer within its p95 target with thousands of requests waiting). The markup is the one the
template had; tests/accounts/test_role_change_views_approvals.py checks it."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from accounts.templatetags.search_tables import LocalTime, detail_url_maker, esc, rows_html, zoom_esc
from zoomadmin_site.changes.models import ChangeRequest

register = template.Library()


@register.simple_tag
def approval_rows(rows: Iterable[ChangeRequest], can_approve: bool) -> SafeString:
    url = detail_url_maker("accounts:approval_detail")
    when = LocalTime()
    button = ("btn btn-small btn-primary", "Review") if can_approve else ("btn btn-small", "Open")
    return rows_html(_row(change, url(change.pk), when, button) for change in rows)


def _row(change: ChangeRequest, link: str, when: LocalTime, button: tuple[str, str]) -> str:
    badges = ""
    if change.duration_hours:
        badges += f' <span class="badge badge-info">for {esc(change.duration_hours)} h</span>'
    if change.approvals_required > 1:
        badges += f' <span class="badge">{esc(change.approvals_required)} approvals</span>'
    expires = (
        f'<time datetime="{change.expires_at.isoformat()}">{when.minute(change.expires_at)}</time>'
        if change.expires_at
        else "—"
    )
    reason = Truncator(change.reason).chars(120)
    return (
        f'<tr><td class="nowrap"><a href="{link}">#{change.pk}</a><div class="small muted">'
        f'<time datetime="{change.created_at.isoformat()}">{when.minute(change.created_at)}</time></div></td>'
        f"<td><bdi>{zoom_esc(change.summary)}</bdi>{badges}</td>"
        f'<td class="hide-narrow"><bdi>{zoom_esc(reason)}</bdi></td>'
        f"<td><bdi>{zoom_esc(change.requester_label)}</bdi></td>"
        f'<td class="nowrap hide-narrow">{expires}</td>'
        f'<td class="nowrap"><a class="{button[0]}" href="{link}">{button[1]}</a></td></tr>'
    )
