"""Raw rows (zoomadmin_site.audit.rows) hash to exactly what the ORM path hashes: the hash definition is
unchanged, so chains written before the raw reader still verify. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from unittest import mock

import pytest

from zoomadmin_site.audit.chain import HASHED_FIELDS, canonical_bytes, chain_verify
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.rows import RAW_COLUMNS, canonical_bytes_raw, raw_rows, raw_time, raw_uuid
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = [
    "",
    "plain",
    "Zoë 東京 🚀 עברית \u202e gnirts",  # accents, CJK, emoji, RTL, a bidi override
    "nul\x00inside",  # PostgreSQL refuses NUL: stored replaced, hashed replaced
    "lone \ud800 surrogate",
    'quote " backslash \\ slash / tab \t newline \n cr \r ctrl \x01 \x1f del \x7f',
    "line sep \u2028 para sep \u2029 bom \ufeff",
    '=HYPERLINK("x")',
]
HOSTILE_JSON = [
    None,
    {},
    [],
    {"nested": {"deeper": [1, {"a": [None, True, False]}], "z": "last", "A": "first"}},
    {"floats": [1.5, 0.1, -0.0, 1e-7, 1e300, 3.0, 2.5e-300, float("nan"), float("inf"), 123456789.125]},
    {"ints": [0, -1, 2**53 + 1, 10**30]},
    {"ké\x00y": "vä\x00lue", "emoji 🚀": ["\u2028", "\ud800"], 'q"uote': "\\"},
    {"empty": "", "none": None, "list": [], "dict": {}},
    ["top", "level", "list"],
]


def _record(n: int, *, when: dt.datetime) -> AuditEvent:
    text = HOSTILE_TEXT[n % len(HOSTILE_TEXT)]
    with mock.patch("zoomadmin_site.audit.services.timezone.now", return_value=when):
        return audit_record(
            action="webhook.invalid",
            outcome="failed",
            actor_label=text or "system",
            target_type=text[:64],
            target_id=text[:128],
            target_label=text,
            before=HOSTILE_JSON[n % len(HOSTILE_JSON)],
            after=HOSTILE_JSON[(n + 3) % len(HOSTILE_JSON)],
            preflight=HOSTILE_JSON[(n + 5) % len(HOSTILE_JSON)],
            zoom_calls=[{"method": "PATCH", "path": f"/users/{text}", "status": 400, "zoom_code": 1.0}]
            if n % 2
            else [],
            reason=text,
            request_id=text[:64],
            source_ip=text[:64],
        )


@pytest.fixture
def hostile_events(db):
    times = [
        dt.datetime(2026, 3, 1, 12, 0, 0, 0, tzinfo=dt.UTC),  # microsecond 0
        dt.datetime(2026, 3, 1, 12, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 12, 0, 0, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 14, 0, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2))),  # not UTC
        dt.datetime(1999, 12, 31, 23, 59, 59, 0, tzinfo=dt.UTC),
    ]
    count = max(len(HOSTILE_TEXT), len(HOSTILE_JSON)) * 2
    return [_record(n, when=times[n % len(times)]) for n in range(count)]


def test_raw_rows_hash_exactly_as_the_orm_rows_do(hostile_events):
    orm = {row[0]: row for row in AuditEvent.objects.order_by("seq").values_list(*HASHED_FIELDS, "hash")}
    raw = list(raw_rows(chunk_size=7))
    assert [row[0] for row in raw] == sorted(orm) == [e.seq for e in hostile_events]
    for row in raw:
        orm_row = orm[row[0]]
        expected = canonical_bytes(dict(zip(HASHED_FIELDS, orm_row[:-1], strict=True)))
        assert canonical_bytes_raw(row) == expected, row[0]
        assert hashlib.sha256(expected).hexdigest() == row[RAW_COLUMNS.index("hash")] == orm_row[-1]


def test_a_chain_of_hostile_events_verifies(hostile_events):
    report = chain_verify(chunk_size=3)
    assert report.intact, report.summary()
    assert (report.events, report.last_hash) == (len(hostile_events), hostile_events[-1].hash)


def test_microsecond_zero_times_are_written_with_six_zero_digits(hostile_events):
    first = next(raw_rows())
    assert raw_time(first[1]) == "2026-03-01T12:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("stored", "canonical"),
    [
        ("2026-03-01 12:00:00", "2026-03-01T12:00:00.000000+00:00"),
        ("2026-03-01 12:00:00.000042", "2026-03-01T12:00:00.000042+00:00"),
        ("2026-03-01T12:00:00.000042+00:00", "2026-03-01T12:00:00.000042+00:00"),
        ("2026-03-01 12:00:00+00", "2026-03-01T12:00:00.000000+00:00"),  # PostgreSQL time::text
        ("2026-03-01 12:00:00.5+00", "2026-03-01T12:00:00.500000+00:00"),
        ("2026-03-01 12:00:00.00001+00", "2026-03-01T12:00:00.000010+00:00"),
        ("2026-03-01 12:00:00.999999+00", "2026-03-01T12:00:00.999999+00:00"),
        ("2026-03-01 14:00:00.25+02", "2026-03-01T12:00:00.250000+00:00"),  # another session zone
        ("2026-03-01 14:00:00+02:00", "2026-03-01T12:00:00.000000+00:00"),  # any other shape: parsed
        (dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), "2026-03-01T12:00:00.000000+00:00"),
    ],
)
def test_raw_time_reshapes_every_stored_form(stored, canonical):
    assert raw_time(stored) == canonical


def test_raw_uuid_reshapes_every_stored_form():
    value = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    for stored in (value.hex, str(value), value, value.hex.upper()):
        assert raw_uuid(stored) == str(value)


def test_raw_csv_cells_and_jsonl_lines_match_the_model_based_ones(hostile_events):
    import json

    from zoomadmin_site.audit.chain import _CANONICAL_JSON
    from zoomadmin_site.audit.export import csv_row, csv_row_raw, jsonl_line_raw

    events = {e.seq: e for e in AuditEvent.objects.all()}
    for row in raw_rows():
        assert csv_row_raw(row) == csv_row(events[row[0]]), row[0]
        line = json.loads(jsonl_line_raw(row))
        assert line.pop("hash") == events[row[0]].hash
        assert _CANONICAL_JSON.encode(line).encode() == canonical_bytes_raw(row)


def test_raw_csv_lines_are_csv_writer_lines_of_the_model_based_cells(hostile_events):
    import csv
    import io

    from zoomadmin_site.audit.export import csv_line_raw, csv_row

    events = {e.seq: e for e in AuditEvent.objects.all()}
    written = 0
    for row in raw_rows():
        buffer = io.StringIO()
        csv.writer(buffer).writerow(csv_row(events[row[0]]))
        assert csv_line_raw(row) == buffer.getvalue(), row[0]
        written += 1
    assert written == len(events)


@pytest.mark.parametrize("order", ["seq", "seq DESC", "time DESC, seq DESC"])
def test_raw_rows_with_a_filter_read_in_chunks_are_the_matching_rows_in_order(hostile_events, order):
    expected = AuditEvent.objects.filter(seq__gt=3, seq__lte=15).order_by(
        *("-" + part.split()[0] if part.endswith("DESC") else part for part in order.split(", "))
    )
    found = [row[0] for row in raw_rows("seq > %s AND seq <= %s", [3, 15], order=order, chunk_size=4)]
    assert found == list(expected.values_list("seq", flat=True))
    assert len(found) == 12


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_exports_written_from_the_databases_pieces_are_the_raw_rows_exports_byte_for_byte(
    hostile_events, fmt
):
    from django.db import connection

    from zoomadmin_site.audit.export import ExportStream, pg_export_chunks

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL writes the lines' text from pieces")
    # More events: quotes, separators, formula triggers in each text cell, and times outside 1000-9999.
    extra = ["\tlead", "a,b", 'q"q', "-1", "+1", "@x", "=1", "sep\x1einside", "tab\there", "ok"]
    for n, text in enumerate(extra):
        when = dt.datetime(999 if n == 3 else 2026, 1, 1, 0, 0, n, tzinfo=dt.UTC)
        with mock.patch("zoomadmin_site.audit.services.timezone.now", return_value=when):
            audit_record(
                action="webhook.invalid",
                outcome="failed",
                target_type="t",
                target_id=text,
                target_label=text,
                reason=text,
                request_id=text,
                source_ip=text,
                actor_label=text,
            )
    raw = ExportStream(list(raw_rows(order="seq DESC")), format=fmt)
    pieces = ExportStream(format=fmt, chunks=pg_export_chunks(fmt, "", (), chunk_size=5))
    assert b"".join(pieces) == b"".join(raw)
    assert (pieces.row_count, pieces.first, pieces.last) == (raw.row_count, raw.first, raw.last)
    assert pieces.row_count == len(hostile_events) + len(extra)
    assert pieces.sha256 == raw.sha256
    filtered = ExportStream(format=fmt, chunks=pg_export_chunks(fmt, "seq > %s", (5,), chunk_size=4))
    assert b"".join(filtered) == b"".join(
        ExportStream(list(raw_rows("seq > %s", [5], order="seq DESC")), format=fmt)
    )
