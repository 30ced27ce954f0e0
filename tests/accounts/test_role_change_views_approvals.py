"""Approvals: the list of pending requests, the request page (plan, live re-check, decisions, audit
events), approve / reject / cancel, and the count in the managers' navigation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.forms import COMMENT_REQUIRED
from accounts.role_changes import role_change_cancel, role_change_request
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status
from zoomadmin_site.changes.services import ABOUT_YOURSELF, NOT_YOURS, OWN_REQUEST

from .role_requests import ADMIN, COMMENT, PRIYA, REASON

pytestmark = pytest.mark.django_db


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", plain)


def many_requests(count: int, *, requester=None, status: str = Status.PENDING) -> None:
    now = timezone.now()
    ChangeRequest.objects.bulk_create(
        ChangeRequest(
            kind=Kind.ROLE_CHANGE,
            status=status,
            requester=requester,
            requester_label=requester.username if requester else "someone",
            target_type="zoom_user",
            target_id=f"zu{n:06d}",
            target_label=f"User {n}",
            summary=f"Change user{n}@example.com from Member to Admin",
            reason=f"reason {n}",
            created_at=now - datetime.timedelta(minutes=n + 1),
        )
        for n in range(count)
    )


def nav(response) -> str:
    return response.content.decode().split('<nav class="mainnav"')[1].split("</nav>")[0]


# --- the list --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
def test_who_sees_the_approvals_list(persona_client, status, db):
    assert persona_client.get("/approvals/").status_code == status


def test_managers_see_every_pending_request_newest_first_with_a_review_link(morgan_client, pending, alice):
    many_requests(3, requester=alice)
    html = morgan_client.get("/approvals/").content.decode()
    ids = [int(pk) for pk in re.findall(r'<a href="/approvals/(\d+)/">#', html)]
    assert ids[0] == pending.pk and len(ids) == 4  # the newest first
    assert "Review</a>" in html and REASON in text(morgan_client.get("/approvals/"))


def test_decided_requests_are_not_listed(morgan_client, alice):
    many_requests(2, requester=alice, status=Status.SUCCEEDED)
    assert "No role change requests are waiting" in text(morgan_client.get("/approvals/"))


def test_it_admins_see_only_their_own_requests(alice_client, pending, root):
    many_requests(2, requester=root)
    html = alice_client.get("/approvals/").content.decode()
    assert re.findall(r'<a href="/approvals/(\d+)/">#', html) == [str(pending.pk)]
    assert "Review</a>" not in html and "Open</a>" in html


def test_auditors_see_every_request_read_only(audrey_client, pending, root):
    many_requests(2, requester=root)
    html = audrey_client.get("/approvals/").content.decode()
    assert len(re.findall(r'<a href="/approvals/(\d+)/">#', html)) == 3 and "Review</a>" not in html


def test_the_list_pages_older_and_newer_without_repeating_a_request(morgan_client, alice):
    many_requests(60, requester=alice)
    seen: list[str] = []
    response = morgan_client.get("/approvals/")
    while True:
        html = response.content.decode()
        seen += re.findall(r'<a href="/approvals/(\d+)/">#', html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        if not older:
            break
        response = morgan_client.get(older.group(1).replace("&amp;", "&"))
    assert len(seen) == 60 == len(set(seen))
    newer = re.search(r'rel="prev" href="([^"]+)"', response.content.decode())
    assert newer is not None
    back = morgan_client.get(newer.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(r'<a href="/approvals/(\d+)/">#', back) == seen[25:50]


def test_a_bad_cursor_shows_the_newest_page(morgan_client, alice):
    many_requests(3, requester=alice)
    response = morgan_client.get("/approvals/", {"after": "not-a-cursor"})
    assert response.status_code == 200 and "newest requests" in text(response)
    assert morgan_client.get("/approvals/", {"after": "x" * 5000}).status_code == 200


@pytest.mark.parametrize("rows", [5, 500])
def test_the_list_costs_the_same_queries_however_many_requests_wait(
    morgan, client, django_assert_num_queries, rows
):
    many_requests(rows, requester=morgan)
    client.force_login(morgan)
    client.get("/approvals/")
    # operator, permissions, the page of requests, the navigation's count (the session: cached)
    with django_assert_num_queries(4):
        client.get("/approvals/")


# --- the count in the navigation -----------------------------------------------------------------------


def test_managers_see_how_many_requests_wait_in_the_navigation(morgan_client, pending, alice):
    many_requests(2, requester=alice)
    assert re.search(r'Approvals <span class="nav-count"[^>]*>.*?3.*?</span>', nav(morgan_client.get("/")))


def test_no_count_when_nothing_waits_or_for_operators_who_do_not_decide(
    morgan_client, alice_client, audrey_client, pending
):
    assert "nav-count" not in nav(alice_client.get("/"))
    assert "nav-count" not in nav(audrey_client.get("/"))
    pending.status = Status.CANCELLED
    pending.save()
    assert "nav-count" not in nav(morgan_client.get("/"))


def test_the_count_costs_managers_one_query_and_others_none(morgan, alice, client):
    many_requests(3, requester=alice)
    counted = {}
    for operator in (morgan, alice):
        client.force_login(operator)
        client.get("/users/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/users/")
        counted[operator.username] = [q["sql"] for q in queries.captured_queries]
    assert len(counted["morgan"]) == len(counted["alice"]) + 1
    extra = [sql for sql in counted["morgan"] if "changes_changerequest" in sql]
    assert len(extra) == 1 and "COUNT(" in extra[0]


# --- the request page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("page", ["", "preflight/"])
def test_who_sees_a_request(persona_client, status, page, pending):
    assert persona_client.get(f"/approvals/{pending.pk}/{page}").status_code == status


@pytest.mark.parametrize("bad", ["999999", "0", "99999999999999999999999", "abc", "-1"])
def test_a_request_that_does_not_exist_is_a_404(morgan_client, db, bad):
    assert morgan_client.get(f"/approvals/{bad}/").status_code == 404
    assert morgan_client.post(f"/approvals/{bad}/approve/", {"comment": COMMENT}).status_code == 404


def test_the_request_page_shows_the_request_its_plan_and_its_audit_events(morgan_client, pending):
    page = text(morgan_client.get(f"/approvals/{pending.pk}/"))
    for fact in ["Priya Raman", "Member", "Admin", REASON, "alice", "Waiting for approval", "0 of 1"]:
        assert fact in page
    assert "POST /roles/1/members" in page  # the plan as it was at request time
    assert "Role change requested" in page  # its audit event
    html = morgan_client.get(f"/approvals/{pending.pk}/").content.decode()
    assert f'hx-get="/approvals/{pending.pk}/preflight/" hx-trigger="load"' in html  # checked after the page
    assert "Approve</button>" in html and "Reject</button>" in html


def test_the_live_check_says_when_zoom_is_as_it_was(morgan_client, pending):
    response = morgan_client.get(f"/approvals/{pending.pk}/preflight/", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "hx-trigger" not in response.content.decode()
    assert "Zoom is as it was when the change was requested" in text(response)


def test_the_live_check_names_what_changed_in_zoom_since(morgan_client, pending, zoom_sandbox):
    zoom_sandbox.update_user(PRIYA, status="inactive")
    page = text(morgan_client.get(f"/approvals/{pending.pk}/preflight/"))
    assert "Zoom changed since the request" in page and "inactive" in page


def test_the_live_check_of_a_slow_or_failing_zoom_is_a_message(morgan_client, pending, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=20)
    response = morgan_client.get(f"/approvals/{pending.pk}/preflight/")
    assert response.status_code == 200 and "Zoom could not be read" in text(response)


def test_the_requester_may_withdraw_but_not_decide(alice_client, pending):
    html = alice_client.get(f"/approvals/{pending.pk}/").content.decode()
    assert "Cancel this request" in html and "Approve</button>" not in html


def test_auditors_read_without_any_form(audrey_client, pending):
    html = audrey_client.get(f"/approvals/{pending.pk}/").content.decode()
    assert "<textarea" not in html and "Cancel this request" not in html
    assert 'href="/audit/' in html  # the events link to the audit log for auditors


# --- decisions -----------------------------------------------------------------------------------------


def test_a_manager_approves_with_a_comment_and_the_role_changes_in_zoom(morgan_client, pending, zoom_sandbox):
    response = morgan_client.post(f"/approvals/{pending.pk}/approve/", {"comment": COMMENT}, follow=True)
    pending.refresh_from_db()
    assert pending.status == Status.SUCCEEDED, pending.outcome_reason
    assert zoom_sandbox.user(PRIYA)["role_id"] == "1"
    page = text(response)
    assert response.redirect_chain[-1][0] == f"/approvals/{pending.pk}/"
    assert "Done" in page and COMMENT in page and "morgan" in page
    for event in ["Role change requested", "Role change approved", "Role change executed", "read back"]:
        assert event in page
    assert "Admin" in text(morgan_client.get(f"/users/{pending.target_id}/"))


def test_a_manager_rejects_with_a_comment(morgan_client, pending, zoom_sandbox):
    response = morgan_client.post(
        f"/approvals/{pending.pk}/reject/", {"comment": "Not this quarter"}, follow=True
    )
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED and zoom_sandbox.user(PRIYA)["role_id"] == "2"
    assert "is rejected" in text(response) and "Not this quarter" in text(response)


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_a_decision_without_a_comment_is_refused_with_words(morgan_client, pending, decision, comment):
    data = {} if comment is None else {"comment": comment}
    response = morgan_client.post(f"/approvals/{pending.pk}/{decision}/", data)
    assert response.status_code == 200 and COMMENT_REQUIRED in text(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_manager_never_approves_their_own_request(root_client, root, priya):
    mine = role_change_request(user_key=priya.url_key, role=ADMIN, reason=REASON, actor=root).request
    response = root_client.post(f"/approvals/{mine.pk}/approve/", {"comment": COMMENT})
    assert response.status_code == 200 and OWN_REQUEST in text(response)
    assert COMMENT in text(response)  # the comment is kept
    mine.refresh_from_db()
    assert mine.status == Status.PENDING


def test_a_manager_never_decides_about_their_own_zoom_account(morgan_client, morgan, pending):
    morgan.email = PRIYA
    morgan.save()
    response = morgan_client.post(f"/approvals/{pending.pk}/approve/", {"comment": COMMENT})
    assert ABOUT_YOURSELF.format(email=PRIYA) in text(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_deciding_a_request_no_longer_pending_is_a_message(morgan_client, pending):
    morgan_client.post(f"/approvals/{pending.pk}/reject/", {"comment": "No"})
    response = morgan_client.post(f"/approvals/{pending.pk}/approve/", {"comment": COMMENT})
    assert response.status_code == 200 and "no longer waiting for approval" in text(response)


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_only_managers_decide(persona_client, status, decision, pending):
    assert (
        persona_client.post(f"/approvals/{pending.pk}/{decision}/", {"comment": COMMENT}).status_code
        == status
    )
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_the_requester_cancels_their_pending_request(alice_client, pending):
    response = alice_client.post(f"/approvals/{pending.pk}/cancel/", {"reason": "Not needed"}, follow=True)
    pending.refresh_from_db()
    assert pending.status == Status.CANCELLED and "is cancelled" in text(response)


def test_only_the_requester_cancels(root_client, pending):
    response = root_client.post(f"/approvals/{pending.pk}/cancel/", {})
    assert response.status_code == 200 and NOT_YOURS.format(pk=pending.pk) in text(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
def test_operators_who_cannot_request_cannot_cancel(persona_client, status, pending):
    assert persona_client.post(f"/approvals/{pending.pk}/cancel/").status_code == status


@pytest.mark.parametrize(
    ("who", "action"), [("morgan", "approve"), ("morgan", "reject"), ("alice", "cancel")]
)
def test_decisions_without_a_csrf_token_are_refused(request, pending, who, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/approvals/{pending.pk}/{action}/", {"comment": COMMENT}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_the_user_page_lists_the_requests_about_the_user_newest_first(audrey_client, pending, alice, priya):
    role_change_cancel(request_id=pending.pk, actor=alice)  # one change per user may be open at a time
    second = role_change_request(
        user_key=priya.url_key, role={"role_name": "Help Desk"}, reason="Covers the desk", actor=alice
    ).request
    html = audrey_client.get(priya.get_absolute_url()).content.decode()
    card = html.split('id="role-requests"')[1].split("</section>")[0]
    assert re.findall(r'href="/approvals/(\d+)/"', card) == [str(second.pk), str(pending.pk)]
    assert "Waiting for approval" in card and "Cancelled" in card


def test_the_list_escapes_and_isolates_what_it_shows(morgan_client, pending):
    ChangeRequest.objects.filter(pk=pending.pk).update(
        reason="<script>alert(1)</script> " + "x" * 200, summary="Change \u202eevil\u202c <b>bold</b>"
    )
    html = morgan_client.get("/approvals/").content.decode()
    row = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<script>" not in row and "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "&lt;b&gt;bold&lt;/b&gt;" in row and "<bdi>" in row
    assert "…" in row  # the reason cut at 120 characters
    assert f'href="/approvals/{pending.pk}/">#{pending.pk}</a>' in row and ">Review</a>" in row
