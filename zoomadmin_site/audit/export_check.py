"""Checking an export file against its signed manifest (`manage.py audit_export_check FILE MANIFEST`).

Three checks, each in plain words:
1. the manifest's HMAC, with this deployment's key: a manifest edited after signing (or made with
   another key) is refused, and nothing it says is trusted;
2. the file against the manifest: SHA-256, size, row count, first and last row's seq and hash (and for
   JSON Lines each row against its own hash, since a row is the canonical content its hash covers);
3. when the file differs, the file against the log: the export is produced again from the manifest's
   filters, format and as_of_seq, and compared row by row by seq, which names each removed, added or
   altered row.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoomadmin_site.audit.chain import _CANONICAL_JSON
from zoomadmin_site.audit.conf import export_key
from zoomadmin_site.audit.export import (
    CSV_COLUMNS,
    FORMATS,
    MANIFEST_VERSION,
    _Echo,
    export_stream,
    manifest_signature_ok,
)

MAX_DIFFERENCES = 20
FORGED = (
    "The manifest's signature does not match: the manifest was changed after it was signed, or it was "
    "signed with another key (this deployment's key: {key}). Nothing in it can be trusted."
)
NOT_A_MANIFEST = "{path} is not an audit export manifest ({reason})."
MISMATCH = "The file's {what} is {found}, but the manifest says {expected}."
ROW_HASH = "Row {row} (seq {seq}): its content does not match its hash: the row was altered."
ROW_UNREADABLE = "Row {row}: no event number (seq) can be read from it: the row was added or altered."
ALTERED = "Row {row}: event {seq} was altered (it differs from event {seq} in the audit log)."
ADDED = "Row {row}: event {seq} is not part of this export: the row was added (or moved)."
REMOVED = "Event {seq} is missing from the file: the row was removed."
MORE = "... and {count} more differences."


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class FileFacts:
    sha256: str = ""
    size: int = 0
    rows: int = 0
    first: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    row_problems: list[str] = field(default_factory=list)


def check_export(file_path: Path, manifest_path: Path) -> CheckResult:
    result = CheckResult()
    manifest = _load_manifest(manifest_path)
    _, key_source = export_key()
    if not manifest_signature_ok(manifest):
        result.problems.append(FORGED.format(key=key_source))
        return result
    result.notes.append(f"Manifest signature: valid (key: {manifest.get('key')}).")
    fmt = manifest["format"]
    facts = file_facts(file_path, fmt)
    expected = {
        "SHA-256": manifest["sha256"],
        "size in bytes": manifest["bytes"],
        "row count": manifest["rows"],
        "first row": manifest["first"],
        "last row": manifest["last"],
    }
    found = {
        "SHA-256": facts.sha256,
        "size in bytes": facts.size,
        "row count": facts.rows,
        "first row": facts.first,
        "last row": facts.last,
    }
    for what, value in expected.items():
        if found[what] != value:
            result.problems.append(
                MISMATCH.format(what=what, found=_words(found[what]), expected=_words(value))
            )
    result.problems.extend(facts.row_problems)
    if result.problems:
        result.problems.extend(compare_with_log(file_path, manifest))
    else:
        result.notes.append(
            f"File: {facts.rows} rows, {facts.size} bytes, SHA-256 {facts.sha256}: "
            "exactly as the manifest says."
        )
    return result


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(NOT_A_MANIFEST.format(path=path, reason=error)) from None
    if not isinstance(manifest, dict) or manifest.get("manifest") != MANIFEST_VERSION:
        raise ValueError(NOT_A_MANIFEST.format(path=path, reason=f'no "manifest": "{MANIFEST_VERSION}"'))
    if manifest.get("format") not in FORMATS:
        raise ValueError(NOT_A_MANIFEST.format(path=path, reason="unknown format"))
    return manifest


def _words(value: Any) -> str:
    if isinstance(value, dict):
        return f"seq {value.get('seq')} (hash {value.get('hash')})"
    return "none" if value is None else str(value)


def file_facts(path: Path, fmt: str) -> FileFacts:
    facts = FileFacts()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            facts.size += len(chunk)
    facts.sha256 = digest.hexdigest()
    for number, (seq, hash_, row_ok) in enumerate(_file_rows(path, fmt), start=1):
        facts.rows += 1
        if seq is None:
            facts.row_problems.append(ROW_UNREADABLE.format(row=number))
            continue
        if not row_ok:
            facts.row_problems.append(ROW_HASH.format(row=number, seq=seq))
        facts.first = facts.first or {"seq": seq, "hash": hash_}
        facts.last = {"seq": seq, "hash": hash_}
    return facts


def _file_rows(path: Path, fmt: str) -> Iterator[tuple[int | None, str | None, bool]]:
    """(seq, hash, whether the row matches its own hash) per row; seq None for an unreadable row."""
    for row, _line in _parsed_rows(path, fmt):
        if row is None:
            yield None, None, False
        elif fmt == "jsonl":
            content = {k: v for k, v in row.items() if k != "hash"}
            computed = hashlib.sha256(_CANONICAL_JSON.encode(content).encode()).hexdigest()
            yield row["seq"], row.get("hash"), computed == row.get("hash")
        else:
            yield row["seq"], row.get("hash"), True


def _parsed_rows(path: Path, fmt: str) -> Iterator[tuple[dict[str, Any] | None, str]]:
    """Each data row of the file as a dict with an int seq (or None when unreadable), and its line as
    the exporter writes it, for comparison with the log."""
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            for line in handle:
                try:
                    row = json.loads(line)
                    ok = isinstance(row, dict) and isinstance(row.get("seq"), int)
                except json.JSONDecodeError:
                    ok = False
                yield (row if ok else None), line
            return
        reader, writer = csv.reader(handle), csv.writer(_Echo())
        next(reader, None)  # the header
        for cells in reader:
            line = writer.writerow(cells)
            if len(cells) != len(CSV_COLUMNS) or not cells[0].isdigit():
                yield None, line
                continue
            row = dict(zip(CSV_COLUMNS, cells, strict=True))
            yield {**row, "seq": int(row["seq"])}, line


def _expected_rows(manifest: dict[str, Any]) -> Iterator[tuple[int, str]]:
    from zoomadmin_site.audit.forms import AuditExportForm

    form = AuditExportForm(manifest.get("filters") or {})
    if not form.is_valid():
        raise ValueError(f"The manifest's filters are not valid filters: {form.errors.as_text()}")
    fmt = manifest["format"]
    stream = export_stream(fmt=fmt, as_of_seq=int(manifest["as_of_seq"]), filters=form.filters())
    yield from stream.seq_lines()


def compare_with_log(file_path: Path, manifest: dict[str, Any]) -> list[str]:
    """Which rows were removed, added or altered, by producing the export again from the log."""
    differences: list[str] = []
    file_rows = enumerate(_parsed_rows(file_path, manifest["format"]), start=1)
    expected = _expected_rows(manifest)
    got, want = next(file_rows, None), next(expected, None)
    while got is not None or want is not None:
        if got is not None and got[1][0] is None:
            got = next(file_rows, None)  # already reported as unreadable
            continue
        got_seq = got[1][0]["seq"] if got is not None else None  # type: ignore[index]
        if want is None or (got_seq is not None and got_seq > want[0]):
            differences.append(ADDED.format(row=got[0], seq=got_seq))  # type: ignore[index]
            got = next(file_rows, None)
        elif got_seq is None or got_seq < want[0]:
            differences.append(REMOVED.format(seq=want[0]))
            want = next(expected, None)
        else:
            if got[1][1] != want[1]:  # type: ignore[index]
                differences.append(ALTERED.format(row=got[0], seq=got_seq))  # type: ignore[index]
            got, want = next(file_rows, None), next(expected, None)
    if len(differences) > MAX_DIFFERENCES:
        return [*differences[:MAX_DIFFERENCES], MORE.format(count=len(differences) - MAX_DIFFERENCES)]
    return differences
