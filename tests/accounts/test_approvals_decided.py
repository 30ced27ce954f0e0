"""Approvals, decided: the role change requests that needed a manager and wait no longer, with who decided
(and their comment) and how each ended, for the people who see the waiting list."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from zoomadmin_site.changes.models import Approval, ChangeRequest, Kind, Status

from .role_requests import COMMENT
from .test_role_change_views_approvals import many_requests, text

pytestmark = pytest.mark.django_db
DECIDED = "/approvals/decided/"
LISTED = re.compile(r'<a href="/approvals/(\d+)/">#')


def decide(
    change: ChangeRequest, approver, verdict: str = Approval.Decision.REJECT, comment: str = "no"
) -> None:
    Approval.objects.create(
        request=change,
        approver=approver,
        approver_label=approver.username,
        decision=verdict,
        comment=comment,
        plan_fingerprint="f",
    )


def decided(count: int, *, requester, status: str = Status.REJECTED) -> list[ChangeRequest]:
    many_requests(count, requester=requester, status=status)
    return list(ChangeRequest.objects.filter(status=status).order_by("-created_at", "-id"))


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
def test_who_sees_the_decided_list(persona_client, status, db):
    assert persona_client.get(DECIDED).status_code == status


def test_an_approved_request_shows_who_approved_with_their_comment_and_that_zoom_applied_it(
    morgan_client, pending, zoom_sandbox
):
    morgan_client.post(f"/approvals/{pending.pk}/approve/", {"comment": COMMENT})
    pending.refresh_from_db()
    assert pending.status == Status.SUCCEEDED
    response = morgan_client.get(DECIDED)
    row = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert LISTED.findall(row) == [str(pending.pk)]
    assert "badge-approved" in row and "by <bdi>morgan</bdi>" in row and COMMENT in row
    assert 'badge-succeeded">Done, verified in Zoom</span>' in row
    assert "Zoom shows priya.raman@example.com as Admin" in text(response)
    assert "No role change requests are waiting" in text(morgan_client.get("/approvals/"))


def test_a_waiting_request_and_one_that_needed_no_approval_are_not_listed(morgan_client, pending, alice):
    demoted = decided(1, requester=alice, status=Status.SUCCEEDED)[0]
    ChangeRequest.objects.filter(pk=demoted.pk).update(approvals_required=0)  # a demotion: nobody decided
    transfer = decided(1, requester=alice, status=Status.FAILED)[0]
    ChangeRequest.objects.filter(pk=transfer.pk).update(kind=Kind.HOST_TRANSFER)
    assert "No role change request has been decided yet" in text(morgan_client.get(DECIDED))


def test_every_ending_is_listed_newest_first_with_its_decisions(morgan_client, alice, morgan, root):
    rows = decided(2, requester=alice)
    expired = decided(1, requester=alice, status=Status.EXPIRED)[0]
    ChangeRequest.objects.filter(pk=expired.pk).update(created_at=timezone.now())
    for approver, verdict in ((morgan, Approval.Decision.APPROVE), (root, Approval.Decision.REJECT)):
        decide(rows[0], approver, verdict, f"{approver.username} says so")
    html = morgan_client.get(DECIDED).content.decode()
    assert LISTED.findall(html) == [str(expired.pk), str(rows[0].pk), str(rows[1].pk)]
    first, second, third = html.split("<tbody>")[1].split("</tr>")[:3]
    assert "badge-expired" in first and '<span class="muted">None</span>' in first
    assert second.index("morgan says so") < second.index("root says so")  # in the order they were given
    assert "badge-approved" in second and "badge-rejected" in second and "Review</a>" not in html
    assert '<span class="muted">None</span>' in third


def test_it_admins_see_only_their_own_decided_requests(alice_client, alice, root):
    mine = decided(1, requester=alice)[0]
    decided(2, requester=root)
    assert LISTED.findall(alice_client.get(DECIDED).content.decode()) == [str(mine.pk)]
    assert "Your role change requests" in text(alice_client.get(DECIDED))


def test_auditors_see_every_decided_request_read_only(audrey_client, alice, root):
    decided(1, requester=alice)
    decided(2, requester=root)
    html = audrey_client.get(DECIDED).content.decode()
    assert (
        len(LISTED.findall(html)) == 3 and "Review</a>" not in html and "<form" not in html.split("<main")[1]
    )


def test_the_decided_list_pages_older_and_newer_without_repeating_a_request(morgan_client, alice):
    decided(60, requester=alice, status=Status.CANCELLED)
    seen: list[str] = []
    response = morgan_client.get(DECIDED)
    while True:
        html = response.content.decode()
        seen += LISTED.findall(html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        if not older:
            break
        assert older.group(1).startswith(DECIDED)
        response = morgan_client.get(older.group(1).replace("&amp;", "&"))
    assert len(seen) == 60 == len(set(seen))
    newer = re.search(r'rel="prev" href="([^"]+)"', response.content.decode())
    assert newer is not None
    back = morgan_client.get(newer.group(1).replace("&amp;", "&")).content.decode()
    assert LISTED.findall(back) == seen[25:50]
    bad = morgan_client.get(DECIDED, {"after": "not-a-cursor"})
    assert bad.status_code == 200 and "newest requests" in text(bad)


@pytest.mark.parametrize("rows", [5, 500])
def test_the_decided_list_costs_the_same_queries_however_many_requests(
    morgan, client, django_assert_num_queries, rows
):
    for change in decided(rows, requester=morgan):
        if change.pk % 2:
            decide(change, morgan)
    client.force_login(morgan)
    client.get(DECIDED)
    # operator, permissions, the page of requests, the page's decisions, the navigation's count
    with django_assert_num_queries(5):
        client.get(DECIDED)


def test_the_decided_list_escapes_and_isolates_what_it_shows(morgan_client, morgan, alice):
    change = decided(1, requester=alice)[0]
    ChangeRequest.objects.filter(pk=change.pk).update(outcome_reason="<img src=x onerror=alert(1)>")
    decide(change, morgan, comment="<script>alert(1)</script> \u202eevil")
    row = morgan_client.get(DECIDED).content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "<script>" not in row and "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "<img" not in row and "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "“<bdi>&lt;script&gt;" in row  # quoted and isolated, like every text shown


def test_both_lists_link_each_other_and_mark_the_current_one(morgan_client):
    waiting = morgan_client.get("/approvals/").content.decode()
    tabs = waiting.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert f'href="{DECIDED}"' in tabs and 'href="/approvals/" aria-current="page"' in tabs
    tabs = morgan_client.get(DECIDED).content.decode().split('<nav class="tabs"')[1].split("</nav>")[0]
    assert f'href="{DECIDED}" aria-current="page"' in tabs and 'href="/approvals/"' in tabs
