"""Retention: audit_prune removes old events at a checkpoint, verification starts from it, and every
other deletion (or a forged checkpoint) is still refused or caught."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zoomadmin_site.audit.chain import CHECKPOINT_OPEN, MISSING, chain_verify
from zoomadmin_site.audit.db_triggers import install_append_only_triggers, remove_append_only_triggers
from zoomadmin_site.audit.models import AuditCheckpoint, AuditEvent
from zoomadmin_site.audit.prune import audit_prune
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _event_at(when: dt.datetime, n: int = 0) -> AuditEvent:
    with mock.patch("zoomadmin_site.audit.services.timezone.now", return_value=when):
        return audit_record(action="mirror.sync", outcome="succeeded", target_id=f"u-{n}", after={"n": n})


@pytest.fixture
def old_and_new(db):
    """6 events 100-95 days old, then 3 events 10 days old."""
    old = [_event_at(NOW - dt.timedelta(days=100 - n), n) for n in range(6)]
    new = [_event_at(NOW - dt.timedelta(days=10), n) for n in range(3)]
    return old, new


def test_prune_removes_only_events_older_than_the_retention_and_verification_stays_green(old_and_new):
    old, new = old_and_new
    [batch] = audit_prune(days=30, now=NOW)
    assert (batch.first_seq, batch.last_seq, batch.last_hash, batch.events) == (1, 6, old[-1].hash, 6)
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [e.seq for e in new] + [
        batch.event_seq
    ]
    prune_event = AuditEvent.objects.get(seq=batch.event_seq)
    assert prune_event.action == "audit.prune"
    assert prune_event.after["last_pruned_seq"] == 6 and prune_event.after["last_pruned_hash"] == old[-1].hash
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.hash, checkpoint.event_seq, checkpoint.open) == (
        6,
        old[-1].hash,
        batch.event_seq,
        False,
    )
    report = chain_verify()
    assert report.intact, report.summary()
    assert (report.start_seq, report.events) == (6, 4)
    assert "events 1-6 were pruned at a checkpoint" in report.summary()
    assert audit_prune(days=30, now=NOW) == []  # nothing more to do


def test_prune_in_batches_leaves_a_verifiable_chain(old_and_new):
    batches = audit_prune(days=30, now=NOW, batch_size=2)
    assert [(b.first_seq, b.last_seq) for b in batches] == [(1, 2), (3, 4), (5, 6)]
    assert AuditCheckpoint.objects.count() == 3
    assert chain_verify().intact


def test_a_dry_run_changes_nothing(old_and_new):
    [batch] = audit_prune(days=30, now=NOW, dry_run=True)
    assert (batch.first_seq, batch.last_seq) == (1, 6)
    assert AuditEvent.objects.count() == 9 and not AuditCheckpoint.objects.exists()


def test_the_command_keeps_everything_when_no_retention_is_set(old_and_new, settings):
    settings.AUDIT_RETENTION_DAYS = None
    out = io.StringIO()
    call_command("audit_prune", stdout=out)
    assert "AUDIT_RETENTION_DAYS is not set, so audit events are kept for ever" in out.getvalue()
    assert AuditEvent.objects.count() == 9


def test_the_command_prunes_with_the_retention_setting(old_and_new, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    out = io.StringIO()
    call_command("audit_prune", stdout=out)  # "now" is the real today: every event here is older
    assert "OK: 9 events older than 30 days pruned" in out.getvalue()
    call_command("audit_verify", stdout=out)
    assert "were pruned at a checkpoint" in out.getvalue()


def test_a_casual_delete_is_still_refused_after_a_prune(old_and_new):
    audit_prune(days=30, now=NOW)
    for sql in ("DELETE FROM audit_auditevent", "DELETE FROM audit_auditevent WHERE seq <= 7"):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql)
    assert AuditEvent.objects.count() == 4


def test_a_deletion_after_the_checkpoint_is_still_caught(old_and_new):
    audit_prune(days=30, now=NOW)
    remove_append_only_triggers(connection)  # what a forger with the database's keys could do
    _raw("DELETE FROM audit_auditevent WHERE seq = 7")
    install_append_only_triggers(connection)
    report = chain_verify()
    assert report.broken_seq == 7 and report.problem == MISSING.format(seq=7, found=8)


@pytest.mark.parametrize(
    ("column", "value"),
    [("seq", 3), ("hash", "0" * 64), ("event_seq", 2)],
)
def test_the_checkpoint_table_only_accepts_what_audit_prune_writes(old_and_new, column, value):
    """A checkpoint must lie beyond the last one, carry its event's hash, and be recorded by a later
    audit.prune event; once written it can only be closed."""
    prune = audit_prune(days=99, now=NOW)[0]  # checkpoint at seq 1
    good = {"seq": 4, "hash": AuditEvent.objects.get(seq=4).hash, "event_seq": prune.event_seq}
    row = {**good, column: value}
    with pytest.raises(DatabaseError, match="written by audit_prune only"):
        _raw("INSERT INTO audit_auditcheckpoint (seq, hash, event_seq, open) VALUES (%s, %s, %s, %s)",
             [row["seq"], row["hash"], row["event_seq"], True])  # fmt: skip
    for sql in (
        "UPDATE audit_auditcheckpoint SET seq = seq + 1",
        "UPDATE audit_auditcheckpoint SET open = %s",
        "DELETE FROM audit_auditcheckpoint",
    ):
        with pytest.raises(DatabaseError, match="written by audit_prune only"):
            _raw(sql, [True] if "%s" in sql else [])
    assert chain_verify().intact


def test_a_checkpoint_inserted_by_hand_is_caught(old_and_new):
    """The triggers accept a hand-made checkpoint that borrows an earlier prune's event, but
    verification checks that the event names this checkpoint, and refuses one left open."""
    prune = audit_prune(days=99, now=NOW)[0]  # checkpoint at seq 1; its audit.prune event is seq 10
    forged_hash = AuditEvent.objects.get(seq=4).hash
    _raw(
        "INSERT INTO audit_auditcheckpoint (seq, hash, event_seq, open) VALUES (%s, %s, %s, %s)",
        [4, forged_hash, prune.event_seq, True],
    )
    _raw("DELETE FROM audit_auditevent WHERE seq <= 4")
    report = chain_verify()
    assert not report.intact and report.problem == CHECKPOINT_OPEN.format(seq=4)
    _raw("UPDATE audit_auditcheckpoint SET open = %s WHERE seq = 4", [False])
    report = chain_verify()
    assert not report.intact
    assert "not the one its audit.prune event (seq 10) records" in report.problem
