"""Offboarding a departing host: the plan (matrix, PMI, fixes listed once), the job (every item moved
once and audited, pause/resume, retry of failed items only)."""

from __future__ import annotations

import pytest

from meetings.host_transfers import host_transfer_grant_assistant
from meetings.models import TransferItem, TransferJob
from meetings.offboarding import (
    offboarding_plan,
    transfer_job_create,
    transfer_job_pause,
    transfer_job_resume,
    transfer_job_retry_failed,
    transfer_job_run,
)
from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

DANA, MARCUS, ELENA = "dana.whitfield@example.com", "marcus.okafor@example.com", "elena.novak@example.com"
BLOCKED, WORKS, ALTERNATIVES = 85010000001, 85010000002, 85010000009


def patch_count(sandbox, meeting_id=None):
    return len(
        [
            c
            for c in sandbox.calls()
            if c.method == "PATCH" and (meeting_id is None or str(meeting_id) in c.path)
        ]
    )


def test_plan_lists_every_upcoming_meeting_with_its_checks_and_the_fix_once(zoom_sandbox, alice):
    plan = offboarding_plan(
        source=DANA, default_new_host=MARCUS, overrides={ALTERNATIVES: ELENA}, actor=alice
    )
    by_id = {item.meeting_id: item for item in plan.items}
    assert {BLOCKED, WORKS, ALTERNATIVES} <= set(by_id)
    assert by_id[BLOCKED].status == "blocked" and by_id[BLOCKED].checks["scheduler"] == "fail"
    assert by_id[WORKS].status == "pending" and by_id[WORKS].new_host == MARCUS
    assert by_id[ALTERNATIVES].new_host == ELENA
    assert {"meeting", "new_host", "scheduler", "quota", "scopes"} <= set(plan.columns)
    fixes = [f for f in plan.fixes if f["assistant"] == DANA and f["host"] == MARCUS]
    assert len(fixes) == 1 and BLOCKED in fixes[0]["meetings"]  # one grant unblocks all of them
    assert patch_count(zoom_sandbox) == 0  # planning writes nothing


def test_job_moves_each_ready_meeting_once_and_audits_every_item(zoom_sandbox, alice):
    host_transfer_grant_assistant(host=MARCUS, assistant=DANA, actor=alice, reason="offboarding fix")
    plan = offboarding_plan(
        source=DANA, default_new_host=MARCUS, overrides={ALTERNATIVES: ELENA}, actor=alice
    )
    assert all(
        item.status == "pending" for item in plan.items if item.meeting_id in (BLOCKED, WORKS, ALTERNATIVES)
    )
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)
    job = transfer_job_run(job_id=job.pk)
    assert job.status == TransferJob.Status.DONE
    moved = job.items.filter(status=TransferItem.Status.MOVED)
    assert set(moved.values_list("meeting_id", flat=True)) >= {BLOCKED, WORKS, ALTERNATIVES}
    for item in moved:
        assert patch_count(zoom_sandbox, item.meeting_id) == 1
        assert (
            AuditEvent.objects.filter(
                action="host_transfer.execute", outcome="succeeded", target_id=str(item.meeting_id)
            ).count()
            == 1
        )
    assert zoom_sandbox.user(DANA) is not None
    # Run again: nothing moves twice.
    before = patch_count(zoom_sandbox)
    transfer_job_run(job_id=job.pk)
    assert patch_count(zoom_sandbox) == before
    again = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    assert not {BLOCKED, WORKS, ALTERNATIVES} & {item.meeting_id for item in again.items}


def test_paused_job_stops_between_items_and_resumes(zoom_sandbox, alice):
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)
    assert transfer_job_pause(job_id=job.pk)
    assert transfer_job_run(job_id=job.pk).status == TransferJob.Status.PAUSED
    assert patch_count(zoom_sandbox) == 0
    assert transfer_job_resume(job_id=job.pk)  # the immediate backend runs it at once
    assert TransferJob.objects.get(pk=job.pk).status == TransferJob.Status.DONE
    assert patch_count(zoom_sandbox, WORKS) == 1


def test_retry_moves_only_the_failed_items(zoom_sandbox, alice):
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)
    zoom_sandbox.fail_next(
        method="PATCH",
        path=f"/meetings/{WORKS}",
        status=400,
        code=3000,
        message=f"You cannot schedule a meeting for {MARCUS}.",
    )
    job = transfer_job_run(job_id=job.pk)
    failed = job.items.get(meeting_id=WORKS)
    assert failed.status == TransferItem.Status.FAILED
    assert "code 3000" in failed.reason
    moved_before = set(job.items.filter(status="moved").values_list("meeting_id", flat=True))
    patches_before = patch_count(zoom_sandbox)
    assert transfer_job_retry_failed(job_id=job.pk) == 1
    job.refresh_from_db()
    assert job.items.get(meeting_id=WORKS).status == TransferItem.Status.MOVED
    assert patch_count(zoom_sandbox) == patches_before + 1  # only the failed one was sent again
    assert moved_before <= set(job.items.filter(status="moved").values_list("meeting_id", flat=True))


def test_a_job_stops_at_the_hosts_daily_quota_and_waits_for_the_next_day(
    zoom_sandbox, alice, settings, monkeypatch
):
    """Zoom allows a host so many meeting updates a day: the job moves no more than that (counted from
    the transfers made today), then waits for 00:00 UTC (queued again for then)."""
    import meetings.tasks

    queued = []

    class Task:  # the test settings' task backend runs tasks at once, and cannot run one later
        def using(self, **options):
            return self

        def enqueue(self, job_id):
            queued.append(job_id)

    monkeypatch.setattr(meetings.tasks, "transfer_job_task", Task())
    host_transfer_grant_assistant(host=MARCUS, assistant=DANA, actor=alice, reason="offboarding fix")
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    assert len(plan.ready) >= 3
    settings.ZOOM_MEETING_DAILY_UPDATES = 2
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)

    job = transfer_job_run(job_id=job.pk, workers=1)

    assert job.status == TransferJob.Status.WAITING and job.resume_at is not None and queued == [job.pk]
    assert job.items.filter(status=TransferItem.Status.MOVED).count() == 2 == patch_count(zoom_sandbox)
