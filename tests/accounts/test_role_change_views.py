"""The role-change form on a user's page: open it in place, check, request; every persona, bad input,
Zoom failures and refusals shown as messages with the operator's input kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.forms import HOURS_INVALID, REASON_REQUIRED, ROLE_REQUIRED
from accounts.models import ZoomUser
from tests.accounts.factories import make_user
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.sync.services import mirror_refresh_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PRIYA = "priya.raman@example.com"  # a Member in the sandbox
NORA = "nora.haddad@example.com"  # an Admin
ADMIN, MEMBER = "1", "2"  # Zoom's ids for its system roles, as GET /roles lists them
REASON = "Runs the webinar team from next week"


@pytest.fixture
def nora(zoom_sandbox) -> ZoomUser:
    return mirror_refresh_user(user_key=NORA)


def url(user: ZoomUser, step: str = "") -> str:
    return f"/users/{user.url_key}/role/" + (f"{step}/" if step else "")


def text(response) -> str:
    """The response's text without tags, entities for quotes undone, spaces collapsed."""
    plain = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", plain)


# --- who may open the form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 403), ("audrey", 403), ("root", 200)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_request_role_changes_open_the_form(persona_client, status, priya):
    response = persona_client.get(url(priya))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("step", ["check", "request"])
def test_only_operators_who_may_request_role_changes_check_or_request(persona_client, status, step, priya):
    response = persona_client.post(url(priya, step), {"role": ADMIN, "reason": REASON})
    assert response.status_code == status
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("persona_client", "shown"),
    [("alice", True), ("root", True), ("morgan", False), ("audrey", False)],
    indirect=["persona_client"],
)
def test_the_change_role_button_is_offered_to_it_admins_only(persona_client, shown, priya):
    html = persona_client.get(priya.get_absolute_url()).content.decode()
    assert ("Change role</a>" in html) is shown
    assert 'id="role-change"' in html  # the slot the form opens in


def test_no_change_role_button_for_a_user_gone_from_zoom(alice_client, db):
    gone = make_user(first_name="Gone", gone_at="2026-01-01T00:00:00Z")
    assert "Change role</a>" not in alice_client.get(gone.get_absolute_url()).content.decode()
    response = alice_client.get(url(gone), **HTMX)
    assert response.status_code == 200 and "Zoom no longer lists this user" in text(response)
    assert "<form" not in response.content.decode()


def test_an_unknown_user_is_a_404_with_words(alice_client, zoom_sandbox):
    response = alice_client.get("/users/nobody@example.com/role/")
    assert response.status_code == 404
    response = alice_client.post("/users/nobody@example.com/role/check/", {"role": ADMIN, "reason": REASON})
    assert response.status_code == 404


# --- the form --------------------------------------------------------------------------------------


def test_the_form_opens_in_place_and_lists_the_roles_zoom_reports(alice_client, priya, zoom_sandbox):
    response = alice_client.get(url(priya), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html  # a fragment for #role-change
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html))
    assert {ADMIN: "Admin", MEMBER: "Member"}.items() <= options.items()
    assert "Help Desk" in options.values()  # a custom role: read from Zoom, not hard-coded
    assert 'name="reason"' in html and 'name="hours"' in html and "csrfmiddlewaretoken" in html


def test_without_htmx_the_form_is_a_page_of_its_own(alice_client, priya):
    html = alice_client.get(url(priya)).content.decode()
    assert "<html" in html and "Change role" in html and f'action="{url(priya, "request")}"' in html


def test_check_shows_the_checklist_the_zoom_calls_and_that_a_manager_approves(alice_client, priya):
    response = alice_client.post(url(priya, "check"), {"role": ADMIN, "reason": REASON}, **HTMX)
    page = text(response)
    assert response.status_code == 200
    assert "every check passed" in page
    assert "The user exists in Zoom and is active" in page and "Pass" in page
    assert "POST /roles/1/members" in page
    assert "a manager approves it before Zoom is changed" in page
    assert "Request change" in page and REASON in page  # the input is kept
    assert not ChangeRequest.objects.exists()  # a check records nothing


def test_check_of_a_demotion_offers_to_change_the_role_now(alice_client, nora):
    page = text(alice_client.post(url(nora, "check"), {"role": MEMBER, "reason": "Left IT"}, **HTMX))
    assert "DELETE /roles/1/members/" in page and "needs no approval" in page
    assert "Change role now" in page and "Request change" not in page


def test_a_failing_check_says_why_and_what_to_do_and_offers_no_request(alice_client, priya):
    page = text(alice_client.post(url(priya, "check"), {"role": MEMBER, "reason": REASON}, **HTMX))
    assert "this change cannot be made" in page
    assert "is already Member in Zoom" in page and "What to do: Nothing to do." in page
    assert "Request change" not in page and "Change role now" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": ADMIN, "reason": "  "}, REASON_REQUIRED),
        ({"role": ADMIN}, REASON_REQUIRED),
        ({"role": "", "reason": REASON}, ROLE_REQUIRED),
        ({"role": "99999", "reason": REASON}, "Zoom lists no role “99999”"),
        ({"role": ADMIN, "reason": REASON, "hours": "two"}, HOURS_INVALID),
        ({"role": ADMIN, "reason": REASON, "hours": "0"}, HOURS_INVALID),
        ({"role": ADMIN, "reason": REASON, "hours": "721"}, HOURS_INVALID),
        ({"role": ADMIN, "reason": REASON, "hours": "1.5"}, HOURS_INVALID),
    ],
)
@pytest.mark.parametrize("step", ["check", "request"])
def test_bad_input_is_named_in_the_form_and_nothing_is_requested(alice_client, priya, data, message, step):
    response = alice_client.post(url(priya, step), data, **HTMX)
    assert response.status_code == 200  # htmx swaps it in
    assert message in text(response)
    if data.get("reason", "").strip():
        assert data["reason"] in text(response)  # what the operator typed is kept
    assert not ChangeRequest.objects.exists()


def test_zoom_failing_to_list_roles_is_a_message_not_a_500(alice_client, priya, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/roles", status=503, count=20)
    response = alice_client.post(url(priya, "check"), {"role": ADMIN, "reason": REASON}, **HTMX)
    assert response.status_code == 200
    page = text(response)
    assert "Zoom could not list the account's roles" in page and REASON in page
    assert not ChangeRequest.objects.exists()


def test_zoom_failing_during_the_check_shows_the_failed_check(alice_client, priya, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=20)
    page = text(alice_client.post(url(priya, "check"), {"role": ADMIN, "reason": REASON}, **HTMX))
    assert "this change cannot be made" in page and "Zoom could not be read" in page


# --- the request --------------------------------------------------------------------------------------


def test_requesting_a_promotion_leaves_it_pending_with_a_link_and_updates_the_list(alice_client, priya):
    response = alice_client.post(url(priya, "request"), {"role": ADMIN, "reason": REASON}, **HTMX)
    change = ChangeRequest.objects.get()
    assert change.status == Status.PENDING and change.requester.username == "alice"
    assert change.intended["role_id"] == ADMIN and change.reason == REASON
    html = response.content.decode()
    assert f'href="/approvals/{change.pk}/"' in html and "waits for a manager" in html
    assert 'id="role-requests" hx-swap-oob="true"' in html  # the user page's list of requests follows


def test_a_time_bound_request_keeps_its_hours(alice_client, priya):
    alice_client.post(url(priya, "request"), {"role": ADMIN, "reason": REASON, "hours": "8"}, **HTMX)
    assert ChangeRequest.objects.get().duration_hours == 8


def test_without_htmx_a_request_redirects_to_its_page_with_a_message(alice_client, priya):
    response = alice_client.post(url(priya, "request"), {"role": ADMIN, "reason": REASON}, follow=True)
    change = ChangeRequest.objects.get()
    assert response.redirect_chain[-1][0] == f"/approvals/{change.pk}/"
    assert f"Request #{change.pk} waits for a manager" in text(response)


def test_a_demotion_runs_at_once_and_shows_the_verified_outcome(alice_client, nora, zoom_sandbox):
    response = alice_client.post(url(nora, "request"), {"role": MEMBER, "reason": "Left IT"}, **HTMX)
    change = ChangeRequest.objects.get()
    assert change.status == Status.SUCCEEDED, change.outcome_reason
    assert "Done, verified in Zoom" in text(response) and "Member" in text(response)
    assert zoom_sandbox.user(NORA)["role_id"] == MEMBER


def test_a_refused_request_is_a_message_in_the_form_with_the_input_kept(alice_client, priya):
    response = alice_client.post(url(priya, "request"), {"role": MEMBER, "reason": REASON}, **HTMX)
    page = text(response)
    assert response.status_code == 200
    assert "will not send this change" in page and "already Member" in page
    assert REASON in page and "this change cannot be made" in page  # the plan that refused it
    assert not ChangeRequest.objects.exists()


def test_zoom_failing_during_the_request_is_a_message_not_a_500(alice_client, priya, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=20)
    response = alice_client.post(url(priya, "request"), {"role": ADMIN, "reason": REASON}, **HTMX)
    assert response.status_code == 200
    assert "Zoom could not be read" in text(response) and REASON in text(response)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("step", ["check", "request"])
def test_a_post_without_a_csrf_token_is_refused(alice, priya, step):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(url(priya, step), {"role": ADMIN, "reason": REASON})
    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()
