"""A resumed sync re-reads the users whose meeting list failed before, and its numbers cover all its parts."""

from __future__ import annotations

import pytest

from accounts.models import Delegation, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync import engine as sync
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request, sync_run_resume

pytestmark = pytest.mark.django_db


def _sync(**options) -> SyncRun:
    return sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk, workers=1, **options)


def _hosts_by_pk() -> list[ZoomUser]:
    return list(
        ZoomUser.objects.filter(zoom_id__isnull=False, gone_at__isnull=True)
        .exclude(status="pending")
        .order_by("pk")
    )


def _live_meetings(host: ZoomUser) -> int:
    return ZoomMeeting.objects.filter(host_zoom_id=host.zoom_id, gone_at__isnull=True).count()


@pytest.fixture
def run_failed_after_a_host_list_failed(zoom_sandbox, monkeypatch):
    """Sync once; then a run in which Dana's meeting list is refused (the run carries on) and, after the
    resume point has moved past her, a call that stops the run."""
    _sync()
    dana = ZoomUser.objects.get(email=SCENARIOS["old_host"]["email"])
    last = _hosts_by_pk()[-1]
    assert dana.pk < last.pk and _live_meetings(dana) > 0
    monkeypatch.setattr(sync, "BATCH_ROWS", 1)  # every collected host moves the resume point
    zoom_sandbox.fail_next("GET", f"/users/{dana.zoom_id}/meetings", status=400, code=300, message="Bad.")
    zoom_sandbox.fail_next("GET", f"/users/{last.zoom_id}/meetings", status=404, code=2300, message="No.")
    with pytest.raises(Exception, match="2300"):
        _sync()
    failed = SyncRun.objects.order_by("-queued_at").first()
    assert failed.status == SyncRun.Status.FAILED
    return failed, dana


def test_a_failed_run_remembers_the_hosts_whose_meeting_list_it_could_not_read(
    run_failed_after_a_host_list_failed,
):
    failed, dana = run_failed_after_a_host_list_failed
    assert failed.resume_state["failed_hosts"] == [dana.zoom_id]
    assert failed.resume_state["hosts_done_through"] >= dana.pk


def test_resuming_rereads_an_earlier_failed_host_and_marks_none_of_their_meetings_gone(
    run_failed_after_a_host_list_failed, zoom_sandbox
):
    _, dana = run_failed_after_a_host_list_failed
    meetings_before = _live_meetings(dana)
    delegations_before = Delegation.objects.filter(host_zoom_id=dana.zoom_id, gone_at=None).count()
    zoom_sandbox.clear_calls()

    resumed = sync_run_execute(run_id=sync_run_resume().pk, workers=1)

    assert resumed.status == SyncRun.Status.SUCCEEDED and resumed.counts["failed_hosts"] == 0
    assert len(zoom_sandbox.calls(path=f"/v2/users/{dana.zoom_id}/meetings")) == 1
    assert _live_meetings(dana) == meetings_before
    assert Delegation.objects.filter(host_zoom_id=dana.zoom_id, gone_at=None).count() == delegations_before


def test_a_host_whose_list_fails_again_on_resume_keeps_their_meetings(
    run_failed_after_a_host_list_failed, zoom_sandbox
):
    _, dana = run_failed_after_a_host_list_failed
    meetings_before = _live_meetings(dana)
    zoom_sandbox.fail_next("GET", f"/users/{dana.zoom_id}/meetings", status=400, code=300, message="Bad.")

    resumed = sync_run_execute(run_id=sync_run_resume().pk, workers=1)

    assert resumed.status == SyncRun.Status.SUCCEEDED and resumed.counts["failed_hosts"] == 1
    assert _live_meetings(dana) == meetings_before
    event = AuditEvent.objects.filter(action="mirror.sync").order_by("-seq").first()
    assert event.after["failed_hosts"] == [dana.zoom_id]


def test_the_progress_panel_counts_zoom_calls_while_the_sync_runs(zoom_sandbox, monkeypatch):
    monkeypatch.setattr(sync, "PROGRESS_EVERY_SECONDS", 0)  # save every progress step
    run = sync_run_request(trigger=SyncRun.Trigger.UI)
    seen: list[int] = []

    def on_progress(phase: str, done: int, total: int) -> None:
        if phase == "meetings":
            seen.append(SyncRun.objects.get(pk=run.pk).zoom_calls)

    finished = sync_run_execute(run_id=run.pk, on_progress=on_progress, workers=2)
    assert seen and seen[0] >= 4  # GET /roles and one GET /users per status were made before
    assert seen == sorted(seen) and seen[-1] > seen[0]
    assert finished.zoom_calls >= seen[-1]


def test_a_resumed_run_counts_and_audits_all_of_its_parts(zoom_sandbox):
    zoom_sandbox.set_scopes([s for s in zoom_sandbox.scopes() if "list_assistants" not in s])
    with pytest.raises(Exception, match="scope"):
        _sync()
    zoom_sandbox.set_scopes([*zoom_sandbox.scopes(), "user:read:list_assistants:admin"])
    from zoomadmin_site.zoom import get_zoom_client

    get_zoom_client().invalidate_token()
    resumed = sync_run_execute(run_id=sync_run_resume().pk, workers=1)

    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert resumed.counts["users"] == ZoomUser.objects.count() == zoom_sandbox.user_count()
    assert resumed.counts["roles"] >= 3
    assert resumed.counts["meetings"] == ZoomMeeting.objects.filter(gone_at__isnull=True).count()
    calls = zoom_sandbox.calls()  # both parts, token requests included, as the run counts them
    assert resumed.zoom_calls == resumed.counts["zoom_calls"] == len(calls)
    event = AuditEvent.objects.filter(action="mirror.sync", outcome="succeeded").get()
    assert event.after["counts"]["users"] == zoom_sandbox.user_count()
    assert event.after["drift"]["users"]["created"] == zoom_sandbox.user_count()
    assert sum(c["count"] for c in event.zoom_calls) == len(calls)


def test_the_sync_keeps_no_record_of_each_call_once_counted(zoom_sandbox, monkeypatch):
    """A full sync of a large account makes ~170k calls: holding one object per call would lengthen every
    garbage collection until the pauses bunch paced calls into Zoom's per-second 429s."""
    monkeypatch.setattr(sync, "BATCH_ROWS", 10)  # flush (and count) often
    held: list[int] = []
    original = sync.MirrorSync._count_calls

    def count_and_look(self) -> None:
        original(self)
        held.append(len(self._calls))

    monkeypatch.setattr(sync.MirrorSync, "_count_calls", count_and_look)
    finished = sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.UI).pk, workers=2)
    assert len(held) > 3 and max(held) <= 2  # at most the calls of the hosts still in flight
    assert finished.zoom_calls == len(zoom_sandbox.calls())  # the token request included
