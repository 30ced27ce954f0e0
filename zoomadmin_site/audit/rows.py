"""Reading audit events raw: rows as the database returns them, without model instances or Django's
per-field converters, for the passes that read every event (chain verification, export).

`raw_rows` streams tuples of RAW_COLUMNS (HASHED_FIELDS + hash) from a plain cursor: `fetchmany` on
SQLite, a server-side (named) cursor on PostgreSQL. The SELECT asks the database for text where a
converter would be needed: on PostgreSQL the time comes back already formatted as chain.py's UTC
ISO-8601 string and the operation id as a dashed UUID, and jsonb as its text; on SQLite the time and
the UUID are stored as text and `raw_time` / `raw_uuid` reshape them with string slicing.

`canonical_bytes_raw` turns such a row into exactly the bytes `chain.canonical_bytes` hashes for the
same event read through the ORM (tests/audit/test_raw_rows.py proves it on hostile content, on both
databases): JSON columns are parsed with `json.loads`, as Django's JSONField does, and re-encoded by
the same canonical encoder. Anything not in the exact shape expected falls back to Django's own
conversion, so an odd row costs time, never a wrong hash.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection as default_connection
from django.utils.dateparse import parse_datetime

from zoomadmin_site.audit.chain import _CANONICAL_JSON, HASHED_FIELDS, utc_iso

RAW_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash")
JSON_COLUMNS = frozenset({"before", "after", "preflight", "zoom_calls"})
TABLE = "audit_auditevent"
# Python's isoformat(timespec="microseconds") of a UTC time, computed by PostgreSQL.
_PG_TIME = """to_char("time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
_json_loads = json.loads
_encode = _CANONICAL_JSON.encode
# Parsed values of the JSON texts that occur on most rows, shared (they are never mutated).
_COMMON_JSON = {"[]": [], "{}": {}, "null": None}


def raw_select(vendor: str) -> str:
    """`SELECT <RAW_COLUMNS> FROM audit_auditevent` for this vendor (add WHERE / ORDER BY)."""
    if vendor == "postgresql":
        columns = [
            _PG_TIME
            if name == "time"
            else '"operation_id"::text'
            if name == "operation_id"
            else f'"{name}"::text'
            if name in JSON_COLUMNS
            else f'"{name}"'
            for name in RAW_COLUMNS
        ]
    else:
        columns = [f'"{name}"' for name in RAW_COLUMNS]
    return f"SELECT {', '.join(columns)} FROM {TABLE}"  # noqa: S608 - fixed column names


def raw_rows(
    where: str = "",
    params: Sequence[Any] = (),
    *,
    order: str = "seq",
    chunk_size: int = 5000,
    using: Any = None,
) -> Iterator[tuple[Any, ...]]:
    """Stream RAW_COLUMNS tuples of the events matching `where` (SQL with %s params) in `order`.

    PostgreSQL reads through a server-side cursor (`chunked_cursor`), so memory stays flat whatever the
    number of rows; SQLite's cursor steps through the table as rows are fetched.
    """
    connection = using or default_connection
    sql = raw_select(connection.vendor) + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
    connection.ensure_connection()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, list(params))
        while batch := cursor.fetchmany(chunk_size):
            yield from batch


def raw_time(value: Any) -> str:
    """The stored time as chain.utc_iso() writes it: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'."""
    if isinstance(value, str):
        if len(value) == 32 and value[10] == "T" and value.endswith("+00:00"):
            return value  # PostgreSQL's to_char above
        # SQLite: Django stores aware times as naive UTC text, str(datetime): no fraction when zero.
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}+00:00"
        if len(value) == 19 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}.000000+00:00"
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"Unreadable audit event time {value!r}.")
        value = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return utc_iso(value)


def raw_uuid(value: Any) -> str:
    """The stored operation id as a dashed lowercase UUID string."""
    if isinstance(value, str):
        if len(value) == 32 and value.islower():  # SQLite: Django stores UUIDs as 32 hex digits
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        if len(value) == 36 and value.islower():  # PostgreSQL's uuid::text
            return value
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def raw_json(value: Any) -> Any:
    """A JSON column's value, parsed the way Django's JSONField.from_db_value parses it."""
    if value is None:
        return None
    if isinstance(value, str):
        common = _COMMON_JSON.get(value, _COMMON_JSON)
        if common is not _COMMON_JSON:
            return common
        return _json_loads(value)
    return value  # a driver that already parsed it


def raw_content(row: Sequence[Any]) -> dict[str, Any]:
    """The hashed fields of a raw row as canonical JSON values (time and operation id as strings)."""
    (seq, time, actor_label, action, target_type, target_id, target_label, before, after, reason,
     preflight, zoom_calls, outcome, request_id, source_ip, operation_id, prev_hash) = row[:17]  # fmt: skip
    return {
        "action": action,
        "actor_label": actor_label,
        "after": raw_json(after),
        "before": raw_json(before),
        "operation_id": raw_uuid(operation_id),
        "outcome": outcome,
        "preflight": raw_json(preflight),
        "prev_hash": prev_hash,
        "reason": reason,
        "request_id": request_id,
        "seq": seq,
        "source_ip": source_ip,
        "target_id": target_id,
        "target_label": target_label,
        "target_type": target_type,
        "time": raw_time(time),
        "zoom_calls": raw_json(zoom_calls),
    }


def canonical_bytes_raw(row: Sequence[Any]) -> bytes:
    """chain.canonical_bytes() of the event in a raw row (RAW_COLUMNS order)."""
    return _encode(raw_content(row)).encode()
