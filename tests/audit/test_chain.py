"""The hash chain: canonical hashing, and audit_verify naming the first broken event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zoomadmin_site.audit.chain import HASHED_FIELDS, canonical_bytes, event_hash
from zoomadmin_site.audit.db_triggers import FROZEN_COLUMNS, remove_append_only_triggers
from zoomadmin_site.audit.models import AuditChainHead, AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def tamperable(make_events):
    """Five events, with the triggers dropped for this test only (its transaction is rolled back)."""
    events = make_events(5)
    remove_append_only_triggers(connection)
    return events


def _verify_fails(capsys) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert failure.value.returncode == 1
    return str(failure.value)


def _values(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def test_hash_is_sha256_of_canonical_json_with_sorted_keys(make_events):
    event = make_events(1)[0]
    content = json.loads(canonical_bytes(_values(event)))
    assert list(content) == sorted(HASHED_FIELDS)
    assert content["time"].endswith("+00:00")
    assert content["operation_id"] == str(event.operation_id)
    assert event.hash == hashlib.sha256(canonical_bytes(_values(event))).hexdigest()


@pytest.mark.parametrize("field", [f for f in HASHED_FIELDS if f not in ("seq", "time", "operation_id")])
def test_changing_any_hashed_field_changes_the_hash(make_events, field):
    values = _values(make_events(1)[0])
    values[field] = (
        {"changed": True} if field in ("before", "after", "preflight", "zoom_calls") else "changed"
    )
    assert event_hash(values) != make_events(1)[0].hash


def test_values_read_back_from_the_database_hash_identically(db):
    tricky = {
        "float_integral": 1.0,
        "big_float": 1e16,
        "small_float": 1.5e-7,
        "fraction": 0.1,
        "nan": float("nan"),
        "unicode": "Zoë 会议 🎥",
        "nul": "a\x00b",
        "surrogate": "x\ud800y",
        "nested": [{"b": 2, "a": [1, 2.5, None, True]}],
        "when": dt.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=dt.UTC),
        "day": dt.date(2026, 3, 1),
        "money": Decimal("12.50"),
        "id": uuid.UUID(int=7),
        "big_int": 2**70,
    }
    event = audit_record(
        action="mirror.sync",
        outcome="succeeded",
        before=tricky,
        after={"list": [tricky]},
        preflight={"checks": [{"status": "pass"}]},
        zoom_calls=[{"method": "GET", "path": "/users/x", "status": 200}],
        reason="line\nbreak \x00",
        target_label="Zoë",
    )
    stored = AuditEvent.objects.get(seq=event.seq)
    assert event_hash(_values(stored)) == stored.hash == event.hash
    assert stored.before == event.before


def test_audit_verify_reports_an_intact_chain_and_exits_zero(make_events, capsys):
    events = make_events(4)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert out.strip() == f"OK: 4 events, chain intact up to seq {events[-1].seq} (hash {events[-1].hash})"
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert (recorded.action, recorded.outcome) == ("audit.verify", "succeeded")
    assert recorded.after["last_seq"] == events[-1].seq


def test_audit_verify_of_an_empty_log_is_ok(db, capsys):
    call_command("audit_verify")
    assert capsys.readouterr().out.startswith("OK: 0 events")
    call_command("audit_verify")  # the first run's own event is now verified too
    assert capsys.readouterr().out.startswith("OK: 1 events, chain intact up to seq 1")


def test_audit_verify_names_a_row_changed_after_writing(tamperable, capsys):
    _sql("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE seq = %s", [tamperable[2].seq])
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {tamperable[2].seq}" in message
    assert "content does not match its hash" in message
    assert f"events 1-{tamperable[1].seq} are intact" in message


def test_audit_verify_names_a_deleted_row(tamperable, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = %s", [tamperable[1].seq])
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {tamperable[1].seq}: event {tamperable[1].seq} is missing" in message


def test_audit_verify_notices_the_latest_events_were_deleted(tamperable, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq >= %s", [tamperable[3].seq])
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {tamperable[3].seq}" in message
    assert "latest events were deleted" in message


def test_audit_verify_names_a_reordered_pair(tamperable, capsys):
    first, second = tamperable[1].seq, tamperable[2].seq
    _sql("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [second])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [second, first])
    _sql("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [first])
    assert f"BROKEN at seq {first}" in _verify_fails(capsys)


def test_rehashed_reordered_rows_are_caught_by_the_prev_hash_link(tamperable, capsys):
    moved = AuditEvent.objects.get(seq=tamperable[2].seq)
    values = {**_values(moved), "seq": tamperable[1].seq}
    forged_hash = event_hash(values)
    _sql("DELETE FROM audit_auditevent WHERE seq = %s", [tamperable[1].seq])
    _sql(
        "UPDATE audit_auditevent SET seq = %s, hash = %s WHERE seq = %s",
        [tamperable[1].seq, forged_hash, tamperable[2].seq],
    )
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {tamperable[1].seq}" in message
    assert "prev_hash does not match" in message


def _insert_copy(source_seq: int, **overrides) -> None:
    """INSERT a copy of event `source_seq` with some columns replaced, as a forger with SQL access would."""
    columns = [c for c in FROZEN_COLUMNS if c not in ("before", "after", "preflight")]
    chosen = [("%s" if c in overrides else c) for c in columns]
    _sql(
        f"INSERT INTO audit_auditevent ({', '.join(columns)})"
        f" SELECT {', '.join(chosen)} FROM audit_auditevent WHERE seq = %s",
        [*(overrides[c] for c in columns if c in overrides), source_seq],
    )


def test_audit_verify_names_a_forged_row_inserted_with_its_own_hash(tamperable, capsys):
    last = tamperable[-1]
    forged = {**_values(last), "before": None, "after": None, "preflight": None}
    forged.update(seq=last.seq + 1, prev_hash="0" * 64, reason="forged")
    forged_hash = event_hash(forged)
    _insert_copy(last.seq, seq=last.seq + 1, reason="forged", prev_hash="0" * 64, hash=forged_hash)
    AuditChainHead.objects.filter(pk=1).update(seq=last.seq + 1, hash=forged_hash)
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {last.seq + 1}" in message
    assert "prev_hash does not match" in message


def test_audit_verify_notices_a_row_appended_behind_the_services_back(tamperable, capsys):
    last = tamperable[-1]
    _insert_copy(last.seq, seq=last.seq + 1, prev_hash=last.hash, hash="e" * 64)
    message = _verify_fails(capsys)
    assert f"BROKEN at seq {last.seq + 1}" in message


def test_a_failed_verification_is_recorded_as_an_audit_event(tamperable, capsys):
    _sql("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [tamperable[0].seq])
    _verify_fails(capsys)
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert (recorded.action, recorded.outcome) == ("audit.verify", "failed")
    assert f"BROKEN at seq {tamperable[0].seq}" in recorded.reason
    assert recorded.after["broken_seq"] == tamperable[0].seq
