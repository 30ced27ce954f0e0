"""The full sync: everything Zoom has lands in the mirror, with the fewest calls, and gone rows are marked."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Delegation, ZoomRole, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync.services import SyncBusy, sync_run_execute, sync_run_request, sync_run_resume


def _sync() -> SyncRun:
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    return sync_run_execute(run_id=run.pk, workers=3)


@pytest.mark.django_db
def test_full_sync_mirrors_users_of_every_status_roles_delegations_and_meetings(zoom_sandbox):
    run = _sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert set(ZoomUser.objects.values_list("status", flat=True)) == {"active", "inactive", "pending"}
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()
    pending = ZoomUser.objects.get(email="olivia.grant@example.com")
    assert pending.zoom_id is None and pending.status == "pending"
    assert set(ZoomRole.objects.values_list("role_id", flat=True)) >= {"0", "1", "2"}
    assert ZoomUser.objects.get(email="nora.haddad@example.com").role_id == "1"
    assistant_of_new_host = ZoomUser.objects.get(email="elena.novak@example.com").zoom_id
    new_host = ZoomUser.objects.get(email="marcus.okafor@example.com").zoom_id
    assert Delegation.objects.filter(assistant_zoom_id=assistant_of_new_host, host_zoom_id=new_host).exists()
    blocked = ZoomMeeting.objects.get(meeting_id=85010000001)
    assert blocked.topic == "Q3 Pipeline Review - West Region"
    assert blocked.host_email == "dana.whitfield@example.com" and blocked.host_name
    assert not ZoomMeeting.objects.filter(
        type=ZoomMeeting.Type.INSTANT
    ).exists()  # Zoom lists no instant ones


@pytest.mark.django_db
def test_full_sync_makes_the_minimum_number_of_zoom_calls(zoom_sandbox):
    zoom_sandbox.clear_calls()
    _sync()
    users = list(ZoomUser.objects.all())
    hosts = [u for u in users if u.zoom_id and u.status != "pending"]
    licensed = [u for u in hosts if u.type == ZoomUser.Type.LICENSED]
    assert len(zoom_sandbox.calls(route="GET /roles")) == 1
    user_lists = zoom_sandbox.calls(route="GET /users")
    assert len(user_lists) == 3  # one page per status at page_size 2000
    assert all("page_size=2000" in c.query for c in user_lists)
    meeting_lists = zoom_sandbox.calls(route="GET /users/{userId}/meetings")
    assert len(meeting_lists) == len(hosts)  # nobody here has more than 300 meetings
    assert all("page_size=300" in c.query for c in meeting_lists)
    assert len(zoom_sandbox.calls(route="GET /users/{userId}/assistants")) == len(licensed)
    api_calls = [c for c in zoom_sandbox.calls() if c.path.startswith("/v2/")]
    assert [c for c in api_calls if c.is_write] == []
    assert len(api_calls) == 1 + 3 + len(hosts) + len(licensed)


@pytest.mark.django_db
def test_rows_that_vanished_from_zoom_are_marked_gone_not_kept_or_deleted(zoom_sandbox):
    _sync()
    meeting = ZoomMeeting.objects.get(meeting_id=85010000003)
    ZoomMeeting.objects.filter(pk=meeting.pk).update(meeting_id=99999999999)  # Zoom no longer has this id
    run = _sync()
    gone = ZoomMeeting.objects.get(meeting_id=99999999999)
    assert gone.gone_at is not None
    assert ZoomMeeting.objects.get(meeting_id=85010000003).gone_at is None  # re-created from Zoom
    event = AuditEvent.objects.filter(action="mirror.sync").order_by("-seq").first()
    assert event.after["drift"]["meetings"]["gone"] == 1
    assert event.after["drift"]["meetings"]["created"] == 1
    assert run.counts["meetings"] == ZoomMeeting.objects.filter(gone_at__isnull=True).count()


@pytest.mark.django_db
def test_a_second_sync_reports_no_drift_when_nothing_changed(zoom_sandbox):
    _sync()
    _sync()
    drift = AuditEvent.objects.filter(action="mirror.sync").order_by("-seq").first().after["drift"]
    for table in ("users", "roles", "meetings", "delegations"):
        assert (drift[table]["created"], drift[table]["updated"], drift[table]["gone"]) == (0, 0, 0), table


@pytest.mark.django_db
def test_only_one_sync_can_be_active(zoom_sandbox):
    first = sync_run_request(trigger=SyncRun.Trigger.UI)
    with pytest.raises(SyncBusy, match="already queued"):
        sync_run_request(trigger=SyncRun.Trigger.CLI)
    sync_run_execute(run_id=first.pk)
    assert sync_run_request(trigger=SyncRun.Trigger.CLI).pk != first.pk


@pytest.mark.django_db
def test_executing_a_run_twice_syncs_once(zoom_sandbox):
    run = sync_run_request(trigger=SyncRun.Trigger.UI)
    sync_run_execute(run_id=run.pk)
    calls_after_first = len(zoom_sandbox.calls())
    again = sync_run_execute(run_id=run.pk)
    assert again.status == SyncRun.Status.SUCCEEDED
    assert len(zoom_sandbox.calls()) == calls_after_first


@pytest.mark.django_db
def test_sync_survives_transient_zoom_errors_on_reads(zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*/meetings", status=503, count=2)
    zoom_sandbox.fail_next("GET", "/users", status=429, count=1)
    run = _sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.counts["failed_hosts"] == 0


@pytest.mark.django_db
def test_a_failed_sync_is_recorded_and_resumes_where_it_stopped(zoom_sandbox):
    zoom_sandbox.set_scopes([s for s in zoom_sandbox.scopes() if "list_assistants" not in s])
    with pytest.raises(Exception, match="scope"):
        _sync()
    failed = SyncRun.objects.get()
    assert failed.status == SyncRun.Status.FAILED and "user:read:list_assistants:admin" in failed.error
    assert AuditEvent.objects.filter(action="mirror.sync", outcome="failed").count() == 1
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()  # the users phase had finished

    zoom_sandbox.set_scopes([*zoom_sandbox.scopes(), "user:read:list_assistants:admin"])
    from zoomadmin_site.zoom import get_zoom_client

    get_zoom_client().invalidate_token()
    zoom_sandbox.clear_calls()
    resumed = sync_run_execute(run_id=sync_run_resume().pk)
    assert resumed.pk == failed.pk and resumed.status == SyncRun.Status.SUCCEEDED
    assert zoom_sandbox.calls(route="GET /users") == []  # the users phase is not repeated
    assert ZoomMeeting.objects.filter(meeting_id=85010000001).exists()


@pytest.mark.django_db
def test_zoom_sync_command_prints_plain_progress_and_a_summary(zoom_sandbox, capsys):
    call_command("zoom_sync", "--workers", "2")
    out = capsys.readouterr().out
    run = SyncRun.objects.get()  # its number: PostgreSQL does not reuse ids between tests
    assert "users:" in out and "meetings:" in out
    assert f"Sync #{run.pk} done" in out and "Zoom calls" in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_zoom_sync_command_draws_its_bar_in_place_on_a_terminal(zoom_sandbox):
    terminal = Terminal()
    call_command("zoom_sync", "--workers", "2", stdout=terminal)
    *bars, summary, end = terminal.getvalue().split("\n")
    assert summary.startswith("Sync #") and end == ""
    assert all(bar.startswith("\r") and ("█" in bar or "░" in bar) for bar in bars)
    phases = [bar.split()[0] for bar in bars]  # one line per phase: each redraw stays on its line
    assert len(phases) == len(set(phases)) and {"users", "meetings"} <= set(phases)


@pytest.mark.django_db
def test_zoom_sync_command_resume_without_a_failed_run_is_a_clear_error(zoom_sandbox):
    with pytest.raises(CommandError, match="no failed sync to resume"):
        call_command("zoom_sync", "--resume")


def test_scenario_constants_are_what_the_tests_above_assume():
    assert SCENARIOS["transfer_blocked"]["meeting_id"] == 85010000001
