"""The audit log is append-only: the ORM and the database itself refuse to change or delete events."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.db_triggers import (
    FROZEN_COLUMNS,
    expected_triggers,
    installed_append_only_triggers,
    remove_append_only_triggers,
)
from zoomadmin_site.audit.models import AppendOnlyError, AuditChainHead, AuditClockStep, AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list | None = None) -> None:
    # In a savepoint: on PostgreSQL a refused statement would otherwise abort the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_saving_an_existing_event_is_refused(make_events):
    event = make_events(1)[0]
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["reason"])
    assert AuditEvent.objects.get(seq=event.seq).reason == ""


def test_saving_a_new_event_outside_the_service_is_refused(db):
    with pytest.raises(AppendOnlyError, match="audit_record"):
        AuditEvent(seq=999, action="auth.login", outcome="succeeded", actor_label="x").save()


def test_deleting_an_event_is_refused(make_events):
    event = make_events(1)[0]
    with pytest.raises(AppendOnlyError, match=r"delete\(\) is refused"):
        event.delete()
    assert AuditEvent.objects.filter(seq=event.seq).exists()


def test_queryset_update_and_delete_are_refused(make_events):
    make_events(2)
    with pytest.raises(AppendOnlyError, match=r"QuerySet.update\(\) is refused"):
        AuditEvent.objects.filter(action="mirror.sync").update(reason="x")
    with pytest.raises(AppendOnlyError, match=r"QuerySet.delete\(\) is refused"):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.all().delete()
    assert AuditEvent.objects.count() == 2


def test_bulk_writes_are_refused(make_events):
    events = make_events(1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update(events, ["reason"])
    with pytest.raises(AppendOnlyError, match="audit_record"):
        AuditEvent.objects.bulk_create([AuditEvent(seq=50, action="a.b", outcome="failed", hash="f" * 64)])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(seq=events[0].seq, defaults={"reason": "x"})


def test_raw_sql_update_is_refused_by_the_database(make_events):
    event = make_events(1)[0]
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["rewritten", event.seq])
    assert AuditEvent.objects.get(seq=event.seq).reason == ""


def test_raw_sql_delete_is_refused_by_the_database(make_events):
    make_events(2)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="INSERT OR REPLACE is SQLite's")
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_replacing_an_event_is_refused_by_sqlite(make_events, verb):
    """REPLACE deletes the clashing row without firing DELETE triggers; a trigger on INSERT catches it."""
    event = make_events(1)[0]
    columns = ", ".join(f'"{c}"' for c in FROZEN_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM audit_auditevent WHERE seq = %s", [event.seq])
        row = list(cursor.fetchone())
    row[FROZEN_COLUMNS.index("reason")] = "rewritten"
    marks = ", ".join(["%s"] * len(row))
    with pytest.raises(DatabaseError, match="append-only: REPLACE refused"):
        _raw(f"{verb} INTO audit_auditevent ({columns}) VALUES ({marks})", row)
    assert AuditEvent.objects.get(seq=event.seq).reason == ""
    assert chain_verify().intact


def test_the_chain_head_cannot_be_wound_back_or_deleted(make_events):
    """Winding the head back would hide events deleted from the end of the log."""
    make_events(3)
    with pytest.raises(DatabaseError, match="only moves forward"):
        _raw("UPDATE audit_auditchainhead SET seq = seq - 1")
    with pytest.raises(DatabaseError, match="only moves forward"):
        _raw("UPDATE audit_auditchainhead SET hash = %s", ["0" * 64])
    with pytest.raises(DatabaseError, match="only moves forward"):
        _raw("DELETE FROM audit_auditchainhead")
    if connection.vendor == "sqlite":
        with pytest.raises(DatabaseError, match="only moves forward"):
            _raw("INSERT OR REPLACE INTO audit_auditchainhead (id, seq, hash) VALUES (1, 0, '')")
    else:
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="only moves forward"):
            _raw("TRUNCATE audit_auditchainhead")
    assert AuditChainHead.objects.get(pk=1).seq == AuditEvent.objects.order_by("-seq").first().seq
    assert chain_verify().intact
    audit_record(action="auth.login", outcome="succeeded", actor_label="someone")  # appends still work
    assert chain_verify().intact


def test_clock_steps_cannot_be_changed_or_removed(db, monkeypatch):
    """The list's date filter trusts the clock steps on record: none may be hidden or altered."""
    import datetime as dt
    import types

    from zoomadmin_site.audit import services

    day = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    for when in (day, day - dt.timedelta(hours=1)):  # the clock stepped back an hour
        monkeypatch.setattr(services, "timezone", types.SimpleNamespace(now=lambda when=when: when))
        audit_record(action="auth.login", outcome="succeeded", actor_label="someone")
    monkeypatch.undo()
    (step,) = AuditClockStep.objects.values_list("seq", "time", "previous_time")
    with pytest.raises(DatabaseError, match="clock steps are append-only"):
        _raw("UPDATE audit_auditclockstep SET seq = seq + 1")
    with pytest.raises(DatabaseError, match="clock steps are append-only"):
        _raw("DELETE FROM audit_auditclockstep")
    if connection.vendor == "sqlite":
        with pytest.raises(DatabaseError, match="clock steps are append-only"):
            _raw(
                "INSERT OR REPLACE INTO audit_auditclockstep (seq, time, previous_time) VALUES (%s, %s, %s)",
                [step[0], "2000-01-01 00:00:00", "2000-01-01 00:00:00"],
            )
    else:
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="clock steps are append-only"):
            _raw("TRUNCATE audit_auditclockstep")
    assert list(AuditClockStep.objects.values_list("seq", "time", "previous_time")) == [step]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_raw_sql_truncate_is_refused_by_postgresql(make_events):
    make_events(1)
    _raw("SET CONSTRAINTS ALL IMMEDIATE")  # else the pending deferred FK check refuses TRUNCATE first
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_no_update_is_allowed_not_even_clearing_the_actor(alice, make_events):
    """Operators with events are deactivated, never deleted (PROTECT), so nothing clears actor_id."""
    event = make_events(1, actor=alice)[0]
    for sql, params in [
        ("UPDATE audit_auditevent SET actor_id = NULL WHERE seq = %s", [event.seq]),
        ("UPDATE audit_auditevent SET actor_id = NULL, outcome = 'failed' WHERE seq = %s", [event.seq]),
        ("UPDATE audit_auditevent SET actor_id = %s WHERE seq = %s", [alice.pk + 1000, event.seq]),
    ]:
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, params)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=event.seq).update(actor=None)
    assert AuditEvent.objects.get(seq=event.seq).actor_id == alice.pk


def test_an_operator_with_events_cannot_be_deleted(alice, make_events):
    events = make_events(2, actor=alice)
    with pytest.raises(ProtectedError), transaction.atomic():
        alice.delete()
    assert {e.actor_id for e in AuditEvent.objects.filter(seq__in=[e.seq for e in events])} == {alice.pk}
    assert chain_verify().intact


def test_append_only_triggers_are_installed(db):
    assert installed_append_only_triggers(connection) == expected_triggers(connection.vendor)
    assert len(expected_triggers(connection.vendor)) == (12 if connection.vendor == "sqlite" else 13)


def test_trigger_column_list_covers_every_column_but_the_actor_link(db):
    columns = {field.column for field in AuditEvent._meta.concrete_fields}
    assert set(FROZEN_COLUMNS) == columns - {"actor_id"}


def test_post_migrate_reinstalls_dropped_triggers(make_events):
    make_events(1)
    remove_append_only_triggers(connection)
    assert installed_append_only_triggers(connection) == set()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert installed_append_only_triggers(connection)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent")


def test_migrations_are_in_sync_with_the_models(db):
    call_command("makemigrations", "audit", "--check", "--dry-run", verbosity=0)


def test_event_written_by_the_service_is_insert_only(db):
    event = audit_record(action="auth.login", outcome="succeeded", actor_label="someone")
    assert AuditEvent.objects.filter(seq=event.seq, hash=event.hash).exists()
