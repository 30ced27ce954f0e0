"""The verification's fast path (rows.hashed_rows): where the database writes an event's canonical JSON
itself (SQLite), its hash is the one the exact path computes; a row whose text differs (stored before
keys were sorted, escaped non-ASCII) is re-hashed exactly, and a changed row is still caught."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from zoomadmin_site.audit import rows
from zoomadmin_site.audit.chain import CHANGED, chain_verify
from zoomadmin_site.audit.db_triggers import remove_append_only_triggers
from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _exact_calls(**kwargs: Any) -> tuple[list[tuple[int, str, str, str]], int]:
    """hashed_rows() of the whole log, and how many rows went through the exact (Python) path."""
    with mock.patch.object(rows, "canonical_bytes_raw", wraps=rows.canonical_bytes_raw) as exact:
        found = list(rows.hashed_rows(0, None, **kwargs))
    return found, exact.call_count


def _unsorted_json_safe(value: Any) -> Any:
    """json_safe() as it was before it sorted keys: keys stored in the order they were given."""
    if isinstance(value, dict):
        return {str(k): _unsorted_json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsorted_json_safe(v) for v in value]
    return value


def _set_before(seq: int, text: str) -> None:
    remove_append_only_triggers(connection)  # this test's transaction is rolled back
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET before = %s WHERE seq = %s", [text, seq])


def test_every_row_hashes_to_its_stored_hash_and_sqlite_writes_the_json_itself(make_events):
    make_events(
        7, before={"z": 1, "a": [{"y": None, "b": True}]}, zoom_calls=[{"path": "/u", "method": "GET"}]
    )
    found, exact = _exact_calls(chunk_size=3)
    assert [row[0] for row in found] == list(range(1, 8))
    assert all(computed == stored for _, computed, _, stored in found)
    # SQLite: the database wrote every row's canonical JSON; elsewhere Python did.
    assert exact == (0 if connection.vendor == "sqlite" else 7)
    assert _exact_calls(chunk_size=3, fast=False)[0] == found


def test_keys_are_stored_sorted_where_the_database_keeps_them(make_events):
    make_events(1, before={"z": 1, "a": {"y": 2, "b": 3}})
    with connection.cursor() as cursor:
        cursor.execute("SELECT before FROM audit_auditevent")
        (stored,) = cursor.fetchone()
    if connection.vendor == "sqlite":  # the text as written (PostgreSQL's jsonb orders keys its own way)
        assert stored == '{"a": {"b": 3, "y": 2}, "z": 1}'
    assert AuditEvent.objects.values_list("before", flat=True).get() == {"a": {"b": 3, "y": 2}, "z": 1}


def test_events_written_before_keys_were_sorted_verify_through_the_exact_path(make_events):
    with mock.patch("zoomadmin_site.audit.services.json_safe", _unsorted_json_safe):
        make_events(6, before={"z": 1, "a": 2})
    make_events(5)  # sorted ones after them
    with mock.patch.object(rows, "_RAW_CHUNKS_AFTER_MISSES", 1):
        found, exact = _exact_calls(chunk_size=2)
    assert all(computed == stored for _, computed, _, stored in found)
    assert len(found) == 11
    if connection.vendor == "sqlite":
        assert 6 <= exact < 11  # the old rows, and a chunk read raw after each chunk that missed
    assert chain_verify(chunk_size=2).intact


def test_non_ascii_json_verifies(make_events):
    make_events(3, before={"name": "Zoë 東京 🚀", "q": 'a "quote" \\ \n'})
    found, _ = _exact_calls()
    assert all(computed == stored for _, computed, _, stored in found)
    assert chain_verify().intact


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps JSON text as written")
@pytest.mark.parametrize(
    ("text", "intact"),
    [
        ('{"a": [1, 2], "z": "x"}', True),  # the stored text itself, re-spaced: the same value
        ('{"z":"x","a":[1,2]}', True),  # the same value, keys in another order
        ('{"a": [1, 2], "z": "y"}', False),
        ('{"a": [1, 2], "z": "x", "extra": 1}', False),
        ('{"a": [2, 1], "z": "x"}', False),
        ('{"a": [1, 2], "z": "x", "z": "y"}', False),  # a duplicate key: Python reads the last one
        ('{"a": [1, 2.0], "z": "x"}', False),
    ],
)
def test_a_changed_json_value_is_caught_and_a_respelt_one_is_not(make_events, text, intact):
    make_events(4, before={"a": [1, 2], "z": "x"})
    _set_before(2, text)
    report = chain_verify(chunk_size=2)
    assert report.intact == intact
    if not intact:
        assert (report.broken_seq, report.problem) == (2, CHANGED)
    assert json.loads(text) == {"a": [1, 2], "z": "x"} or not intact


def test_a_changed_text_column_is_caught_on_the_fast_path(make_events):
    make_events(5)
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET target_label = %s WHERE seq = %s", ["User 9", 4])
    report = chain_verify(chunk_size=2)
    assert (report.broken_seq, report.problem) == (4, CHANGED)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fast path is SQLite's")
def test_a_fast_select_the_database_refuses_falls_back_to_raw_rows(make_events):
    make_events(5)
    refused = "SELECT seq, no_such_function(seq), prev_hash, hash FROM audit_auditevent"
    with mock.patch.object(rows, "_fast_select", return_value=refused):
        found, exact = _exact_calls(chunk_size=2)
    assert [row[0] for row in found] == [1, 2, 3, 4, 5]
    assert all(computed == stored for _, computed, _, stored in found)
    assert exact == 5
