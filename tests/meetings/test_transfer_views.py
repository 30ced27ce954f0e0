"""The host-transfer form on a meeting's page: open it in place, pick the new host by live search,
check (the dry run), apply the scheduler remedy, transfer, and take the grant back; every persona, bad
input, refusals and Zoom's failures shown as messages with the operator's input kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from meetings.forms import NEW_HOST_REQUIRED, TRANSFER_REASON_REQUIRED, USER_KEY_INVALID
from meetings.models import ZoomMeeting
from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.sync.services import mirror_refresh_meeting, mirror_refresh_user
from zoomadmin_site.zoom import get_zoom_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
DANA, MARCUS, ELENA = "dana.whitfield@example.com", "marcus.okafor@example.com", "elena.novak@example.com"
BLOCKED, WORKS = 85010000001, 85010000002  # created under Dana / by the API user for Dana
REASON = "Dana leaves the company on Friday"


@pytest.fixture
def blocked(zoom_sandbox) -> ZoomMeeting:
    for email in (DANA, MARCUS, ELENA, "tom.fischer@example.com"):
        mirror_refresh_user(user_key=email)
    return mirror_refresh_meeting(meeting_id=BLOCKED)


@pytest.fixture
def works(blocked) -> ZoomMeeting:
    return mirror_refresh_meeting(meeting_id=WORKS)


def url(meeting_id: int, step: str = "") -> str:
    return f"/meetings/{meeting_id}/transfer/" + (f"{step}/" if step else "")


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", plain)


def seen(response) -> str:
    """The fingerprint of the check the page shows (sent back with "Transfer")."""
    found = re.search(r'name="plan_fingerprint" value="([0-9a-f]{64})"', response.content.decode())
    assert found, "the page shows no transferable check"
    return found.group(1)


def patches(sandbox) -> list:
    return [c for c in sandbox.calls() if c.method == "PATCH"]


# --- who may do what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 403), ("audrey", 403), ("root", 200)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_transfer_hosts_open_the_form_and_search(persona_client, status, blocked):
    assert persona_client.get(url(BLOCKED)).status_code == status
    assert persona_client.get("/transfers/new-hosts/", {"new_host": "marc"}).status_code == status
    pick = {"field": "new_host", "pick": MARCUS}
    assert persona_client.get("/transfers/new-hosts/pick/", pick).status_code == status


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
@pytest.mark.parametrize("step", ["check", "grant", "run"])
def test_only_operators_who_may_transfer_hosts_check_grant_or_transfer(persona_client, status, step, works):
    data = {"new_host": MARCUS, "reason": REASON, "assistant": DANA}
    response = persona_client.post(url(WORKS, step), data)
    assert response.status_code == status
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assistant.").exists()


@pytest.mark.parametrize(
    ("persona_client", "shown"),
    [("alice", True), ("root", True), ("morgan", False), ("audrey", False)],
    indirect=["persona_client"],
)
def test_the_transfer_host_button_is_offered_to_it_admins_only(persona_client, shown, blocked):
    html = persona_client.get(f"/meetings/{BLOCKED}/").content.decode()
    assert ("Transfer host</a>" in html) is shown
    assert 'id="host-transfer"' in html


def test_no_transfer_for_a_meeting_gone_from_zoom(alice_client, db):
    gone = make_meeting(gone_at="2026-01-01T00:00:00Z")
    assert "Transfer host</a>" not in alice_client.get(gone.get_absolute_url()).content.decode()
    response = alice_client.get(url(gone.meeting_id), **HTMX)
    assert response.status_code == 200 and "Zoom no longer lists this meeting" in text(response)
    assert "<form" not in response.content.decode()
    response = alice_client.post(url(gone.meeting_id, "run"), {"new_host": MARCUS, "reason": REASON})
    assert "Zoom no longer lists this meeting" in text(response) and not ChangeRequest.objects.exists()


@pytest.mark.parametrize("meeting_id", ["12345", "abc", "9" * 30, "-1"])
@pytest.mark.parametrize("step", ["", "check", "grant", "run"])
def test_an_unknown_or_malformed_meeting_is_a_404_with_words(alice_client, db, meeting_id, step):
    if step:
        response = alice_client.post(url(meeting_id, step), {"new_host": MARCUS, "reason": REASON})
    else:
        response = alice_client.get(url(meeting_id))
    assert response.status_code == 404


# --- the form and the live search --------------------------------------------------------------------


def test_the_form_opens_in_place_with_a_live_search_box(alice_client, blocked):
    response = alice_client.get(url(BLOCKED), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'name="new_host"' in html and 'hx-get="/transfers/new-hosts/"' in html
    assert 'name="reason"' in html and "csrfmiddlewaretoken" in html


def test_without_htmx_the_form_is_a_page_of_its_own(alice_client, blocked):
    html = alice_client.get(url(BLOCKED)).content.decode()
    assert "<html" in html and f'action="{url(BLOCKED, "run")}"' in html


def test_the_live_search_lists_licensed_active_users_only(alice_client, blocked):
    make_user(first_name="Marcia", email="marcia.basic@example.com", type=1)
    make_user(first_name="Marco", email="marco.inactive@example.com", status="inactive")
    response = alice_client.get("/transfers/new-hosts/", {"field": "new_host", "new_host": "marc"})
    page = text(response)
    assert MARCUS in page and "Marcus Okafor" in page
    assert "marcia.basic" not in page and "marco.inactive" not in page
    assert f"pick={MARCUS.replace('@', '%40')}" in response.content.decode()


def test_the_live_search_says_when_nothing_matches_and_ignores_a_bad_field(alice_client, blocked):
    page = text(alice_client.get("/transfers/new-hosts/", {"field": "<script>", "new_host": "zzzq"}))
    assert "No licensed, active user matches “zzzq”" in page
    assert alice_client.get("/transfers/new-hosts/").content.decode().strip() == ""


def test_picking_fills_the_picker_in(alice_client, blocked):
    html = alice_client.get("/transfers/new-hosts/pick/", {"field": "override_85010000001", "pick": MARCUS})
    html = html.content.decode()
    assert 'id="picker-override_85010000001"' in html and f'value="{MARCUS}"' in html
    assert "Marcus Okafor" in html and "autofocus" in html


def test_the_search_is_quick_with_many_users(alice_client, blocked, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        alice_client.get("/transfers/new-hosts/", {"field": "new_host", "new_host": "okafor"})


# --- check, remedy, transfer -------------------------------------------------------------------------


def test_check_predicts_the_3000_and_offers_the_remedy_as_one_button(alice_client, blocked, zoom_sandbox):
    response = alice_client.post(url(BLOCKED, "check"), {"new_host": MARCUS, "reason": REASON}, **HTMX)
    page, html = text(response), response.content.decode()
    assert "cannot be moved yet" in page and "code 3000" in page
    assert "Dry run: the exact Zoom calls a transfer makes (none made yet)" in page
    assert f"PATCH /meetings/{BLOCKED}" in page
    assert f"Add {DANA} as a scheduling assistant of {MARCUS}" in page
    assert f'name="assistant" value="{DANA}"' in html
    assert ">Transfer</button>" not in html  # blocked: no transfer button
    assert REASON in page  # the input is kept
    assert patches(zoom_sandbox) == [] and not ChangeRequest.objects.exists()


def test_the_remedy_grants_checks_again_and_offers_to_take_the_grant_back(
    alice_client, blocked, zoom_sandbox
):
    data = {"new_host": MARCUS, "reason": REASON, "assistant": DANA}
    response = alice_client.post(url(BLOCKED, "grant"), data, **HTMX)
    page, html = text(response), response.content.decode()
    assert f"{DANA} may now schedule for {MARCUS}" in page
    assert "every check passed" in page or "passed, with warnings" in page
    assert ">Transfer</button>" in html and f'name="granted" value="{DANA}"' in html
    assert "Remove the assistant grant I just added" in page
    assert AuditEvent.objects.filter(action="assistant.grant", outcome="succeeded").count() == 1
    assert patches(zoom_sandbox) == []


def test_transfer_moves_the_meeting_and_returns_to_its_page(alice_client, blocked, zoom_sandbox):
    checked = alice_client.post(url(BLOCKED, "grant"), {"new_host": MARCUS, "assistant": DANA}, **HTMX)
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": seen(checked)}
    response = alice_client.post(url(BLOCKED, "run"), data, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == f"/meetings/{BLOCKED}/"
    change = ChangeRequest.objects.get()
    assert change.status == Status.SUCCEEDED and change.reason == REASON
    page = text(alice_client.get(f"/meetings/{BLOCKED}/"))
    assert "Moved: Zoom shows marcus.okafor@example.com as the host" in page
    assert "join link are unchanged" in page
    assert ZoomMeeting.objects.get(meeting_id=BLOCKED).host_email == MARCUS
    assert zoom_sandbox.user(DANA) is not None  # only the meeting moved
    assert len(patches(zoom_sandbox)) == 1


def test_transfer_takes_back_the_grant_when_asked(alice_client, blocked, zoom_sandbox):
    checked = alice_client.post(url(BLOCKED, "grant"), {"new_host": MARCUS, "assistant": DANA}, **HTMX)
    data = {"new_host": MARCUS, "reason": REASON, "granted": DANA, "revoke_grant": "on"}
    data["plan_fingerprint"] = seen(checked)
    response = alice_client.post(url(BLOCKED, "run"), data, follow=True)
    assert response.redirect_chain[-1][0] == f"/meetings/{BLOCKED}/"
    assert f"The grant is taken back: {DANA} may no longer schedule for {MARCUS}" in text(response)
    revoke = AuditEvent.objects.get(action="assistant.revoke", outcome="succeeded")
    assert revoke.target_id == MARCUS and revoke.after["assistant"] == DANA
    assert [c for c in zoom_sandbox.calls() if c.method == "DELETE" and "/assistants/" in c.path]


def test_a_transfer_that_zoom_refuses_shows_zoom_answer_in_the_form(alice_client, works, zoom_sandbox):
    checked = alice_client.post(url(WORKS, "check"), {"new_host": MARCUS}, **HTMX)
    zoom_sandbox.fail_next(
        "PATCH",
        f"/meetings/{WORKS}",
        status=400,
        code=3000,
        message=f"You cannot schedule a meeting for {MARCUS}",
    )
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": seen(checked)}
    response = alice_client.post(url(WORKS, "run"), data, **HTMX)
    page = text(response)
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "Failed: the meeting did not move." in page and "3000" in page
    assert REASON in page
    assert ChangeRequest.objects.get().status == Status.FAILED


def test_a_blocked_transfer_is_refused_with_the_plan_and_the_input_kept(alice_client, blocked, zoom_sandbox):
    response = alice_client.post(url(BLOCKED, "run"), {"new_host": MARCUS, "reason": REASON}, **HTMX)
    page = text(response)
    assert "will not send this change" in page and "code 3000" in page and REASON in page
    assert patches(zoom_sandbox) == [] and not ChangeRequest.objects.exists()


# --- the check the operator saw is the check that runs -------------------------------------------------


def test_transfer_runs_when_the_check_is_the_one_the_operator_saw(alice_client, works, zoom_sandbox):
    checked = alice_client.post(url(WORKS, "check"), {"new_host": MARCUS}, **HTMX)
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": seen(checked)}
    response = alice_client.post(url(WORKS, "run"), data, **HTMX)
    assert response["HX-Redirect"] == f"/meetings/{WORKS}/"
    assert ChangeRequest.objects.get().status == Status.SUCCEEDED and len(patches(zoom_sandbox)) == 1


def test_a_check_that_changed_since_it_was_seen_is_shown_again_and_nothing_moves(
    alice_client, works, zoom_sandbox
):
    checked = alice_client.post(url(WORKS, "check"), {"new_host": MARCUS}, **HTMX)
    # Meanwhile someone makes Marcus an alternative host of the meeting in Zoom.
    get_zoom_client().update_meeting(meeting_id=WORKS, settings={"alternative_hosts": MARCUS})
    zoom_sandbox.clear_calls()
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": seen(checked)}
    response = alice_client.post(url(WORKS, "run"), data, **HTMX)
    page, html = text(response), response.content.decode()
    assert "HX-Redirect" not in response
    assert "Zoom changed since you checked, so nothing was sent" in page
    assert f"Alternative hosts: was nothing, now “{MARCUS}”." in page  # what changed, in words
    assert 'check-changed">' in html and "Changed since you checked" in page  # and marked in the list
    assert "Transfer as checked now</button>" in html and REASON in page
    assert patches(zoom_sandbox) == [] and not ChangeRequest.objects.exists()
    event = AuditEvent.objects.get(action="host_transfer.preflight", outcome="skipped")
    assert "Alternative hosts" in event.reason and "Nothing sent" in event.reason
    # Confirming the check as it is now moves the meeting.
    data["plan_fingerprint"] = seen(response)
    assert alice_client.post(url(WORKS, "run"), data, **HTMX)["HX-Redirect"] == f"/meetings/{WORKS}/"
    assert len(patches(zoom_sandbox)) == 1


@pytest.mark.parametrize("fingerprint", ["", "0" * 64, "not-a-fingerprint"])
def test_a_transfer_without_the_check_seen_asks_to_confirm_the_check_made_now(
    alice_client, works, zoom_sandbox, fingerprint
):
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": fingerprint}
    response = alice_client.post(url(WORKS, "run"), data, **HTMX)
    page = text(response)
    assert "This is the check made now" in page and "nothing was sent" in page
    assert "Transfer as checked now" in page
    assert patches(zoom_sandbox) == [] and not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("check", {"reason": REASON}, NEW_HOST_REQUIRED),
        ("check", {"new_host": "  "}, NEW_HOST_REQUIRED),
        ("check", {"new_host": "not an email!"}, USER_KEY_INVALID.split("%")[0]),
        ("check", {"new_host": "x" * 300}, "at most 254"),
        ("run", {"new_host": MARCUS}, TRANSFER_REASON_REQUIRED),
        ("run", {"new_host": MARCUS, "reason": "   "}, TRANSFER_REASON_REQUIRED),
        ("grant", {"new_host": MARCUS}, "Say whom to add as a scheduling assistant"),
        ("grant", {"new_host": MARCUS, "assistant": "me"}, USER_KEY_INVALID.split("%")[0]),
    ],
)
def test_bad_input_is_named_in_the_form_and_nothing_changes(
    alice_client, works, zoom_sandbox, step, data, message
):
    response = alice_client.post(url(WORKS, step), data, **HTMX)
    assert response.status_code == 200
    assert message in text(response)
    if data.get("reason", "").strip():
        assert data["reason"] in text(response)
    assert not ChangeRequest.objects.exists() and patches(zoom_sandbox) == []
    assert not AuditEvent.objects.filter(action="assistant.grant").exists()


def test_an_unknown_new_host_fails_the_check_in_words(alice_client, works):
    page = text(alice_client.post(url(WORKS, "check"), {"new_host": "nobody@example.com"}, **HTMX))
    assert "Zoom has no user nobody@example.com in this account" in page


def test_zoom_failing_during_the_check_is_a_failed_check_not_a_500(alice_client, works, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/meetings/*", status=503, count=20)
    response = alice_client.post(url(WORKS, "check"), {"new_host": MARCUS, "reason": REASON}, **HTMX)
    assert response.status_code == 200
    assert "Zoom could not be read" in text(response) and REASON in text(response)


@pytest.mark.parametrize("step", ["check", "grant", "run"])
def test_a_post_without_a_csrf_token_is_refused(alice, works, step):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(url(WORKS, step), {"new_host": MARCUS, "reason": REASON, "assistant": DANA})
    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="assistant.grant").exists()
