"""Offboarding screens: the plan page (readiness matrix, overrides, PMI, fixes listed once), Run, and the
job page (progress, pause / resume / retry, CSV report); every persona, bad input, CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ZoomUser
from meetings.forms import NEW_HOST_REQUIRED, TRANSFER_REASON_REQUIRED
from meetings.models import TransferItem, TransferJob
from meetings.offboarding import offboarding_plan, transfer_job_create
from tests.accounts.factories import make_user
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.sync.services import mirror_refresh_user
from zoomadmin_site.zoom import get_zoom_client

pytestmark = pytest.mark.django_db
DANA, MARCUS, ELENA = "dana.whitfield@example.com", "marcus.okafor@example.com", "elena.novak@example.com"
BLOCKED, WORKS, ALTERNATIVES = 85010000001, 85010000002, 85010000009
REASON = "Dana leaves the company on Friday"


@pytest.fixture
def dana(zoom_sandbox) -> ZoomUser:
    for email in (MARCUS, ELENA):
        mirror_refresh_user(user_key=email)
    return mirror_refresh_user(user_key=DANA)


@pytest.fixture
def job(dana, alice) -> TransferJob:
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    return transfer_job_create(plan=plan, reason=REASON, actor=alice, start=False)


def url(user: ZoomUser, step: str = "") -> str:
    return f"/users/{user.url_key}/offboarding/" + (f"{step}/" if step else "")


def text(response) -> str:
    plain = (
        re.sub(r"<[^>]+>|[\u2068\u2069]", " ", response.content.decode())
        .replace("&#x27;", "'")
        .replace("&quot;", '"')
    )
    return re.sub(r"\s+", " ", plain)


def seen(response) -> str:
    """The fingerprint of the plan the page shows (sent back with Run)."""
    found = re.search(r'name="plan_fingerprint" value="([0-9a-f]{64})"', response.content.decode())
    assert found, "the page shows no plan to run"
    return found.group(1)


def patches(sandbox) -> list:
    return [c for c in sandbox.calls() if c.method == "PATCH"]


# --- who may do what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 403), ("audrey", 403), ("root", 200)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_transfer_hosts_see_plans(persona_client, status, dana):
    assert persona_client.get(url(dana)).status_code == status


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 403), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
def test_jobs_are_read_by_transfer_operators_and_auditors(persona_client, status, job):
    assert persona_client.get("/transfers/jobs/").status_code == status
    assert persona_client.get(f"/transfers/jobs/{job.pk}/").status_code == status
    assert persona_client.get(f"/transfers/jobs/{job.pk}/report.csv").status_code == status


def test_an_auditor_reads_a_job_without_its_controls(audrey_client, alice, job):
    # Auditors see everything read-only: the job's page and report, never Pause, Resume or Retry.
    job_url, pause = f"/transfers/jobs/{job.pk}/", f"/transfers/jobs/{job.pk}/pause/"
    page = audrey_client.get(job_url).content.decode()
    assert f"Transfer job #{job.pk}" in page
    assert pause not in page
    assert reverse("audit:job_timeline", args=[job.pk]) in page
    it_admin = Client()  # the client fixtures share one Client: a second login would replace audrey's
    it_admin.force_login(alice)
    assert pause in it_admin.get(job_url).content.decode()


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_transfer_hosts_fix_run_or_steer_jobs(persona_client, status, dana, job):
    data = {"new_host": MARCUS, "reason": REASON, "assistant": DANA, "host": MARCUS}
    assert persona_client.post(url(dana, "fix"), data).status_code == status
    assert persona_client.post(url(dana, "run"), data).status_code == status
    for step in ("pause", "resume", "retry"):
        assert persona_client.post(f"/transfers/jobs/{job.pk}/{step}/").status_code == status
    assert TransferJob.objects.count() == 1 and TransferJob.objects.get().status == "running"
    assert not AuditEvent.objects.filter(action="assistant.grant").exists()


@pytest.mark.parametrize(
    ("persona_client", "shown"),
    [("alice", True), ("root", True), ("morgan", False), ("audrey", False)],
    indirect=["persona_client"],
)
def test_the_transfer_all_meetings_button_is_offered_to_it_admins_only(persona_client, shown, dana):
    html = persona_client.get(dana.get_absolute_url()).content.decode()
    assert ("Transfer all meetings</a>" in html) is shown


def test_unknown_users_and_jobs_are_404s_with_words(alice_client, db):
    assert alice_client.get("/users/nobody@example.com/offboarding/").status_code == 404
    assert (
        alice_client.post("/users/nobody@example.com/offboarding/run/", {"new_host": MARCUS}).status_code
        == 404
    )
    for path in ("/transfers/jobs/999/", "/transfers/jobs/999/report.csv"):
        response = alice_client.get(path)
        assert response.status_code == 404
    assert alice_client.post("/transfers/jobs/999/pause/").status_code == 404
    assert alice_client.get("/transfers/jobs/abc/").status_code == 404


# --- the plan ----------------------------------------------------------------------------------------


def test_without_a_new_host_the_page_asks_for_one_and_reads_nothing(alice_client, dana, zoom_sandbox):
    before = len(zoom_sandbox.calls())
    page = text(alice_client.get(url(dana)))
    assert "Default new host" in page and "Make the plan" in page and "Readiness" not in page
    assert len(zoom_sandbox.calls()) == before


def test_the_plan_shows_the_matrix_pmi_and_each_fix_once(alice_client, dana, zoom_sandbox):
    response = alice_client.get(url(dana), {"new_host": MARCUS, f"override_{ALTERNATIVES}": ELENA})
    html, page = response.content.decode(), text(response)
    assert response.status_code == 200
    assert "Readiness" in page and "Q3 Pipeline Review - West Region" in page
    assert html.count(f'name="assistant" value="{DANA}"') == 1  # one fix, one button
    assert f"Add {DANA} as a scheduling assistant of {MARCUS} Unblocks" in page
    assert f'name="override_{ALTERNATIVES}" value="{ELENA}"' in html  # the override is kept
    assert 'class="mx mx-fail" tabindex="0"' in html and 'role="tooltip"' in html  # reason on focus
    assert "code 3000" in page  # the blocked meeting's reason is in its cell
    assert "may schedule for the new host: fail" in page  # not colour only: each cell says it in words
    assert "Run: move" in page
    assert patches(zoom_sandbox) == []


def test_pmi_meetings_are_listed_as_must_be_recreated(alice_client, zoom_sandbox):
    priya = mirror_refresh_user(user_key="priya.raman@example.com")
    mirror_refresh_user(user_key=MARCUS)
    page = text(alice_client.get(url(priya), {"new_host": MARCUS}))
    assert (
        re.search(r"Must be re-created \(\d+\)", page) and "Support Office Hours (PMI) 85010000005 →" in page
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"new_host": ""}, NEW_HOST_REQUIRED),
        ({"new_host": "not an email"}, "is not a Zoom user's email address or id"),
        ({"new_host": MARCUS, f"override_{BLOCKED}": "bad value!"}, f"Meeting {BLOCKED}:"),
        ({"new_host": "x" * 400}, "at most 254"),
    ],
)
def test_bad_plan_input_is_named_and_nothing_is_read(alice_client, dana, zoom_sandbox, params, message):
    before = len(zoom_sandbox.calls())
    response = alice_client.get(url(dana), params)
    assert response.status_code == 200 and message in text(response)
    assert len(zoom_sandbox.calls()) == before


def test_an_unknown_new_host_blocks_the_meetings_in_words(alice_client, dana):
    page = text(alice_client.get(url(dana), {"new_host": "nobody@example.com"}))
    assert "Zoom has no user nobody@example.com in this account" in page and "Run: move 0 meetings" in page


def test_bad_override_keys_are_ignored(alice_client, dana):
    response = alice_client.get(url(dana), {"new_host": MARCUS, "override_x": ELENA, "override_1" * 5: ELENA})
    assert response.status_code == 200 and "Readiness" in text(response)


def test_a_user_without_zoom_id_hosts_nothing(alice_client, db):
    pending = make_user(zoom_id=None, email="pending.person@example.com", status="pending")
    page = text(alice_client.get(url(pending), {"new_host": MARCUS}))
    assert "has no Zoom user id yet" in page


def test_zoom_failing_is_a_message_not_a_500(alice_client, dana, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=50)
    response = alice_client.get(url(dana), {"new_host": MARCUS})
    assert response.status_code == 200 and "message-error" in response.content.decode()


# --- fix and run -------------------------------------------------------------------------------------


def test_a_fix_grants_once_and_the_plan_is_made_again(alice_client, dana, zoom_sandbox):
    data = {"assistant": DANA, "host": MARCUS, "new_host": MARCUS, f"override_{ALTERNATIVES}": ELENA}
    response = alice_client.post(url(dana, "fix"), data)
    assert response.status_code == 302
    query = f"new_host=marcus.okafor%40example.com&override_{ALTERNATIVES}=elena.novak%40example.com"
    assert response["Location"] == f"{url(dana)}?{query}"
    page = text(alice_client.get(response["Location"]))
    assert f"{DANA} may now schedule for {MARCUS}" in page
    assert "None needed" in page  # the fix is applied: the plan needs no other
    assert AuditEvent.objects.filter(action="assistant.grant", outcome="succeeded").count() == 1


@pytest.mark.parametrize("data", [{}, {"assistant": "me", "host": MARCUS}, {"assistant": DANA}])
def test_a_bad_fix_is_a_message_and_grants_nothing(alice_client, dana, data):
    response = alice_client.post(url(dana, "fix"), data, follow=True)
    assert response.status_code == 200 and "message-error" in response.content.decode()
    assert not AuditEvent.objects.filter(action="assistant.grant").exists()


def test_run_creates_the_job_and_moves_the_ready_meetings(alice_client, dana, zoom_sandbox):
    alice_client.post(url(dana, "fix"), {"assistant": DANA, "host": MARCUS, "new_host": MARCUS})
    data = {"new_host": MARCUS, f"override_{ALTERNATIVES}": ELENA}
    data |= {"reason": REASON, "plan_fingerprint": seen(alice_client.get(url(dana), data))}
    response = alice_client.post(url(dana, "run"), data, follow=True)
    job = TransferJob.objects.get()
    assert response.redirect_chain[-1][0] == f"/transfers/jobs/{job.pk}/"
    assert job.status == "done" and job.reason == REASON  # the test settings run tasks at once
    moved = set(job.items.filter(status="moved").values_list("meeting_id", flat=True))
    assert {BLOCKED, WORKS, ALTERNATIVES} <= moved
    assert job.items.get(meeting_id=ALTERNATIVES).new_host == ELENA
    page = text(response)
    assert f"Job #{job.pk} started" in page and "Done" in page and "moved" in page
    assert 'hx-trigger="every 2s"' not in response.content.decode()  # done: no more polling


def test_a_plan_that_changed_since_it_was_seen_is_shown_again_and_no_job_starts(
    alice_client, dana, zoom_sandbox
):
    data = {"new_host": MARCUS, "reason": REASON}
    data["plan_fingerprint"] = seen(alice_client.get(url(dana), {"new_host": MARCUS}))
    # Meanwhile someone makes Marcus an alternative host of one of Dana's meetings in Zoom.
    get_zoom_client().update_meeting(meeting_id=WORKS, settings={"alternative_hosts": MARCUS})
    zoom_sandbox.clear_calls()
    response = alice_client.post(url(dana, "run"), data)
    page, html = text(response), response.content.decode()
    assert response.status_code == 200 and not TransferJob.objects.exists() and patches(zoom_sandbox) == []
    assert "Zoom changed since you made this plan, so no job was started" in page
    assert f"({WORKS}): Alternative hosts: was nothing, now “{MARCUS}”." in page  # in words
    assert html.count("row-changed") == 1 and "Changed" in page  # and that meeting's row is marked
    assert "Run as planned now: move" in page and REASON in page
    # Running the plan as it is now starts the job.
    data["plan_fingerprint"] = seen(response)
    response = alice_client.post(url(dana, "run"), data)
    assert response.status_code == 302 and TransferJob.objects.count() == 1


@pytest.mark.parametrize("fingerprint", ["", "f" * 64, "<script>"])
def test_run_without_the_plan_seen_asks_to_run_the_plan_made_now(
    alice_client, dana, zoom_sandbox, fingerprint
):
    alice_client.post(url(dana, "fix"), {"assistant": DANA, "host": MARCUS, "new_host": MARCUS})
    zoom_sandbox.clear_calls()
    data = {"new_host": MARCUS, "reason": REASON, "plan_fingerprint": fingerprint}
    page = text(alice_client.post(url(dana, "run"), data))
    assert "This is the plan made now" in page and "no job was started" in page
    assert not TransferJob.objects.exists() and patches(zoom_sandbox) == []


def test_run_without_a_reason_keeps_the_plan_and_says_why(alice_client, dana):
    response = alice_client.post(url(dana, "run"), {"new_host": MARCUS, "reason": "  "})
    assert response.status_code == 200
    assert TRANSFER_REASON_REQUIRED in text(response) and "Readiness" in text(response)
    assert not TransferJob.objects.exists()


def test_run_with_nothing_ready_starts_no_job(alice_client, dana):
    response = alice_client.post(url(dana, "run"), {"new_host": DANA, "reason": REASON})
    assert "No meeting is ready to move" in text(response)
    assert not TransferJob.objects.exists()


def test_run_without_a_new_host_is_named(alice_client, dana):
    response = alice_client.post(url(dana, "run"), {"reason": REASON})
    assert NEW_HOST_REQUIRED in text(response) and not TransferJob.objects.exists()


# --- the job -----------------------------------------------------------------------------------------


def test_a_running_job_polls_every_two_seconds_and_offers_pause(alice_client, job):
    html = alice_client.get(f"/transfers/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and ">Pause</button>" in html
    fragment = alice_client.get(f"/transfers/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="job-progress"' in fragment


def test_pause_resume_and_retry(alice_client, job, zoom_sandbox):
    response = alice_client.post(f"/transfers/jobs/{job.pk}/pause/", follow=True)
    assert "is paused" in text(response) and ">Resume</button>" in response.content.decode()
    assert 'hx-trigger="every 2s"' not in response.content.decode()
    assert "nothing to pause" in text(alice_client.post(f"/transfers/jobs/{job.pk}/pause/", follow=True))
    response = alice_client.post(f"/transfers/jobs/{job.pk}/resume/", follow=True)
    assert "runs again" in text(response)
    job.refresh_from_db()
    assert job.status == "done"
    assert "no failed items" in text(alice_client.post(f"/transfers/jobs/{job.pk}/retry/", follow=True))
    TransferItem.objects.filter(job=job, meeting_id=WORKS).update(status="failed")
    response = alice_client.post(f"/transfers/jobs/{job.pk}/retry/", follow=True)
    assert "1 failed item of job" in text(response)


def test_the_report_is_streamed_csv_safe_from_formulas(alice_client, job):
    TransferItem.objects.filter(job=job, meeting_id=WORKS).update(topic='=HYPERLINK("http://x")')
    response = alice_client.get(f"/transfers/jobs/{job.pk}/report.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("meeting_id,topic,start_time_utc")
    assert "'=HYPERLINK" in body and f"{WORKS}" in body


def test_the_job_list_links_each_job(alice_client, job):
    assert f'href="/transfers/jobs/{job.pk}/"' in alice_client.get("/transfers/jobs/").content.decode()


def test_auditors_link_from_the_job_to_its_audit_events(root_client, job):
    html = root_client.get(f"/transfers/jobs/{job.pk}/").content.decode()
    assert f"/audit/?action=host_transfer&amp;q=Offboarding+job+%23{job.pk}+%28" in html


@pytest.mark.parametrize("step", ["fix", "run"])
def test_a_post_without_a_csrf_token_is_refused(alice, dana, step):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    data = {"new_host": MARCUS, "reason": REASON, "assistant": DANA, "host": MARCUS}
    assert client.post(url(dana, step), data).status_code == 403
    assert (
        not TransferJob.objects.exists() and not AuditEvent.objects.filter(action="assistant.grant").exists()
    )


@pytest.mark.parametrize("step", ["pause", "resume", "retry"])
def test_job_controls_without_a_csrf_token_are_refused(alice, job, step):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(f"/transfers/jobs/{job.pk}/{step}/").status_code == 403
    job.refresh_from_db()
    assert job.status == "running"
