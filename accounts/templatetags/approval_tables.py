"""The rows of the approvals list, built like the search tables' rows (accounts/templatetags/
search_tables.py explains why: a row through the template language costs several times this, and the
list must answer within its p95 target with thousands of requests waiting). The markup is the one the
template had; tests/accounts/test_role_change_views_approvals.py checks it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from accounts.selectors import DecidedRequest
from accounts.templatetags.search_tables import LocalTime, detail_url_maker, esc, rows_html, zoom_esc
from zoomadmin_site.changes.models import Approval, ChangeRequest

register = template.Library()
# A decision's badge: the class of the request status it leads to.
DECISION_BADGES: dict[str, str] = {
    Approval.Decision.APPROVE: "approved",
    Approval.Decision.REJECT: "rejected",
}


@register.simple_tag
def approval_rows(rows: Iterable[ChangeRequest], can_approve: bool) -> SafeString:
    url = detail_url_maker("accounts:approval_detail")
    when = LocalTime()
    button = ("btn btn-small btn-primary", "Review") if can_approve else ("btn btn-small", "Open")
    return rows_html(_row(change, url(change.pk), when, button) for change in rows)


@register.simple_tag
def decided_rows(rows: Iterable[DecidedRequest]) -> SafeString:
    """The decided list's rows (change_requests_decided_page): each request's decisions and how it ended."""
    url = detail_url_maker("accounts:approval_detail")
    when = LocalTime()
    return rows_html(_decided_row(row, url(row.request.pk), when) for row in rows)


def _row(change: ChangeRequest, link: str, when: LocalTime, button: tuple[str, str]) -> str:
    expires = _time(change.expires_at, when) if change.expires_at else "—"
    return (
        f"<tr>{_request_cells(change, link, when)}"
        f'<td class="nowrap hide-narrow">{expires}</td>'
        f'<td class="nowrap"><a class="{button[0]}" href="{link}">{button[1]}</a></td></tr>'
    )


def _decided_row(row: DecidedRequest, link: str, when: LocalTime) -> str:
    change = row.request
    decisions = "".join(
        f'<li><span class="badge badge-{DECISION_BADGES[d.decision]}">'
        f"{esc(d.get_decision_display())}</span> by <bdi>{zoom_esc(d.approver_label)}</bdi> "
        f'<span class="small muted">{_time(d.created_at, when)}</span>'
        f'<div class="small muted">“<bdi>{zoom_esc(Truncator(d.comment).chars(120))}</bdi>”</div></li>'
        for d in row.decisions
    )
    decided = (
        f'<ul class="plain decisions">{decisions}</ul>' if decisions else '<span class="muted">None</span>'
    )
    ending = Truncator(change.outcome_reason).chars(160)
    return (
        f"<tr>{_request_cells(change, link, when)}<td>{decided}</td>"
        f'<td><span class="badge badge-{esc(change.status)}">{esc(change.get_status_display())}</span>'
        f'<div class="small muted"><bdi>{zoom_esc(ending)}</bdi></div></td>'
        f'<td class="nowrap"><a class="btn btn-small" href="{link}">Open</a></td></tr>'
    )


def _request_cells(change: ChangeRequest, link: str, when: LocalTime) -> str:
    """Request (number, when), change (with its badges), reason and requester: the cells both lists share."""
    badges = ""
    if change.duration_hours:
        badges += f' <span class="badge badge-info">for {esc(change.duration_hours)} h</span>'
    if change.approvals_required > 1:
        badges += f' <span class="badge">{esc(change.approvals_required)} approvals</span>'
    reason = Truncator(change.reason).chars(120)
    return (
        f'<td class="nowrap"><a href="{link}">#{change.pk}</a><div class="small muted">'
        f"{_time(change.created_at, when)}</div></td>"
        f"<td><bdi>{zoom_esc(change.summary)}</bdi>{badges}</td>"
        f'<td class="hide-narrow"><bdi>{zoom_esc(reason)}</bdi></td>'
        f"<td><bdi>{zoom_esc(change.requester_label)}</bdi></td>"
    )


def _time(moment: Any, when: LocalTime) -> str:
    return f'<time datetime="{moment.isoformat()}">{when.minute(moment)}</time>'
