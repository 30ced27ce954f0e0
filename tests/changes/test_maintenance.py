"""The change requests' upkeep: one round expires, puts back and reconciles; the periodic task books its
next run (once) before working; `changes_maintain` runs a round now or books the schedule."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.tasks import changes_maintain, changes_maintain_task, schedule_next_maintenance

from .support import PRIYA, approve, request_promotion, zoom_role

pytestmark = pytest.mark.django_db
LONG_AGO = datetime.timedelta(days=10)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=changes_maintain_task.module_path)


def stopped_midway(actor) -> ChangeRequest:
    request = request_promotion(actor, role={"role_name": "Help Desk"}, email="nora.haddad@example.com")
    ChangeRequest.objects.filter(pk=request.pk).update(
        status=Status.EXECUTING, started_at=timezone.now() - LONG_AGO
    )
    return request


def test_one_round_expires_puts_back_and_reconciles(zoom_sandbox, alice, morgan):
    elevated = approve(request_promotion(alice, duration_hours=1), morgan)
    ChangeRequest.objects.filter(pk=elevated.pk).update(revert_at=timezone.now() - LONG_AGO)
    waiting = stopped_midway(alice)  # Nora → Help Desk, never sent
    # Another user: one change per user may be open at a time.
    expired = request_promotion(alice, email="elena.novak@example.com", role={"role_name": "Help Desk"})
    ChangeRequest.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - LONG_AGO)

    assert changes_maintain() == {"expired": 1, "reverted": 1, "reconciled": 1}

    assert ChangeRequest.objects.get(pk=expired.pk).status == Status.EXPIRED
    assert ChangeRequest.objects.get(pk=waiting.pk).status == Status.FAILED
    assert elevated.reverted_by.status == Status.SUCCEEDED and zoom_role(zoom_sandbox, PRIYA) == "2"
    assert changes_maintain() == {"expired": 0, "reverted": 0, "reconciled": 0}


def test_the_task_books_its_next_run_once_then_works(zoom_sandbox, alice, database_queue):
    stopped_midway(alice)
    before = timezone.now()
    assert changes_maintain_task.call() == {"expired": 0, "reverted": 0, "reconciled": 1}
    booked = database_queue.get()
    assert booked.status == "READY" and booked.run_after >= before + datetime.timedelta(minutes=1)
    changes_maintain_task.call()
    assert database_queue.count() == 1  # one run waits at a time


def test_scheduling_is_idempotent_and_the_next_run_can_be_booked_once_one_starts(database_queue):
    at = timezone.now()
    assert schedule_next_maintenance(after=at) == at + datetime.timedelta(minutes=1)
    assert schedule_next_maintenance(after=at) is None
    database_queue.update(status="RUNNING")  # the worker picked it up
    assert schedule_next_maintenance(after=at) is not None
    assert database_queue.filter(status="READY").count() == 1


def test_without_a_database_queue_nothing_is_booked(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert schedule_next_maintenance() is None  # the immediate backend would run it, and the next, at once


def test_the_command_books_the_schedule_once(database_queue):
    out = StringIO()
    call_command("changes_maintain", "--schedule", stdout=out)
    call_command("changes_maintain", "--schedule", stdout=out)
    assert "booked for" in out.getvalue() and "already booked" in out.getvalue()
    assert database_queue.count() == 1


def test_the_command_runs_a_round_now(zoom_sandbox, alice):
    stopped_midway(alice)
    out = StringIO()
    call_command("changes_maintain", stdout=out)
    assert out.getvalue().strip() == "Expired 0, put back 0, resolved 1 change request(s)."
