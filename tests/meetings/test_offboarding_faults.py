"""Offboarding under seeded random faults (429, 5xx, timeouts on any call), with several items moving at
once: no meeting moved twice, none lost (every item ends moved or says why not, and retrying the failed
ones moves them), every item audited, every execution closed once."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from meetings.host_transfers import host_transfer_grant_assistant
from meetings.models import TransferItem, TransferJob
from meetings.offboarding import (
    offboarding_plan,
    transfer_job_create,
    transfer_job_retry_failed,
    transfer_job_run,
)
from tests.concurrency import file_database  # noqa: F401 - the fixture
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.zoom import get_zoom_client

DANA, MARCUS = "dana.whitfield@example.com", "marcus.okafor@example.com"


def closed_once(action: str) -> None:
    started = AuditEvent.objects.filter(action=action, outcome="started")
    closing = Counter(
        AuditEvent.objects.filter(action=action)
        .exclude(outcome="started")
        .values_list("operation_id", flat=True)
    )
    assert all(closing[event.operation_id] == 1 for event in started)
    assert set(closing) <= {event.operation_id for event in started}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("file_database", "audit_triggers_off_for_flush")
@pytest.mark.parametrize("seed", [5, 17])
def test_a_job_under_random_faults_moves_each_meeting_once_and_loses_none(zoom_sandbox, alice, seed):
    for n in range(12):  # enough meetings for workers to overlap
        start = zoom_sandbox.now() + datetime.timedelta(days=n + 1)
        zoom_sandbox.create_meeting(
            DANA, created_under="me", topic=f"Pipeline call {n}", start_time=start, duration=30
        )
    host_transfer_grant_assistant(host=MARCUS, assistant=DANA, actor=alice, reason="fix")
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    ready = {item.meeting_id for item in plan.ready}
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)

    get_zoom_client()._session._sleep = lambda seconds: None  # Retry-After honoured, without the wait
    zoom_sandbox.set_fault_seed(seed)
    zoom_sandbox.set_error_rates(rate_429=0.08, rate_5xx=0.08, rate_timeout=0.08)
    zoom_sandbox.clear_calls()
    job = transfer_job_run(job_id=job.pk, workers=4)
    zoom_sandbox.clear_faults()
    assert [c for c in zoom_sandbox.calls() if c.status is None or c.status >= 429], "no fault was injected"
    for _ in range(3):  # what failed under the faults moves on a retry, checked fresh
        if not transfer_job_retry_failed(job_id=job.pk):
            break
        job = transfer_job_run(job_id=job.pk, workers=4)

    assert job.status == TransferJob.Status.DONE
    items = {item.meeting_id: item for item in job.items.all()}
    assert {m for m, item in items.items() if item.status == TransferItem.Status.MOVED} == ready
    for meeting_id in ready:
        assert zoom_sandbox.meeting(meeting_id)["host_email"] == MARCUS
        applied = [
            c
            for c in zoom_sandbox.calls()
            if c.method == "PATCH" and c.path.endswith(f"/{meeting_id}") and c.status == 204
        ]
        assert len(applied) <= 1, meeting_id  # never moved twice
        assert AuditEvent.objects.filter(action="host_transfer.request", target_id=str(meeting_id)).exists()
    closed_once("host_transfer.execute")
