"""The verification's fast path (rows.hashed_rows): where the database writes an event's canonical JSON
itself (SQLite), or all of it but the JSON columns (PostgreSQL), its hash is the one the exact path
computes; a row whose text differs (stored before keys were sorted, escaped non-ASCII, text that
would need escaping) is re-hashed exactly, and a changed row is still caught."""

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


def test_every_row_hashes_to_its_stored_hash_and_the_database_writes_the_text(make_events):
    make_events(
        7, before={"z": 1, "a": [{"y": None, "b": True}]}, zoom_calls=[{"path": "/u", "method": "GET"}]
    )
    found, exact = _exact_calls(chunk_size=3)
    assert [row[0] for row in found] == list(range(1, 8))
    assert all(computed == stored for _, computed, _, stored in found)
    assert exact == 0  # no row went the exact (Python) way
    assert _exact_calls(chunk_size=3, fast=False)[0] == found


def test_rows_come_in_seq_order_past_nine_and_across_reads(make_events):
    # PostgreSQL reads seq as text with COPY: ordering must still be by the number (2 before 10), within
    # one read (chunk_size 50: 500 rows a COPY) and across reads (chunk_size 2: 20 rows a COPY).
    make_events(25, before={"b": [1, {"k": "v"}], "a": None})
    for chunk_size in (50, 2):
        found, exact = _exact_calls(chunk_size=chunk_size)
        assert [row[0] for row in found] == list(range(1, 26))
        assert all(computed == stored for _, computed, _, stored in found)
        assert exact == 0
    _set_before(12, '{"a": null, "b": [1, {"k": "w"}]}')
    report = chain_verify(chunk_size=2)
    assert (report.broken_seq, report.problem) == (12, CHANGED)


def _set_text(seq: int, column: str, text: str) -> None:
    remove_append_only_triggers(connection)  # this test's transaction is rolled back
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [text, seq])


@pytest.mark.parametrize(
    ("column", "written", "changed_to"),
    [
        # The canonical JSON of a newline is backslash-n: the two characters written as such must not
        # pass for it (PostgreSQL puts text columns in their quotes unescaped when none needs escaping).
        ("reason", "line\nbreak", "line\\nbreak"),
        ("reason", 'say "hi"', 'say \\"hi\\"'),
        ("target_label", 'a "b', 'a \\"b'),
        ("reason", "x", 'x","reason":"x'),  # a quote that would shift the text between keys
    ],
)
def test_text_spelt_as_its_own_json_escape_is_caught(make_events, column, written, changed_to):
    make_events(4, **{column: written})
    _set_text(3, column, changed_to)
    report = chain_verify(chunk_size=2)
    assert (report.broken_seq, report.problem) == (3, CHANGED)


@pytest.mark.parametrize(
    "text", ['quote " inside', "back \\ slash", "tab\tand\nnewline", "sep \x1e inside", "del \x7f", "Zoë 🚀"]
)
def test_text_that_needs_escaping_verifies_through_the_exact_path(make_events, text):
    make_events(3, reason=text, target_label=text, actor_label=text)
    found, _ = _exact_calls(chunk_size=2)
    assert all(computed == stored for _, computed, _, stored in found)
    assert chain_verify(chunk_size=2).intact


def test_times_outside_four_digit_years_verify_through_the_exact_path(make_events):
    import datetime as dt

    for year in (999, 1000, 9999):
        when = dt.datetime(year, 6, 1, 12, 0, 0, 7, tzinfo=dt.UTC)
        with mock.patch("zoomadmin_site.audit.services.timezone.now", return_value=when):
            make_events(1)
    found, exact = _exact_calls(chunk_size=2)
    assert all(computed == stored for _, computed, _, stored in found)
    assert chain_verify(chunk_size=2).intact
    if connection.vendor == "postgresql":
        assert exact == 1  # year 999 only: years 1000-9999 are written by the database


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


@pytest.mark.parametrize(
    "text",
    [
        '[{"path": "/users/u1", "method": "PATCH", "status": 204, "zoom_code": null, "tracking_id": "t"}]',
        '{"type": 1, "email": "a@example.com", "role_id": "2"}',
        '{"b": {"z": ": x", "a": ", y"}, "a": ["k", "v: w", 1.10, -0, 123456789012345678901234567890, true]}',
        '{"key": "value"}',
        '"just a string"',
        "[]",
        "null",
        '{"x": "back \\\\ slash", "n": "\\n"}',
        '{"\uffff0": "mark as key", "a": "\uffff"}',
        '{"Zoë": "東京 🚀", "a": "\x7f"}',
    ],
)
def test_json_by_template_is_the_exact_canonical_json(text):
    exact = rows._encode_parsed(json.loads(text))
    assert rows.canonical_json_by_template(text) == exact
    assert rows.canonical_json_by_template(text) == exact  # again, from the template
    other = text.replace("a@example.com", "b@example.com").replace('"t"', '"u"')
    assert rows.canonical_json_by_template(other) == rows._encode_parsed(json.loads(other))
