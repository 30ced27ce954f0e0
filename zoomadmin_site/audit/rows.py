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
from concurrent.futures import ThreadPoolExecutor
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
_raw_decode = json.JSONDecoder().raw_decode
# _CANONICAL_JSON without the circular-reference check, which values just parsed from text never need:
# the same output, a little sooner.
_encode_parsed = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
).encode
# Parsed values of the JSON texts that occur on most rows, shared (they are never mutated).
_COMMON_JSON: dict[str, Any] = {"[]": [], "{}": {}, "null": None}


def raw_select(vendor: str, *, iso_time_text: bool = False) -> str:
    """`SELECT <RAW_COLUMNS> FROM audit_auditevent` for this vendor (add WHERE / ORDER BY).

    PostgreSQL: with `iso_time_text` (the session's DateStyle is ISO, see _pg_iso_dates) the time is
    read as `time::text`, reshaped by raw_time, which costs the server half as much as to_char()."""
    if vendor == "postgresql":
        columns = [
            ('"time"::text' if iso_time_text else _PG_TIME)
            if name == "time"
            else '"operation_id"::text'
            if name == "operation_id"
            else f'"{name}"::text'
            if name in JSON_COLUMNS
            else f'"{name}"'
            for name in RAW_COLUMNS
        ]
    else:
        # Django's SQLite connection parses columns declared "datetime" with a Python converter; the
        # CAST hides the declared type, so the stored text comes back as is (see raw_time).
        columns = ['CAST("time" AS TEXT)' if name == "time" else f'"{name}"' for name in RAW_COLUMNS]
    return f"SELECT {', '.join(columns)} FROM {TABLE}"  # noqa: S608 - fixed column names


def _pg_iso_dates(connection: Any) -> bool:
    """Whether this PostgreSQL session writes times as ISO text ('2026-03-01 12:00:00.5+00')."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW DateStyle")
        (style,) = cursor.fetchone()
    return str(style).upper().startswith("ISO")


def _select_for(connection: Any) -> str:
    vendor = connection.vendor
    return raw_select(vendor, iso_time_text=vendor == "postgresql" and _pg_iso_dates(connection))


def raw_rows(
    where: str = "",
    params: Sequence[Any] = (),
    *,
    order: str = "seq",
    chunk_size: int = 5000,
    using: Any = None,
) -> Iterator[tuple[Any, ...]]:
    """Stream RAW_COLUMNS tuples of the events matching `where` (SQL with %s params) in `order`.

    PostgreSQL, ordered by seq (ascending or "seq DESC"): rows are read in keyset chunks (`seq > last`
    or `seq < last`, LIMIT chunk_size), so memory stays flat and the server computes each chunk when
    asked for, the next one while the caller uses this one. (A server-side cursor outside a transaction
    is WITH HOLD, which makes the server compute and store the whole result before the first row: a
    million rows' worth.) SQLite, or another order: one cursor, fetched in chunks (server-side on
    PostgreSQL).
    """
    connection = using or default_connection
    connection.ensure_connection()
    select = _select_for(connection)
    keyset = {"seq": ">", "seq asc": ">", "seq desc": "<"}.get(" ".join(order.lower().split()))
    if keyset is None or connection.vendor != "postgresql":
        # SQLite steps through the table as rows are fetched, no keyset needed (with two upper bounds
        # on seq, the filter's and the keyset's, it would scan down from the filter's each chunk).
        sql = select + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, list(params))
            while batch := cursor.fetchmany(chunk_size):
                yield from batch
        return
    for batch in keyset_chunks(connection, select, where, params, order=order, chunk_size=chunk_size):
        yield from batch


def keyset_chunks(
    connection: Any,
    select: str,
    where: str = "",
    params: Sequence[Any] = (),
    *,
    order: str = "seq",
    chunk_size: int = 5000,
) -> Iterator[list[tuple[Any, ...]]]:
    """PostgreSQL: the rows of `select` (whose first column is seq) matching `where`, ordered by seq
    ("seq" or "seq DESC"), in keyset chunks: `seq > last` (or `seq < last`), LIMIT chunk_size. Memory
    stays flat, and the server computes the next chunk while the caller uses this one. (A server-side
    cursor outside a transaction is WITH HOLD, which makes the server compute and store the whole
    result before the first row: a million rows' worth.)"""
    keyset = {"seq": ">", "seq asc": ">", "seq desc": "<"}[" ".join(order.lower().split())]
    chunk_size = max(1, chunk_size)
    first = select + (f" WHERE {where}" if where else "") + f" ORDER BY {order} LIMIT %s"
    after = (
        select
        + (f" WHERE ({where}) AND" if where else " WHERE")
        + f" seq {keyset} %s ORDER BY {order} LIMIT %s"
    )
    with connection.cursor() as cursor, ThreadPoolExecutor(1) as reader:

        def read(sql: str, args: list[Any]) -> list[tuple[Any, ...]]:
            cursor.execute(sql, args)
            return cursor.fetchall()

        # The next chunk is read while this one is used: the database works (and the driver waits,
        # without the GIL) while Python works. One thread, one query at a time on the cursor.
        pending = reader.submit(read, first, [*params, chunk_size])
        while batch := pending.result():
            more = len(batch) == chunk_size
            if more:
                pending = reader.submit(read, after, [*params, batch[-1][0], chunk_size])
            yield batch
            if not more:
                return


def raw_time(value: Any) -> str:
    """The stored time as chain.utc_iso() writes it: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'."""
    if isinstance(value, str):
        if len(value) == 32 and value[10] == "T" and value.endswith("+00:00"):
            return value  # PostgreSQL's to_char above
        # PostgreSQL's time::text in UTC (ISO DateStyle): the fraction without trailing zeros.
        if value.endswith("+00") and value[10:11] == " " and 22 <= len(value) <= 29:
            if len(value) == 22:
                return f"{value[:10]}T{value[11:19]}.000000+00:00"
            if value[19] == ".":
                return f"{value[:10]}T{value[11:19]}.{value[20:-3]:0<6}+00:00"
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
        # islower() is False for digits only (e.g. uuid.UUID(int=1)), which hold no upper case either.
        if len(value) == 32 and (value.islower() or value.isdigit()):  # SQLite: 32 hex digits
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        if len(value) == 36 and value == value.lower():
            return value  # PostgreSQL's uuid::text
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def raw_json(value: Any) -> Any:
    """A JSON column's value, parsed the way Django's JSONField.from_db_value parses it."""
    if value is None:
        return None
    if isinstance(value, str):
        common = _COMMON_JSON.get(value, _COMMON_JSON)
        if common is not _COMMON_JSON:
            return common
        return _parse_json(value)
    return value  # a driver that already parsed it


def _parse_json(text: str) -> Any:
    """json.loads(text), sooner for the usual text (no whitespace around the value, as both databases
    write it): json.loads is raw_decode after skipping leading whitespace, and refuses text left after
    the value. Anything else is handed to json.loads itself."""
    try:
        value, end = _raw_decode(text)
    except ValueError:
        return _json_loads(text)
    return value if end == len(text) else _json_loads(text)


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


# HASHED_FIELDS in the order a sort_keys encoder writes them (checked below).
_SORTED = (
    "action", "actor_label", "after", "before", "operation_id", "outcome", "preflight", "prev_hash",
    "reason", "request_id", "seq", "source_ip", "target_id", "target_label", "target_type", "time",
    "zoom_calls",
)  # fmt: skip
assert tuple(sorted(HASHED_FIELDS)) == _SORTED, "rows._SORTED must list HASHED_FIELDS sorted"
_encode_str = json.encoder.encode_basestring  # the C function the canonical encoder uses for str
_JSON_CACHE_SIZE = 8192


class TextCache(dict[str, str]):
    """text -> convert(text) for the texts a column held recently, one cache per column: a pure function
    of the text, and most values repeat (the same states, plans, "[]"), so a hit saves a parse and an
    encode. A column whose values all differ (calls with their tracking ids) only churns its own cache.
    Bounded: cleared when full. Subclasses define `convert` (the export's CSV cells use one too)."""

    @staticmethod
    def convert(text: str) -> str:
        raise NotImplementedError

    def __missing__(self, text: str) -> str:
        if len(self) >= _JSON_CACHE_SIZE:
            self.clear()
        value = self[text] = self.convert(text)
        return value


class _JsonTextCache(TextCache):
    """A JSON column's text -> its canonical JSON."""

    @staticmethod
    def convert(text: str) -> str:
        return _encode_parsed(_parse_json(text))


def _json_texts() -> tuple[_JsonTextCache, ...]:
    return tuple(_JsonTextCache() for _ in range(4))


_BEFORE, _AFTER, _PREFLIGHT, _ZOOM_CALLS = _json_texts()


def _canonical_json_text(value: Any, cache: _JsonTextCache | None = None) -> str:
    """The canonical JSON of a JSON column's value as stored (text, None or an already parsed value)."""
    if value is None:
        return "null"
    if not isinstance(value, str):
        return _encode(value)
    return (cache if cache is not None else _AFTER)[value]


def canonical_bytes_raw(row: Sequence[Any]) -> bytes:
    """chain.canonical_bytes() of the event in a raw row (RAW_COLUMNS order)."""
    return canonical_text_raw(row).encode()


def canonical_text_raw(row: Sequence[Any], *, with_hash: bool = False) -> str:
    """The canonical JSON of the event in a raw row, written directly: each value encoded as the
    canonical encoder encodes it, in sorted key order, without building a dict. `with_hash` adds the
    stored hash, in its sorted place (the JSON Lines export). Values of any other type than the
    database gives (not str, int, None) take the general path."""
    (seq, time, actor_label, action, target_type, target_id, target_label, before, after,
     reason, preflight, zoom_calls, outcome, request_id, source_ip, operation_id, prev_hash,
     hash_) = row[:18]  # fmt: skip
    try:
        if type(seq) is not int:
            raise TypeError(seq)
        texts = (action, actor_label, outcome, prev_hash, reason, request_id, source_ip, target_id,
                 target_label, target_type, hash_)  # fmt: skip
        joined = "".join(texts)  # TypeError for anything but str
        if joined.isprintable() and '"' not in joined and "\\" not in joined:
            # Nothing to escape in any text (the usual case): each is its own JSON string in quotes.
            # (isprintable() is False for every control character; str methods beat a regex here.)
            return (
                f'{{"action":"{action}","actor_label":"{actor_label}",'
                f'"after":{"null" if after is None else _AFTER[after]},'
                f'"before":{"null" if before is None else _BEFORE[before]},'
                f"{f'"hash":"{hash_}",' if with_hash else ''}"
                f'"operation_id":"{raw_uuid(operation_id)}","outcome":"{outcome}",'
                f'"preflight":{"null" if preflight is None else _PREFLIGHT[preflight]},'
                f'"prev_hash":"{prev_hash}","reason":"{reason}","request_id":"{request_id}",'
                f'"seq":{seq},"source_ip":"{source_ip}","target_id":"{target_id}",'
                f'"target_label":"{target_label}","target_type":"{target_type}",'
                f'"time":"{raw_time(time)}",'
                f'"zoom_calls":{"null" if zoom_calls is None else _ZOOM_CALLS[zoom_calls]}}}'
            )
        t = _encode_str
        return (
            f'{{"action":{t(action)},"actor_label":{t(actor_label)},'
            f'"after":{"null" if after is None else _AFTER[after]},'
            f'"before":{"null" if before is None else _BEFORE[before]},'
            f"{f'"hash":{t(hash_)},' if with_hash else ''}"
            f'"operation_id":"{raw_uuid(operation_id)}","outcome":{t(outcome)},'
            f'"preflight":{"null" if preflight is None else _PREFLIGHT[preflight]},'
            f'"prev_hash":{t(prev_hash)},"reason":{t(reason)},"request_id":{t(request_id)},'
            f'"seq":{seq},"source_ip":{t(source_ip)},"target_id":{t(target_id)},'
            f'"target_label":{t(target_label)},"target_type":{t(target_type)},'
            f'"time":"{raw_time(time)}",'
            f'"zoom_calls":{"null" if zoom_calls is None else _ZOOM_CALLS[zoom_calls]}}}'
        )
    except TypeError:
        content = raw_content(row)
        if with_hash:
            content["hash"] = hash_
        return _encode(content)


# The fast path: the database writes each event's canonical JSON itself (SQLite's json_object() over
# the columns in sorted key order, JSON columns through json(), the time and operation id reshaped), and
# Python only hashes it. Whatever the database writes differently from chain.canonical_bytes (a JSON
# column stored with unsorted keys or escaped non-ASCII, as events written before json_safe() sorted
# keys are; an odd time or UUID) simply does not hash to the stored hash: those rows are read again raw
# and hashed by canonical_bytes_raw, so a mismatch costs time, never a wrong verdict. It cannot hide a
# change either: each value is written losslessly (json() only for RFC-8259 JSON, see _sqlite_value),
# so text equal to the canonical JSON of the original event means the
# row still holds the original values.
_SQLITE_TIME = (
    "CASE length(\"time\") WHEN 26 THEN replace(\"time\", ' ', 'T') || '+00:00' "
    "WHEN 19 THEN replace(\"time\", ' ', 'T') || '.000000+00:00' END"
)
_SQLITE_UUID = (
    "CASE WHEN length(operation_id) = 32 THEN substr(operation_id, 1, 8) || '-' || "
    "substr(operation_id, 9, 4) || '-' || substr(operation_id, 13, 4) || '-' || "
    "substr(operation_id, 17, 4) || '-' || substr(operation_id, 21) END"
)


def _sqlite_value(name: str, *, json5: bool) -> str:
    if name in JSON_COLUMNS:
        # SQLite 3.42+ json() also reads JSON5, which Python's json.loads does not: there, only text
        # json_valid() accepts (RFC 8259) is rewritten. Before 3.42 json() reads RFC 8259 only and
        # raises on anything else (that chunk is then read raw); json_valid() would cost a 2nd parse.
        return f'CASE WHEN json_valid("{name}") THEN json("{name}") END' if json5 else f'json("{name}")'
    if name == "time":
        return _SQLITE_TIME
    if name == "operation_id":
        return _SQLITE_UUID
    return f'"{name}"'


def _fast_select(connection: Any) -> str | None:
    """The fast path's SELECT of (seq, canonical JSON, prev_hash, hash) on this database, or None."""
    if connection.vendor != "sqlite":
        return None
    json5 = connection.Database.sqlite_version_info >= (3, 42)
    content = ", ".join(f"'{name}', {_sqlite_value(name, json5=json5)}" for name in _SORTED)
    return f"SELECT seq, json_object({content}), prev_hash, hash FROM {TABLE}"  # noqa: S608


# PostgreSQL's canonical JSON lines (the JSON Lines export's; audit_verify reads by COPY, below).
# jsonb keeps object keys in its own order (by length, then bytes), and writing canonical JSON from
# jsonb takes a recursive function, far slower than Python; so the database writes everything else: the
# text columns, seq, time and operation id, with the keys and punctuation between them, in three pieces
# around the JSON columns (PG_CANONICAL_PIECES). Python puts in the JSON columns (their jsonb text made
# canonical, cached, exactly as the raw path does).
# A text column is put in its quotes as is, not JSON-escaped: a row's pieces are used only when they
# hold exactly their own quotes and no backslash, so no value holds a quote or a backslash and the line
# is the canonical JSON of the row's values (the JSON Lines export also refuses control characters).
# Without the backslash check, text spelt as another text's JSON escape (backslash-n for a newline)
# would pass for it. Every other row is read raw and written the exact way.
# The time is written by to_char() for years 1000-9999 (four digits, as isoformat writes them), else
# NULL, and a NULL piece sends the row the exact way too.
PG_PIECE_TIME = (
    "CASE WHEN \"time\" >= '1000-01-01 00:00:00+00' AND \"time\" < '10000-01-01 00:00:00+00' "
    f"THEN {_PG_TIME} END"
)
Piece = tuple[tuple[str, str | None], ...]  # (literal text, then a column expression or None), ...
PG_CANONICAL_PIECES: tuple[Piece, Piece, Piece] = (
    (('{"action":"', '"action"'), ('","actor_label":"', '"actor_label"'), ('","after":', None)),
    (
        (',"operation_id":"', '"operation_id"::text'),
        ('","outcome":"', '"outcome"'),
        ('","preflight":', None),
    ),
    (
        (',"prev_hash":"', '"prev_hash"'),
        ('","reason":"', '"reason"'),
        ('","request_id":"', '"request_id"'),
        ('","seq":', '"seq"::text'),
        (',"source_ip":"', '"source_ip"'),
        ('","target_id":"', '"target_id"'),
        ('","target_label":"', '"target_label"'),
        ('","target_type":"', '"target_type"'),
        ('","time":"', PG_PIECE_TIME),
        ('","zoom_calls":', None),
    ),
)


def pg_piece_sql(piece: Piece) -> str:
    """SQL concatenating a piece's literal texts and column values (NULL when any value is NULL)."""
    terms = []
    for literal, expression in piece:
        if literal:
            terms.append("'" + literal.replace("'", "''") + "'")
        if expression:
            terms.append(expression)
    return " || ".join(terms)


def piece_literal_count(pieces: Sequence[Piece], char: str) -> int:
    """How many times `char` occurs in the pieces' literal texts (not in their values)."""
    return sum(literal.count(char) for piece in pieces for literal, _ in piece)


def pg_json_text(name: str) -> str:
    """A JSON column as jsonb text, SQL NULL as "null" (Django reads both as None)."""
    return f"COALESCE(\"{name}\"::text, 'null')"


# The database sends a row's parts as one text, joined by this control character: one column costs the
# driver far less than eight. A value holding it splits into more parts than expected: read raw.
SEP = "\x1e"


def pg_joined_select(parts: Sequence[str]) -> str:
    """SELECT seq, <the SQL expressions `parts` joined by SEP> FROM audit_auditevent."""
    return f'SELECT "seq", {" || chr(30) || ".join(parts)} FROM {TABLE}'  # noqa: S608 - fixed SQL


def pg_canonical_select() -> str:
    """SELECT seq, "p1 after before p2 preflight p3 zoom_calls hash" (joined by SEP). The canonical JSON
    is f'{p1}{after},"before":{before}{p2}{preflight}{p3}{zoom_calls}}}' with the JSON columns made
    canonical, when the pieces p1, p2, p3 hold exactly their literal quotes and no backslash: every
    value in them is then its own JSON string as is."""
    p1, p2, p3 = (pg_piece_sql(piece) for piece in PG_CANONICAL_PIECES)
    parts = [p1, pg_json_text("after"), pg_json_text("before"), p2, pg_json_text("preflight"), p3]
    return pg_joined_select([*parts, pg_json_text("zoom_calls"), '"hash"'])


PG_CANONICAL_QUOTES = piece_literal_count(PG_CANONICAL_PIECES, '"')
_JSON_ESCAPED = bytes(range(32)) + b"\\"  # the UTF-8 bytes of what JSON escapes, but the quote


def pg_jsonl_lines(chunk: Sequence[tuple[int, str | None]]) -> list[str | None]:
    """The JSON Lines lines (canonical JSON with the stored hash, see export.py) of pg_canonical_select()
    rows; None for a row to be written from its raw row (not plain, a control character, no time)."""
    a, b, p, z, quotes = _AFTER, _BEFORE, _PREFLIGHT, _ZOOM_CALLS, PG_CANONICAL_QUOTES
    lines: list[str | None] = []
    append = lines.append
    for _seq, joined in chunk:
        try:
            p1, after, before, p2, preflight, p3, zoom_calls, hash_ = joined.split(SEP)  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # NULL (a time outside years 1000-9999), SEP in a value
            append(None)
            continue
        pieces = (p1 + p2 + p3 + hash_).encode()
        # Nothing JSON escapes (a backslash, a control character, a quote besides the pieces' own).
        if pieces.count(b'"') != quotes or len(pieces.translate(None, _JSON_ESCAPED)) != len(pieces):
            append(None)
            continue
        append(
            f'{p1}{a[after]},"before":{b[before]},"hash":"{hash_}"{p2}{p[preflight]}{p3}{z[zoom_calls]}}}\n'
        )
    return lines


def raw_rows_by_seq(seqs: Sequence[int], *, using: Any = None) -> dict[int, tuple[Any, ...]]:
    """RAW_COLUMNS rows of the events `seqs` (those that exist), by seq."""
    connection = using or default_connection
    if not seqs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_select_for(connection)} WHERE seq IN ({', '.join(['%s'] * len(seqs))})", list(seqs)
        )
        return {row[0]: row for row in cursor.fetchall()}


GONE = "(gone)"  # the stored hash of a row deleted between two reads: no hash is that
_FEW = 200  # mismatches re-read one by one (IN); more: the chunk's range again
_RAW_CHUNKS_AFTER_MISSES = 20  # chunks read raw after one where most rows missed the fast path


def hashed_rows(
    lo: int, hi: int | None, *, chunk_size: int = 5000, using: Any = None, fast: bool = True
) -> Iterator[tuple[int, str, str, str]]:
    """(seq, SHA-256 of its canonical content, prev_hash, stored hash) for events lo+1..hi (hi None:
    to the end) in seq order, read in keyset chunks of `chunk_size` (memory stays flat).

    Where the database can write the canonical JSON (the fast path above) it does; rows whose text does
    not hash to their stored hash, and every row on other databases, are hashed from raw rows. When most
    of a chunk misses the fast path (a log written before keys were stored sorted), the next chunks are
    read raw directly."""
    from hashlib import sha256

    from django.db import DatabaseError

    connection = using or default_connection
    fast_select = _fast_select(connection) if fast else None
    bound, tail = ("seq > %s AND seq <= %s", [hi]) if hi is not None else ("seq > %s", [])
    if fast and connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            copies = hasattr(cursor, "copy")  # psycopg 3; psycopg2 has no cursor.copy: the exact way
        if copies:
            yield from _pg_copy_hashed_rows(connection, lo, hi, chunk_size)
            return
    if fast_select is None:  # every row the exact way, read ahead by raw_rows
        for row in raw_rows(bound, [lo, *tail], chunk_size=chunk_size, using=connection):
            yield row[0], sha256(canonical_bytes_raw(row)).hexdigest(), row[-2], row[-1]
        return
    raw = _select_for(connection)
    chunk_size = max(1, chunk_size)
    raw_chunks = 0
    connection.ensure_connection()
    with connection.cursor() as cursor:
        while True:
            params = [lo, *tail, chunk_size]
            use_fast = fast_select is not None and not raw_chunks
            if use_fast:
                try:
                    cursor.execute(f"{fast_select} WHERE {bound} ORDER BY seq LIMIT %s", params)
                    rows = cursor.fetchall()
                except DatabaseError:  # JSON its functions refuse in this chunk, or none at all
                    use_fast, raw_chunks = False, _RAW_CHUNKS_AFTER_MISSES + 1
            if use_fast:
                if not rows:
                    return
                checked = [
                    (seq, sha256(text.encode()).hexdigest() if type(text) is str else "", prev, stored)
                    for seq, text, prev, stored in rows
                ]
                missed = [i for i, row in enumerate(checked) if row[1] != row[3]]
                if missed:
                    _rehash(cursor, raw, checked, missed, lo)
                    if len(missed) * 2 > len(checked):
                        raw_chunks = _RAW_CHUNKS_AFTER_MISSES
            else:
                raw_chunks = max(0, raw_chunks - 1)
                cursor.execute(f"{raw} WHERE {bound} ORDER BY seq LIMIT %s", params)
                rows = cursor.fetchall()
                if not rows:
                    return
                checked = [
                    (row[0], sha256(canonical_bytes_raw(row)).hexdigest(), row[-2], row[-1]) for row in rows
                ]
            yield from checked
            if len(rows) < chunk_size:
                return
            lo = rows[-1][0]


def _rehash(cursor: Any, raw: str, checked: list[Any], missed: list[int], lo: int) -> None:
    """Hash the `missed` rows of `checked` (seq order, after seq `lo`) from their raw rows, in place."""
    from hashlib import sha256

    if len(missed) <= _FEW:
        seqs = [checked[i][0] for i in missed]
        cursor.execute(f"{raw} WHERE seq IN ({', '.join(['%s'] * len(seqs))})", seqs)
    else:
        cursor.execute(f"{raw} WHERE seq > %s AND seq <= %s", [lo, checked[-1][0]])
    exact = {row[0]: sha256(canonical_bytes_raw(row)).hexdigest() for row in cursor.fetchall()}
    for i in missed:
        seq, _, prev, stored = checked[i]
        # A row gone between the two reads: its fast hash missed, so it is reported as changed.
        checked[i] = (seq, exact.get(seq, ""), prev, stored)


def _pg_rehash(connection: Any, checked: list[Any], missed: list[int], lo: int) -> None:
    """Hash the `missed` rows of `checked` (seq order, after seq `lo`) from their raw rows, and take
    their prev_hash and hash from them, in place. A row gone meanwhile is reported as changed."""
    from hashlib import sha256

    if len(missed) <= _FEW:
        found = raw_rows_by_seq([checked[i][0] for i in missed], using=connection)
    else:
        raw = _select_for(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"{raw} WHERE seq > %s AND seq <= %s", [lo, checked[-1][0]])
            found = {row[0]: row for row in cursor.fetchall()}
    for i in missed:
        seq = checked[i][0]
        row = found.get(seq)
        checked[i] = (
            (seq, sha256(canonical_bytes_raw(row)).hexdigest(), row[-2], row[-1])
            if row is not None
            else (seq, "", "", GONE)
        )


# PostgreSQL with psycopg 3: the columns are read with COPY ... TO STDOUT, one line of text per row
# (each column's text, tab-separated), so the driver makes one Python string per row instead of one
# object per column, and the server only writes each column's text (joining them in SQL costs it more
# than Python's f-string). The columns come in canonical key order, the time written by the database
# as in PG_PIECE_TIME and the JSON columns as jsonb text ("null" for SQL NULL); Python puts the keys
# around them, the JSON columns made canonical exactly as the raw path does, and hashes the line.
# The line is used only when it holds no backslash (COPY escapes a backslash, tab, newline, carriage
# return, backspace, form feed and vertical tab with one, and writes SQL NULL as \N: a time outside
# years 1000-9999) and no text column holds a quote: every text value is then its own JSON string as
# is (or, with another control character, no canonical JSON at all: its hash misses). Every other row,
# and a row whose line misses its stored hash, is read again with a plain cursor once the COPY is over
# and hashed the exact way: a mismatch costs time, never a wrong verdict.
_COPY_COLUMNS = tuple(
    PG_PIECE_TIME
    if name == "time"
    else pg_json_text(name)
    if name in JSON_COLUMNS
    else f'"{name}"::text'
    if name in ("seq", "operation_id")
    else f'"{name}"'
    for name in (*_SORTED, "hash")
)
_COPY_ROWS_PER_CHUNK = 10  # chunk_size * this many rows per COPY statement
_MARK = "\uffff"  # stands for a string value in a JSON template (texts holding it go the exact way)
_TEMPLATES: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}


def canonical_json_by_template(text: str) -> str:
    """The canonical JSON of jsonb text (`_encode_parsed(_parse_json(text))`, the same string), sooner
    for texts that differ from earlier ones only in their string values (tracking ids, emails).

    Without a backslash, quotes delimit jsonb's strings exactly, and a key is the string followed by
    ": ". The text with each string value replaced by a mark is a template; the template's canonical
    JSON (made once by the exact encoder, the marks numbered) says where each value goes. Any other
    text (a backslash, the mark itself) is made canonical the exact way."""
    if "\\" in text or _MARK in text:
        return _encode_parsed(_parse_json(text))
    parts = text.split('"')
    values = []
    for i in range(1, len(parts) - 1, 2):
        if not parts[i + 1].startswith(":"):
            values.append(parts[i])
            parts[i] = _MARK
    if not values:
        return _encode_parsed(_parse_json(text))
    key = '"'.join(parts)
    found = _TEMPLATES.get(key)
    if found is None:
        pieces = key.split(f'"{_MARK}"')
        numbered = pieces[0] + "".join(f'"{_MARK}{j}"{piece}' for j, piece in enumerate(pieces[1:]))
        canonical = _encode_parsed(_parse_json(numbered)).split('"')
        slots = [(i, int(canonical[i][1:])) for i in range(1, len(canonical), 2) if canonical[i][:1] == _MARK]
        if len(slots) != len(values):
            return _encode_parsed(_parse_json(text))
        if len(_TEMPLATES) >= _JSON_CACHE_SIZE:
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = (canonical, slots)
    canonical, slots = found
    out = canonical[:]
    for i, j in slots:
        out[i] = values[j]
    return '"'.join(out)


class _JsonTemplateCache(TextCache):
    """A JSON column's text -> its canonical JSON, by template (the COPY path's lines)."""

    convert = staticmethod(canonical_json_by_template)


_COPY_JSON = tuple(_JsonTemplateCache() for _ in range(4))


def _pg_copy_hashed_rows(
    connection: Any, lo: int, hi: int | None, chunk_size: int
) -> Iterator[tuple[int, str, str, str]]:
    """hashed_rows() on PostgreSQL with psycopg 3: lines read by COPY in ranges of seq (see above)."""
    from hashlib import sha256

    from django.db import DatabaseError

    select = f"SELECT {', '.join(_COPY_COLUMNS)} FROM {TABLE}"  # noqa: S608 - fixed SQL
    rows_per_copy = max(1, chunk_size) * _COPY_ROWS_PER_CHUNK
    (a, b, p, z), width = _COPY_JSON, len(_COPY_COLUMNS)
    while True:
        bound = f"seq > {int(lo)}" + (f" AND seq <= {int(hi)}" if hi is not None else "")
        # The table's seq: "ORDER BY seq" would sort by the output column, seq as text.
        sql = f"COPY ({select} WHERE {bound} ORDER BY {TABLE}.seq LIMIT {rows_per_copy}) TO STDOUT"
        checked: list[tuple[int, str, str, str]] = []
        missed = []
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for data in copy:
                text = str(data, "utf-8")
                f = text[:-1].split("\t")  # a tab in a value is escaped: one field per column
                if len(f) != width:
                    raise DatabaseError(f"COPY wrote {len(f)} columns, not {width}.")
                (action, actor_label, after, before, operation_id, outcome, preflight, prev_hash, reason,
                 request_id, seq_text, source_ip, target_id, target_label, target_type, time,
                 zoom_calls, stored) = f  # fmt: skip
                seq = int(seq_text)
                texts = (action, actor_label, outcome, prev_hash, reason, request_id, source_ip,
                         target_id, target_label, target_type, time, stored)  # fmt: skip
                if "\\" not in text and '"' not in "".join(texts):
                    line = (
                        f'{{"action":"{action}","actor_label":"{actor_label}","after":{a[after]},'
                        f'"before":{b[before]},"operation_id":"{operation_id}","outcome":"{outcome}",'
                        f'"preflight":{p[preflight]},"prev_hash":"{prev_hash}","reason":"{reason}",'
                        f'"request_id":"{request_id}","seq":{seq_text},"source_ip":"{source_ip}",'
                        f'"target_id":"{target_id}","target_label":"{target_label}",'
                        f'"target_type":"{target_type}","time":"{time}","zoom_calls":{z[zoom_calls]}}}'
                    )
                    if sha256(line.encode()).hexdigest() == stored:
                        checked.append((seq, stored, prev_hash, stored))
                        continue
                missed.append(len(checked))
                checked.append((seq, "", "", ""))
        if not checked:
            return
        if missed:
            _pg_rehash(connection, checked, missed, lo)
        yield from checked
        if len(checked) < rows_per_copy:
            return
        lo = checked[-1][0]
