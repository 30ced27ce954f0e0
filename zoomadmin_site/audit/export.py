"""Export of audit events: CSV (safe to open in a spreadsheet) or JSON Lines, streamed from raw rows,
with a signed manifest describing exactly the rows exported.

What an export contains is fixed by three things: the filters, the format, and `as_of_seq`, the chain
head when the export was asked for. Rows are the events matching the filters with seq <= as_of_seq,
newest first; events are never changed, so the same three always give the same bytes (unless a prune
has since removed some, which the manifest's row count and hashes then reveal).

That is what makes the manifest clean to offer as a second download: `ExportStream` produces the
file's bytes and, in the same pass, the manifest's facts (row count, first and last row's seq and hash,
SHA-256 and size of the bytes). The export view streams the file and links the manifest with the same
filters, format and as_of_seq (`Link: <...>; rel="describedby"`); the manifest view runs the same
stream without sending it, and signs the result (HMAC-SHA256 with conf.export_key(), over the canonical
JSON of the manifest without its `hmac_sha256` field). `manage.py audit_export_check FILE MANIFEST`
checks a file against it.

JSON Lines rows are the canonical JSON that the chain hashes (chain.py) plus the stored `hash`, so
every row can be re-hashed on its own. CSV cells are for people: JSON as sorted-key JSON, formulas
neutralised.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection as default_connection

from zoomadmin_site.audit.chain import _CANONICAL_JSON, utc_iso
from zoomadmin_site.audit.conf import export_key
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.rows import (
    JSON_COLUMNS,
    PG_PIECE_TIME,
    RAW_COLUMNS,
    SEP,
    Piece,
    TextCache,
    canonical_text_raw,
    keyset_chunks,
    pg_canonical_select,
    pg_joined_select,
    pg_json_text,
    pg_jsonl_lines,
    pg_piece_sql,
    piece_literal_count,
    raw_json,
    raw_rows_by_seq,
    raw_time,
    raw_uuid,
)

CSV_COLUMNS = (
    "seq",
    "time",
    "actor",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "target_label",
    "reason",
    "before",
    "after",
    "preflight",
    "zoom_calls",
    "operation_id",
    "request_id",
    "source_ip",
    "prev_hash",
    "hash",
)
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
MANIFEST_VERSION = "zoomadmin-audit-export/1"
ORDER = "seq descending (newest first)"
SIGNATURE_FIELD = "hmac_sha256"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV
# injection"); a leading single quote makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024
# Built once; the same output as json.dumps(value, sort_keys=True, ensure_ascii=False).
_CELL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def csv_cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, dict | list):
        text = _CELL_JSON.encode(value)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_row(event: AuditEvent) -> list[str]:
    """A model instance's CSV cells (kept for callers holding instances; exports read raw rows)."""
    values = {"time": utc_iso(event.time), "actor": event.actor_label}
    return [csv_cell(values[name] if name in values else getattr(event, name)) for name in CSV_COLUMNS]


def _csv_field(cell: str) -> str:
    """`cell` as csv.writer writes it among other fields (quoted, quotes doubled, when it must be)."""
    return _ONE_FIELD.writerow([cell, ""])[:-3]  # drop the empty field's "," and the "\r\n"


class _FieldJson(TextCache):
    """A JSON column's text -> its CSV cell as written in a line (quoted: JSON holds quotes and commas)."""

    @staticmethod
    def convert(text: str) -> str:
        return _csv_field(csv_cell(raw_json(text)))


_FIELDS = tuple(_FieldJson() for _ in range(4))


def csv_row_raw(row: Sequence[Any]) -> list[str]:
    """csv_row() of the event in a raw row (rows.RAW_COLUMNS order): the same cells, byte for byte.
    The general way, for rows csv_line_raw() does not write directly."""
    values = dict(zip(RAW_COLUMNS, row, strict=False))
    values["actor"] = values["actor_label"]
    values["time"], values["operation_id"] = raw_time(values["time"]), raw_uuid(values["operation_id"])
    for name in JSON_COLUMNS:
        values[name] = raw_json(values[name])
    return [csv_cell(values[name]) for name in CSV_COLUMNS]


def csv_line_raw(row: Sequence[Any]) -> str:
    """The CSV line (with its \\r\\n) of the event in a raw row: csv.writer's line of csv_row_raw(row),
    written directly when no text cell needs quoting or neutralising (JSON cells come ready, cached)."""
    (seq, time, actor_label, action, target_type, target_id, target_label, before, after,
     reason, preflight, zoom_calls, outcome, request_id, source_ip, operation_id, prev_hash,
     hash_) = row[:18]  # fmt: skip
    try:
        time, operation_id = raw_time(time), raw_uuid(operation_id)
        texts = "|".join(
            (
                "",
                time,
                operation_id,
                actor_label,
                action,
                outcome,
                target_type,
                target_id,
                target_label,
                reason,
                request_id,
                source_ip,
                prev_hash,
                hash_,
            )
        )
        # Fast when no cell needs quoting (a comma, a quote, CR or LF: isprintable() is False for every
        # control character) and none starts with a formula trigger ("|=" etc.; "|" also starts the
        # first). Text that merely contains "|=" takes the general way too: slower, the same line.
        if (
            texts.isprintable()
            and "," not in texts
            and '"' not in texts
            and "|=" not in texts
            and "|+" not in texts
            and "|-" not in texts
            and "|@" not in texts
            and type(seq) is int
        ):
            b, a, p, z = _FIELDS
            return (
                f"{seq},{time},{actor_label},{action},{outcome},{target_type},{target_id},"
                f"{target_label},{reason},{'' if before is None else b[before]},"
                f"{'' if after is None else a[after]},{'' if preflight is None else p[preflight]},"
                f"{'' if zoom_calls is None else z[zoom_calls]},{operation_id},{request_id},"
                f"{source_ip},{prev_hash},{hash_}\r\n"
            )
    except TypeError:  # a value of another type than the database gives (not str, int, None)
        pass
    return _LINE.writerow(csv_row_raw(row))


def jsonl_line_raw(row: Sequence[Any]) -> str:
    """One JSON Lines row: the event's canonical content (what its hash covers) plus `hash`."""
    return canonical_text_raw(row, with_hash=True) + "\n"


# PostgreSQL writes the CSV line's text cells itself, joined by commas, in two pieces around the JSON
# cells (cached, as csv_line_raw writes them), and the hash after them: one text per row (rows.SEP
# between the parts). A row is written so only when no text cell needs quoting or neutralising: the
# pieces hold exactly their own commas, no quote, CR or LF, and no cell starts with a formula trigger.
# Any other row is read raw and written by csv_line_raw, as are rows with a time outside years
# 1000-9999 (a NULL piece).
PG_CSV_PIECES: tuple[Piece, Piece] = (
    (
        ("", '"seq"::text'),
        (",", PG_PIECE_TIME),
        (",", '"actor_label"'),
        (",", '"action"'),
        (",", '"outcome"'),
        (",", '"target_type"'),
        (",", '"target_id"'),
        (",", '"target_label"'),
        (",", '"reason"'),
        (",", None),
    ),
    (
        (",", '"operation_id"::text'),
        (",", '"request_id"'),
        (",", '"source_ip"'),
        (",", '"prev_hash"'),
        (",", None),
    ),
)
PG_CSV_COMMAS = piece_literal_count(PG_CSV_PIECES, ",")


def pg_csv_select() -> str:
    """SELECT seq, "c1 before after preflight zoom_calls c2 hash" (joined by rows.SEP)."""
    c1, c2 = (pg_piece_sql(piece) for piece in PG_CSV_PIECES)
    json_cells = [pg_json_text(name) for name in ("before", "after", "preflight", "zoom_calls")]
    return pg_joined_select([c1, *json_cells, c2, '"hash"'])


def pg_csv_lines(chunk: Sequence[tuple[int, str | None]]) -> list[str | None]:
    """The CSV lines of pg_csv_select() rows; None for a row to be written by csv_line_raw()."""
    b, a, p, z = _FIELDS
    commas, triggers = PG_CSV_COMMAS, FORMULA_TRIGGERS
    lines: list[str | None] = []
    append = lines.append
    for _seq, joined in chunk:
        try:
            c1, before, after, preflight, zoom_calls, c2, hash_ = joined.split(SEP)  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # NULL (a time outside years 1000-9999), SEP in a value
            append(None)
            continue
        cells = c1 + c2 + hash_
        # csv.writer quotes a cell holding a comma, a quote, CR or LF, and nothing else; every text cell
        # but the first (seq) follows a comma, so ",=" etc. is a cell starting with a formula trigger.
        if (
            cells.count(",") != commas
            or '"' in cells
            or "\n" in cells
            or "\r" in cells
            or ",=" in cells
            or ",+" in cells
            or ",-" in cells
            or ",@" in cells
            or ",\t" in cells
            or cells.startswith(triggers)
        ):
            append(None)
            continue
        append(f"{c1}{b[before]},{a[after]},{p[preflight]},{z[zoom_calls]}{c2}{hash_}\r\n")
    return lines


LineChunk = tuple[list[int], list[str], str, str]  # seqs, their lines, the first's and the last's hash


def pg_export_chunks(
    fmt: str, where: str, params: Sequence[Any], *, chunk_size: int = 2000, using: Any = None
) -> Iterator[LineChunk]:
    """PostgreSQL: the export's lines of the events matching `where`, newest first, in keyset chunks
    read ahead (rows.keyset_chunks); each line is exactly what csv_line_raw / jsonl_line_raw write for
    the event's raw row (rows not written from the database's pieces are read raw and written so)."""
    connection = using or default_connection
    connection.ensure_connection()
    if fmt == "csv":
        select, build, exact = pg_csv_select(), pg_csv_lines, csv_line_raw
    else:
        select, build, exact = pg_canonical_select(), pg_jsonl_lines, jsonl_line_raw
    for chunk in keyset_chunks(connection, select, where, params, order="seq DESC", chunk_size=chunk_size):
        made = build(chunk)
        seqs = [row[0] for row in chunk]
        missed = [i for i, line in enumerate(made) if line is None]
        raw = raw_rows_by_seq([seqs[i] for i in missed], using=connection) if missed else {}
        for i in missed:
            if (row := raw.get(seqs[i])) is not None:
                made[i] = exact(row)
        kept = [i for i in range(len(made)) if made[i] is not None] if len(raw) < len(missed) else None
        if kept is not None:  # rows pruned between the two reads: left out, as a later read would
            if not kept:
                continue
            chunk, seqs, made = [chunk[i] for i in kept], [seqs[i] for i in kept], [made[i] for i in kept]
        lines = cast(list[str], made)  # no None left
        yield seqs, lines, _hash_of(chunk[0], raw), _hash_of(chunk[-1], raw)


def row_chunks(rows: Iterable[Sequence[Any]], fmt: str, size: int = 1000) -> Iterator[LineChunk]:
    """Raw rows as the export's line chunks: each row's line as csv_line_raw / jsonl_line_raw write it,
    `size` rows at a time."""
    to_line = csv_line_raw if fmt == "csv" else jsonl_line_raw
    for batch in itertools.batched(rows, size):
        yield [row[0] for row in batch], [to_line(row) for row in batch], batch[0][-1], batch[-1][-1]


def _hash_of(row: tuple[int, str | None], raw: dict[int, tuple[Any, ...]]) -> str:
    """The stored hash of a row of pg_export_chunks (its raw row's, when it was read raw)."""
    found = raw.get(row[0])
    return str(found[-1]) if found is not None else str(row[1]).rsplit(SEP, 1)[1]


class _Echo:
    """csv.writer needs a file; this one hands each formatted line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


_LINE = csv.writer(_Echo())
_ONE_FIELD = csv.writer(_Echo())


def audit_csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(csv_row(event))


@dataclass
class ExportStream:
    """The bytes of one export, in chunks of about CHUNK_BYTES, and the manifest's facts about them,
    complete once the stream has been read to the end. The lines come from raw rows (`rows`, made into
    chunks by row_chunks), or ready-made in chunks (`chunks`, PostgreSQL: pg_export_chunks)."""

    rows: Iterable[Sequence[Any]] = ()  # raw rows, newest first
    format: str = "csv"
    row_count: int = 0
    byte_count: int = 0
    first: dict[str, Any] | None = None  # first row in the file (the newest): seq and hash
    last: dict[str, Any] | None = None  # last row in the file (the oldest)
    finished: bool = False
    chunks: Iterable[LineChunk] | None = None  # instead of rows: the lines, made in chunks
    _sha256: Any = field(default_factory=hashlib.sha256)

    def seq_lines(self) -> Iterator[tuple[int, str]]:
        """(seq, line) of each row, in the file's order."""
        for seqs, lines, _, _ in self._line_chunks():
            yield from zip(seqs, lines, strict=True)

    def _line_chunks(self) -> Iterable[LineChunk]:
        return row_chunks(self.rows, self.format) if self.chunks is None else self.chunks

    def __iter__(self) -> Iterator[bytes]:
        if self.format not in FORMATS:
            raise ValueError(f"Unknown export format {self.format!r}: use one of {', '.join(FORMATS)}.")
        pending: list[str] = [_LINE.writerow(CSV_COLUMNS)] if self.format == "csv" else []
        yield from self._from_chunks(pending)
        chunk = self._take(pending)
        self.finished = True
        if chunk:
            yield chunk

    def _from_chunks(self, pending: list[str]) -> Iterator[bytes]:
        append, size, count, last = pending.append, 0, 0, None
        for seqs, lines, first_hash, last_hash in self._line_chunks():
            if not seqs:
                continue
            if count == 0:
                self.first = {"seq": seqs[0], "hash": first_hash}
            count += len(lines)
            last = (seqs[-1], last_hash)
            for line in lines:
                append(line)
                size += len(line)
                if size >= CHUNK_BYTES:
                    yield self._take(pending)
                    size = 0
        if last is not None:
            self.last = {"seq": last[0], "hash": last[1]}
        self.row_count += count

    def _take(self, pending: list[str]) -> bytes:
        data = "".join(pending).encode()
        pending.clear()
        self._sha256.update(data)
        self.byte_count += len(data)
        return data

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


def export_manifest(
    stream: ExportStream,
    *,
    filters: dict[str, str],
    as_of_seq: int,
    filename: str,
    exported_by: str,
    now: Any,
) -> dict[str, Any]:
    """The signed manifest of a stream that has been read to the end."""
    if not stream.finished:
        raise ValueError("The export stream must be read to the end before its manifest exists.")
    _, key_source = export_key()
    manifest = {
        "manifest": MANIFEST_VERSION,
        "file": filename,
        "format": stream.format,
        "filters": filters,
        "as_of_seq": as_of_seq,
        "order": ORDER,
        "rows": stream.row_count,
        "first": stream.first,
        "last": stream.last,
        "bytes": stream.byte_count,
        "sha256": stream.sha256,
        "exported_at": utc_iso(now),
        "exported_by": exported_by,
        "key": key_source,
    }
    manifest[SIGNATURE_FIELD] = manifest_signature(manifest)
    return manifest


def manifest_signature(manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 (hex) of the manifest's canonical JSON without its signature field."""
    key, _ = export_key()
    unsigned = {name: value for name, value in manifest.items() if name != SIGNATURE_FIELD}
    return hmac.new(key, _CANONICAL_JSON.encode(unsigned).encode(), hashlib.sha256).hexdigest()


def manifest_signature_ok(manifest: dict[str, Any]) -> bool:
    signature = manifest.get(SIGNATURE_FIELD)
    return isinstance(signature, str) and hmac.compare_digest(signature, manifest_signature(manifest))


def export_filename(fmt: str, as_of_seq: int) -> str:
    """The file's name: the same for an export and for its manifest's "file"."""
    return f"audit-log-to-seq-{as_of_seq}.{fmt}"


def export_stream(*, fmt: str, as_of_seq: int, filters: Any) -> ExportStream:
    """The export of the events matching `filters` (selectors.AuditFilters) with seq <= as_of_seq."""
    from zoomadmin_site.audit.selectors import audit_event_export_rows, audit_event_export_where

    if default_connection.vendor == "postgresql" and fmt in FORMATS:
        found = audit_event_export_where(as_of_seq=as_of_seq, **filters)
        chunks = pg_export_chunks(fmt, *found) if found is not None else iter(())
        return ExportStream(format=fmt, chunks=chunks)
    return ExportStream(audit_event_export_rows(as_of_seq=as_of_seq, **filters), format=fmt)


def export_build_manifest(
    *, fmt: str, as_of_seq: int, filters: Any, recorded_filters: dict[str, str], exported_by: str, now: Any
) -> dict[str, Any]:
    """Produce the export's bytes once more, without keeping them, and return their signed manifest."""
    stream = export_stream(fmt=fmt, as_of_seq=as_of_seq, filters=filters)
    for _chunk in stream:
        pass
    return export_manifest(
        stream,
        filters=recorded_filters,
        as_of_seq=as_of_seq,
        filename=export_filename(fmt, as_of_seq),
        exported_by=exported_by,
        now=now,
    )
