"""Time-bound elevations end by themselves, through the same flow and audit, once; executions stopped
midway are resolved by reading Zoom back, and their started event is closed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.role_changes import ROLE_CHANGE
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import change_reconcile_stale, change_revert_due

from .support import (
    ADMIN,
    PRIYA,
    approve,
    assert_every_operation_closed_once,
    assert_every_success_read_back,
    request_promotion,
    role_writes,
    zoom_role,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def elevated(zoom_sandbox, alice, morgan):
    """Priya made Admin for 4 hours."""
    request = request_promotion(alice, duration_hours=4)
    done = approve(request, morgan)
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert done.revert_at == done.finished_at + 4 * HOUR
    return done


def test_a_time_bound_elevation_is_put_back_when_its_time_is_up_and_never_twice(elevated, zoom_sandbox):
    assert change_revert_due(now=elevated.revert_at - datetime.timedelta(seconds=1)) == []
    assert zoom_role(zoom_sandbox, PRIYA) == "1"

    (revert,) = change_revert_due(now=elevated.revert_at)

    assert revert.status == Status.SUCCEEDED, revert.outcome_reason
    assert revert.revert_of_id == elevated.pk and revert.source == "system" and revert.approvals_required == 0
    assert revert.intended == {"role_id": "2", "role_name": "Member"}
    assert zoom_role(zoom_sandbox, PRIYA) == "2"
    assert [c.method for c in role_writes(zoom_sandbox)] == ["POST", "DELETE"]
    assert change_revert_due(now=elevated.revert_at + HOUR) == []  # never twice
    assert len(role_writes(zoom_sandbox)) == 2
    executes = AuditEvent.objects.filter(action="role_change.execute", target_id=revert.target_id)
    assert list(executes.order_by("seq").values_list("outcome", flat=True)) == ["started", "succeeded"] * 2
    requested = AuditEvent.objects.filter(action="role_change.request").order_by("seq").last()
    assert requested.actor_label == "system" and f"request #{elevated.pk} ended (4 h)" in requested.reason
    assert_every_operation_closed_once()
    assert_every_success_read_back()


def test_a_revert_leaves_alone_a_role_someone_changed_since(elevated, zoom_sandbox):
    help_desk = next(r.id for r in ROLE_CHANGE_roles() if r.name == "Help Desk")
    zoom_sandbox.set_role(PRIYA, help_desk)

    (revert,) = change_revert_due(now=elevated.revert_at)

    assert revert.status == Status.CANCELLED
    assert "someone changed it since" in revert.outcome_reason and "Help Desk" in revert.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == help_desk and len(role_writes(zoom_sandbox)) == 1
    assert change_revert_due(now=elevated.revert_at + HOUR) == []


def ROLE_CHANGE_roles():
    from accounts.role_changes import role_change_roles

    return role_change_roles()


class Crash(BaseException):
    """Stands in for the process ending (SIGKILL, a deploy): nothing after it runs."""


@pytest.mark.parametrize("crash", [SystemExit, KeyboardInterrupt, Crash])
def test_an_execution_that_stopped_after_the_write_is_resolved_by_reading_zoom_back(
    zoom_sandbox, alice, morgan, monkeypatch, crash
):
    write = ROLE_CHANGE.write

    def write_then_die(client, plan):
        write(client, plan)
        raise crash()

    monkeypatch.setattr(ROLE_CHANGE, "write", write_then_die)
    request = request_promotion(alice)
    with pytest.raises(crash):
        approve(request, morgan)
    monkeypatch.undo()
    stuck = ChangeRequest.objects.get(pk=request.pk)
    assert stuck.status == Status.EXECUTING and stuck.operation_id
    assert change_reconcile_stale() == []  # not stale yet: it may still be running

    (done,) = change_reconcile_stale(older_than=datetime.timedelta(0))

    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert "reading Zoom back shows the change was applied" in done.outcome_reason
    assert done.operation_id == stuck.operation_id and len(role_writes(zoom_sandbox)) == 1
    reconciled = AuditEvent.objects.get(action="role_change.reconcile")
    assert reconciled.operation_id == stuck.operation_id and "read back: done, verified" in reconciled.reason
    assert_every_operation_closed_once()
    assert_every_success_read_back()
    assert change_reconcile_stale(older_than=datetime.timedelta(0)) == []


def test_an_execution_that_stopped_before_its_started_event_is_closed_as_not_applied(
    zoom_sandbox, alice, morgan
):
    request = request_promotion(alice)
    long_ago = timezone.now() - HOUR
    ChangeRequest.objects.filter(pk=request.pk).update(status=Status.EXECUTING, started_at=long_ago)

    (done,) = change_reconcile_stale()

    assert done.status == Status.FAILED
    assert "not applied: nothing changed in Zoom" in done.outcome_reason
    assert role_writes(zoom_sandbox) == [] and zoom_role(zoom_sandbox, PRIYA) == "2"
    events = AuditEvent.objects.filter(action="role_change.execute", operation_id=done.operation_id)
    assert list(events.order_by("seq").values_list("outcome", flat=True)) == ["started", "failed"]
    assert_every_operation_closed_once()


def test_an_execution_that_finishes_while_being_reconciled_is_closed_once(
    zoom_sandbox, alice, morgan, monkeypatch
):
    """A slow execution taken for dead: whichever of it and the reconciler finishes first closes it."""
    write = ROLE_CHANGE.write
    reconciled: list = []

    def slow_write(client, plan):
        write(client, plan)
        ChangeRequest.objects.update(started_at=timezone.now() - HOUR)
        reconciled.extend(change_reconcile_stale())  # runs while this execution is still going

    monkeypatch.setattr(ROLE_CHANGE, "write", slow_write)
    done = approve(request_promotion(alice), morgan)

    assert done.status == Status.SUCCEEDED and [r.status for r in reconciled] == [Status.SUCCEEDED]
    assert len(role_writes(zoom_sandbox)) == 1
    assert_every_operation_closed_once()


def test_a_revert_of_an_admin_target_is_a_delete(zoom_sandbox, alice, morgan):
    request = request_promotion(alice, role=ADMIN, duration_hours=1)
    approve(request, morgan)
    (revert,) = change_revert_due(now=timezone.now() + 2 * HOUR)
    assert str(revert.plan["calls"][0]["method"]) == "DELETE"
