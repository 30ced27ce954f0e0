"""audit_verify checks the clock steps on record against the events' own times: the date filters and
date-bounded exports find a range's events through those steps, so one hidden, forged or altered (the
triggers dropped, as a database owner can) would make them skip events while the chain stays intact."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from zoomadmin_site.audit import chain
from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.db_triggers import remove_append_only_triggers
from zoomadmin_site.audit.models import Action, AuditClockStep, AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _event_at(when: dt.datetime, n: int) -> AuditEvent:
    with mock.patch("zoomadmin_site.audit.services.timezone.now", return_value=when):
        return audit_record(action="mirror.sync", outcome="succeeded", target_id=f"u-{n}", after={"n": n})


def _sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def stepped(db):
    """Five events; the clock stepped back an hour before the fourth. Returns them oldest first."""
    hours = [0, 1, 2, 1, 3]
    return [_event_at(DAY + dt.timedelta(hours=hour, minutes=n), n) for n, hour in enumerate(hours)]


def test_a_log_whose_clock_stepped_back_verifies_with_its_step_on_record(stepped):
    assert list(AuditClockStep.objects.values_list("seq", flat=True)) == [stepped[3].seq]
    report = chain_verify()
    assert report.intact, report.summary()
    assert (report.events, report.steps_seq) == (5, None)


def test_a_hidden_step_is_caught_and_named_while_the_chain_is_intact(stepped):
    remove_append_only_triggers(connection)
    _sql("DELETE FROM audit_auditclockstep")
    report = chain_verify()
    assert not report.intact
    assert (report.broken_seq, report.steps_seq, report.events) == (None, stepped[3].seq, 5)
    assert report.summary() == (
        f"BROKEN clock-step record at seq {stepped[3].seq}: event {stepped[3].seq} is timed before the "
        "event it follows, but no clock step is on record for it: date filters and date-bounded exports "
        f"can skip events around it. The chain itself is intact: 5 events up to seq {stepped[-1].seq} "
        f"(hash {stepped[-1].hash})."
    )


def test_a_forged_step_is_caught(stepped):
    remove_append_only_triggers(connection)
    AuditClockStep.objects.create(seq=stepped[1].seq, time=stepped[1].time, previous_time=stepped[0].time)
    report = chain_verify()
    assert report.steps_seq == stepped[1].seq
    assert f"a clock step is on record at event {stepped[1].seq}, which is not timed before" in report.problem


def test_a_step_with_other_times_is_caught(stepped):
    remove_append_only_triggers(connection)
    _sql("UPDATE audit_auditclockstep SET previous_time = time")
    report = chain_verify()
    assert report.steps_seq == stepped[3].seq
    assert "does not give the times of the events either side" in report.problem


def test_a_broken_chain_is_reported_as_such_before_the_steps(stepped):
    remove_append_only_triggers(connection)
    _sql("DELETE FROM audit_auditclockstep")
    _sql("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [stepped[1].seq])
    report = chain_verify()
    assert (report.broken_seq, report.steps_seq) == (stepped[1].seq, None)


def test_the_command_fails_and_the_integrity_page_says_what_is_wrong(stepped, audrey_client):
    remove_append_only_triggers(connection)
    _sql("DELETE FROM audit_auditclockstep")
    with pytest.raises(CommandError, match=f"BROKEN clock-step record at seq {stepped[3].seq}"):
        call_command("audit_verify")
    recorded = AuditEvent.objects.filter(action=Action.AUDIT_VERIFY).get()
    assert (recorded.outcome, recorded.after["clock_step_seq"], recorded.after["broken_seq"]) == (
        "failed",
        stepped[3].seq,
        None,
    )
    text = " ".join(
        unescape(
            re.sub(r"<[^>]+>", " ", audrey_client.get(reverse("audit:integrity")).content.decode())
        ).split()
    )
    assert (
        "Broken The chain is intact, but the clock steps on record, which date filters and date-bounded "
        f"exports rely on, do not match the events' times at event {stepped[3].seq}."
    ) in text
    assert "First broken event none" in text
    assert f"Clock step record Wrong at event {stepped[3].seq}" in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test database lives in memory")
def test_the_steps_are_checked_while_worker_processes_walk_the_chain(audit_triggers_off_for_flush):
    """Outside a transaction, on a database other processes can open, the walk runs in worker processes
    and this process checks the steps meanwhile: both findings reach the report."""
    events = [_event_at(DAY + dt.timedelta(hours=hour), n) for n, hour in enumerate([0, 1, 2, 1, 3, 4])]
    assert chain_verify(workers=2, parts=3).intact
    remove_append_only_triggers(connection)
    _sql("DELETE FROM audit_auditclockstep")
    with mock.patch.object(chain, "_walk_in_processes", wraps=chain._walk_in_processes) as in_processes:
        report = chain_verify(workers=2, parts=3)
    assert in_processes.call_count == 1
    assert (report.events, report.broken_seq, report.steps_seq) == (6, None, events[3].seq)
