"""Verifying the chain as a service: one verification shared by the command, "Verify now" and the nightly
run, recorded with what started it; a queue of one; the nightly booking, once."""

from __future__ import annotations

import datetime
import os
import socket
from io import StringIO
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.concurrency import WORKERS, at_once, file_database  # noqa: F401 - the fixture
from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.conf import verify_schedule
from zoomadmin_site.audit.db_triggers import remove_append_only_triggers
from zoomadmin_site.audit.integrity import (
    STALE_AFTER,
    VerifyBusy,
    audit_verify_run,
    cli_label,
    verification_from_event,
    verify_run_abandon_stale,
    verify_run_cli,
    verify_run_execute,
    verify_run_request,
)
from zoomadmin_site.audit.models import Action, AuditEvent, VerifyRun
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.tasks import (
    audit_verify_scheduled_task,
    booked_nightly_verify,
    next_verify_time,
    schedule_next_verify,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.AUDIT_VERIFY_SCHEDULE = "03:30"
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=audit_verify_scheduled_task.module_path)


def verify_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.AUDIT_VERIFY).order_by("seq"))


def test_a_verification_records_its_result_and_what_started_it(make_events, audrey):
    make_events(3)
    logged = AuditEvent.objects.count()  # the three, and creating audrey's account
    outcome = audit_verify_run(triggered_by="ui", actor=audrey, run_id=7)
    assert outcome.report.intact and outcome.report.events == logged
    event = outcome.event
    assert event is not None and event.actor_label == "audrey" and event.outcome == "succeeded"
    assert event.after["trigger"] == "ui" and event.after["run"] == 7
    assert event.after["events"] == logged and event.after["last_seq"] == logged
    assert event.after["broken_seq"] is None and event.seq == logged + 1


def test_the_command_records_its_runs_as_started_from_the_command_line(make_events):
    make_events(2)
    call_command("audit_verify", stdout=StringIO())
    (event,) = verify_events()
    assert event.after["trigger"] == "cli" and event.actor_label == "system"
    shown = verification_from_event(event)
    assert shown.intact and shown.who == "command line" and shown.events == 2


def test_a_broken_chain_is_recorded_with_its_first_broken_event(make_events):
    make_events(4)
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE seq = 2")
    outcome = audit_verify_run(triggered_by="schedule")
    assert not outcome.report.intact
    shown = verification_from_event(outcome.event)
    assert not shown.intact and shown.broken_seq == 2 and "BROKEN at seq 2" in shown.summary
    assert shown.trigger_label == "Nightly schedule" and shown.who == "nightly schedule"


def test_an_event_recorded_before_triggers_existed_reads_as_the_command_line(db):
    event = audit_record(action="audit.verify", outcome="succeeded", after={"intact": True, "events": 0})
    assert verification_from_event(event).trigger == "cli"


def test_one_run_at_a_time_a_second_request_is_refused_naming_the_first(audrey, root):
    first = verify_run_request(trigger="ui", actor=audrey)
    with pytest.raises(VerifyBusy) as busy:
        verify_run_request(trigger="ui", actor=root)
    assert busy.value.run == first
    assert "already queued (asked for by audrey at" in str(busy.value)
    assert VerifyRun.objects.count() == 1


def test_a_run_executes_once_and_frees_the_queue(make_events, audrey):
    make_events(2)
    run = verify_run_request(trigger="ui", actor=audrey)
    done = verify_run_execute(run_id=run.pk)
    assert done.status == "done" and not done.active and done.finished_at is not None
    event = AuditEvent.objects.get(seq=done.event_seq)
    assert event.action == "audit.verify" and event.actor_label == "audrey" and event.after["run"] == run.pk
    assert verify_run_execute(run_id=run.pk).event_seq == done.event_seq  # not run again
    assert len(verify_events()) == 1
    verify_run_request(trigger="ui", actor=audrey)  # the queue is free again


def test_a_run_whose_worker_stopped_answering_is_abandoned_so_a_new_one_can_start(audrey):
    lost = verify_run_request(trigger="ui", actor=audrey)
    VerifyRun.objects.filter(pk=lost.pk).update(status="running", started_at=timezone.now() - STALE_AFTER * 2)
    assert verify_run_abandon_stale() == 1
    lost.refresh_from_db()
    assert lost.status == "abandoned" and not lost.active and "stopped answering" in lost.error
    fresh = verify_run_request(trigger="ui", actor=audrey)
    assert fresh.pk != lost.pk
    assert verify_run_execute(run_id=lost.pk).status == "abandoned"  # a late worker leaves it alone


# The nightly schedule.


@pytest.mark.parametrize(
    "after,expected",
    [
        (_at(2026, 3, 1, 1, 0), _at(2026, 3, 1, 3, 30)),  # later the same day
        (_at(2026, 3, 1, 3, 30), _at(2026, 3, 2, 3, 30)),  # strictly after
        (_at(2026, 12, 31, 23, 50), _at(2027, 1, 1, 3, 30)),  # across the year
    ],
)
def test_the_next_nightly_time_is_the_next_utc_hh_mm_strictly_after(after, expected):
    assert next_verify_time(after=after, schedule=(3, 30)) == expected


@pytest.mark.parametrize("value,expected", [("03:30", (3, 30)), ("0:05", (0, 5)), ("off", None), ("", None)])
def test_the_schedule_setting_reads_hh_mm_or_off(settings, value, expected):
    settings.AUDIT_VERIFY_SCHEDULE = value
    assert verify_schedule() == expected


@pytest.mark.parametrize("value", ["25:00", "3.30", "nightly"])
def test_a_malformed_schedule_fails_loudly(settings, value):
    settings.AUDIT_VERIFY_SCHEDULE = value
    with pytest.raises(ImproperlyConfigured, match="AUDIT_VERIFY_SCHEDULE must be"):
        verify_schedule()


def test_the_command_names_a_malformed_schedule_without_a_traceback(database_queue, settings):
    settings.AUDIT_VERIFY_SCHEDULE = "25:00"
    with pytest.raises(CommandError, match="AUDIT_VERIFY_SCHEDULE must be a 24-hour UTC time"):
        call_command("audit_verify", "--schedule", stdout=StringIO())
    assert database_queue.count() == 0


def test_booking_the_nightly_run_twice_books_it_once(database_queue):
    when = schedule_next_verify(after=_at(2026, 3, 1, 23, 0))
    assert when == _at(2026, 3, 2, 3, 30)
    assert schedule_next_verify(after=_at(2026, 3, 1, 23, 5)) is None
    booked = database_queue.get()
    assert booked.status == "READY" and booked.run_after == when
    assert booked_nightly_verify() == when


def test_the_command_books_the_schedule_once_and_says_so(database_queue):
    first, second = StringIO(), StringIO()
    call_command("audit_verify", "--schedule", stdout=first)
    call_command("audit_verify", "--schedule", stdout=second)
    assert "Nightly audit verification booked for" in first.getvalue()
    assert "already booked for" in second.getvalue()
    assert database_queue.count() == 1
    assert not verify_events()  # booking verifies nothing


def test_nothing_is_booked_when_the_schedule_is_off(database_queue, settings):
    settings.AUDIT_VERIFY_SCHEDULE = "off"
    out = StringIO()
    call_command("audit_verify", "--schedule", stdout=out)
    assert "Nothing booked" in out.getvalue() and database_queue.count() == 0


def test_the_nightly_task_books_the_next_night_then_verifies(database_queue, make_events):
    make_events(2)
    result = audit_verify_scheduled_task.call()
    assert database_queue.filter(status="READY").count() == 1
    run = VerifyRun.objects.get(pk=result["run"])
    assert run.trigger == "schedule" and run.status == "done"
    (event,) = verify_events()
    assert event.after["trigger"] == "schedule" and event.actor_label == "system"


def test_the_nightly_task_skips_while_a_verification_is_running(database_queue, audrey):
    verify_run_request(trigger="ui", actor=audrey)
    result = audit_verify_scheduled_task.call()
    assert "already queued" in result["skipped"]
    assert not verify_events() and database_queue.filter(status="READY").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("file_database")
def test_twenty_requests_at_once_queue_exactly_one_run():
    results = at_once(lambda n: verify_run_request(trigger="ui"))
    runs = [r for r in results if isinstance(r, VerifyRun)]
    refused = [r for r in results if isinstance(r, VerifyBusy)]
    assert len(runs) == 1 and len(refused) == WORKERS - 1, results
    assert VerifyRun.objects.filter(active=True).count() == 1


def test_a_worker_stopped_mid_walk_ends_its_run_as_failed_and_frees_the_queue(audrey):
    from unittest import mock

    run = verify_run_request(trigger="ui", actor=audrey)
    with (
        mock.patch("zoomadmin_site.audit.integrity.chain_verify", side_effect=SystemExit(143)),
        pytest.raises(SystemExit),
    ):
        verify_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and not run.active and run.error == "Interrupted before the end: 143"
    assert not verify_events()
    verify_run_request(trigger="ui", actor=audrey)


def test_the_log_tells_each_verification_in_a_sentence_naming_what_started_it(make_events, audrey):
    from zoomadmin_site.audit.sentences import event_sentence

    make_events(1)
    by_audrey = audit_verify_run(triggered_by="ui", actor=audrey).event
    nightly = audit_verify_run(triggered_by="schedule").event
    assert event_sentence(by_audrey) == (
        "audrey verified the audit log's hash chain (Verify now): intact, "
        f"{by_audrey.seq - 1} events checked up to seq {by_audrey.seq - 1}"
    )
    assert event_sentence(nightly).startswith("The nightly run verified the audit log's hash chain: intact")
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE seq = 1")
    broken = audit_verify_run(triggered_by="cli").event
    assert event_sentence(broken).startswith(
        "audit_verify verified the audit log's hash chain from the command line: BROKEN at seq 1:"
    )


# The command takes the same slot, so the integrity page shows it running.


def test_the_command_shows_as_a_running_run_started_from_the_command_line_by_whom_where(make_events):
    make_events(3)
    seen = []
    real = chain_verify

    def walk_and_look(**kwargs):
        seen.append(VerifyRun.objects.get(active=True))  # what the page reads while the walk runs
        return real(**kwargs)

    out, err = StringIO(), StringIO()
    with mock.patch("zoomadmin_site.audit.integrity.chain_verify", side_effect=walk_and_look):
        call_command("audit_verify", stdout=out, stderr=err)
    assert out.getvalue().startswith("OK") and err.getvalue() == ""
    (running,) = seen
    assert running.trigger == "cli" and running.status == "running" and running.started_at is not None
    assert running.requested_by_label == cli_label()
    assert f"(pid {os.getpid()})" in running.requested_by_label and socket.gethostname() in cli_label()
    run = VerifyRun.objects.get(pk=running.pk)
    event = verify_events()[-1]
    assert run.status == "done" and not run.active and run.event_seq == event.seq
    assert event.after["trigger"] == "cli" and event.after["run"] == run.pk
    verify_run_request(trigger="ui")  # the slot is free again


def test_the_command_runs_even_while_another_verification_is_active_and_says_so(make_events, audrey):
    make_events(2)
    queued = verify_run_request(trigger="ui", actor=audrey)
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    assert out.getvalue().startswith("OK")  # it walked and recorded its result
    assert f"Another verification was queued (#{queued.pk}, asked for by audrey at" in err.getvalue()
    assert "this one ran anyway" in err.getvalue()
    (event,) = verify_events()
    assert event.after["trigger"] == "cli" and event.after["run"] is None
    assert list(VerifyRun.objects.values_list("pk", "active", "status")) == [(queued.pk, True, "queued")]


def test_a_command_run_stopped_mid_walk_ends_as_failed_and_frees_the_slot(make_events):
    with (
        mock.patch("zoomadmin_site.audit.integrity.chain_verify", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        verify_run_cli(label="ops on web-1 (pid 7)")
    run = VerifyRun.objects.get()
    assert run.trigger == "cli" and run.status == "failed" and not run.active
    assert run.requested_by_label == "ops on web-1 (pid 7)" and run.error.startswith("Interrupted")
    assert not verify_events()


def test_a_verify_now_while_the_command_runs_is_refused_naming_the_command(db):
    seen = []

    def walk_and_press(**kwargs):
        with pytest.raises(VerifyBusy) as busy:
            verify_run_request(trigger="ui")
        seen.append(str(busy.value))
        return chain_verify(**kwargs)

    with mock.patch("zoomadmin_site.audit.integrity.chain_verify", side_effect=walk_and_press):
        verify_run_cli(label="ops on web-1 (pid 7)")
    assert seen and "already running (asked for by ops on web-1 (pid 7) at" in seen[0]
