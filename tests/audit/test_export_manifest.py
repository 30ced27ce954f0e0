"""Exports read raw rows (same cells as the model-based CSV), stream with flat memory, and come with a
signed manifest of exactly the rows exported; audit_export_check catches every tampering."""

from __future__ import annotations

import csv
import hashlib
import html as markup
import io
import json
import re
import tracemalloc
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from zoomadmin_site.audit.chain import _CANONICAL_JSON
from zoomadmin_site.audit.export import (
    ExportStream,
    csv_row,
    csv_row_raw,
    manifest_signature,
    manifest_signature_ok,
)
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.rows import raw_rows
from zoomadmin_site.audit.selectors import audit_event_export_rows
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
EXPORT = reverse("audit:event_export")
MANIFEST = reverse("audit:event_export_manifest")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _export_and_manifest(client, tmp_path, **params):
    response = client.get(EXPORT, params)
    body = _body(response)
    manifest_url = response["Link"].split(">", 1)[0].lstrip("<")
    manifest = client.get(manifest_url).json()
    fmt = params.get("format", "csv")
    (tmp_path / f"export.{fmt}").write_bytes(body)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path / f"export.{fmt}", tmp_path / "manifest.json", body, manifest


def _check(file, manifest) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_export_check", str(file), str(manifest), stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{out.getvalue()}{err.getvalue()}{error}"
    return True, out.getvalue()


@pytest.fixture
def some_events(audrey, alice):
    events = []
    for n in range(12):
        events.append(
            audit_record(
                action="role_change.execute" if n % 3 else "auth.login",
                outcome="failed" if n % 2 else "succeeded",
                actor=alice,
                target_type="zoom_user",
                target_id=f"u-{n}",
                target_label=f"Zoë {n} =1+1" if n % 4 == 0 else f"User {n}",
                before={"role_id": "2", "nested": {"b": [1, 2.5, None], "a": "é"}},
                after=None if n % 5 == 0 else {"role_id": "1"},
                reason="-2+3" if n == 7 else "",
                zoom_calls=[{"method": "PATCH", "status": 204, "zoom_code": None}] if n % 2 else [],
            )
        )
    return events


def test_raw_csv_rows_are_the_model_based_rows_cell_for_cell(some_events):
    events = {e.seq: e for e in AuditEvent.objects.all()}
    rows = list(raw_rows())
    assert rows
    for row in rows:
        assert csv_row_raw(row) == csv_row(events[row[0]])


def test_export_holds_the_filtered_events_up_to_as_of_newest_first(some_events):
    seqs = [e.seq for e in some_events if e.outcome == "failed"]
    rows = list(audit_event_export_rows(as_of_seq=seqs[-2], outcome="failed"))
    assert [r[0] for r in rows] == seqs[:-1][::-1]
    assert list(audit_event_export_rows(as_of_seq=0)) == []


def test_jsonl_rows_rehash_to_their_own_hash(audrey_client, some_events):
    lines = _body(audrey_client.get(EXPORT, {"format": "jsonl"})).decode().splitlines()
    assert len(lines) == AuditEvent.objects.count() - 1  # not the export's own event
    for line in lines:
        row = json.loads(line)
        content = {k: v for k, v in row.items() if k != "hash"}
        assert hashlib.sha256(_CANONICAL_JSON.encode(content).encode()).hexdigest() == row["hash"]


def test_the_manifest_describes_exactly_the_exported_bytes(audrey_client, some_events, tmp_path):
    _file, _, body, manifest = _export_and_manifest(audrey_client, tmp_path, outcome="failed")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert manifest["sha256"] == hashlib.sha256(body).hexdigest() and manifest["bytes"] == len(body)
    assert manifest["rows"] == len(rows) == 6
    assert manifest["first"] == {"seq": int(rows[0]["seq"]), "hash": rows[0]["hash"]}
    assert manifest["last"] == {"seq": int(rows[-1]["seq"]), "hash": rows[-1]["hash"]}
    assert manifest["filters"] == {"outcome": "failed"} and manifest["format"] == "csv"
    assert manifest["exported_by"] == "audrey" and manifest["key"] == "derived from SECRET_KEY"
    assert manifest_signature_ok(manifest)
    assert list(
        AuditEvent.objects.filter(action="audit.export")
        .order_by("seq")
        .values_list("target_label", flat=True)
    ) == [
        manifest["file"],
        f"{manifest['file']}.manifest.json",
    ]


def test_events_recorded_after_the_export_do_not_change_its_manifest(audrey_client, some_events):
    response = audrey_client.get(EXPORT)
    body = _body(response)
    audit_record(action="mirror.sync", outcome="succeeded")
    manifest = audrey_client.get(response["Link"].split(">", 1)[0].lstrip("<")).json()
    assert manifest["sha256"] == hashlib.sha256(body).hexdigest()
    assert manifest["as_of_seq"] == int(response["X-Audit-Export-As-Of-Seq"])


def test_the_configured_key_signs_the_manifest(audrey_client, some_events, settings):
    settings.AUDIT_EXPORT_KEY = "a-key-of-our-own"
    manifest = audrey_client.get(MANIFEST).json()
    assert manifest["key"] == "AUDIT_EXPORT_KEY" and manifest_signature_ok(manifest)
    settings.AUDIT_EXPORT_KEY = "another-key"
    assert not manifest_signature_ok(manifest)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_untouched_export_checks_out(audrey_client, some_events, tmp_path, fmt):
    file, manifest, _, _ = _export_and_manifest(audrey_client, tmp_path, format=fmt, action="role_change")
    ok, output = _check(file, manifest)
    assert ok, output
    assert "OK:" in output and "Manifest signature: valid" in output


def _tamper(file, fmt, change):
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    head, data = (lines[:1], lines[1:]) if fmt == "csv" else ([], lines)
    file.write_text("".join(head + change(data)), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize(
    ("tampering", "change", "expected"),
    [
        ("removed", lambda rows: rows[:3] + rows[4:], "is missing from the file: the row was removed"),
        ("added", lambda rows: [*rows[:2], rows[5], *rows[2:]], "the row was added"),
        ("altered", lambda rows: [*rows[:1], rows[1].replace("User", "Usr"), *rows[2:]], "was altered"),
    ],
)
def test_a_tampered_export_is_caught(audrey_client, some_events, tmp_path, fmt, tampering, change, expected):
    file, manifest, _, _ = _export_and_manifest(audrey_client, tmp_path, format=fmt)
    _tamper(file, fmt, change)
    ok, output = _check(file, manifest)
    assert not ok, tampering
    assert expected in output and "FAILED" in output


def test_a_forged_manifest_is_caught(audrey_client, some_events, tmp_path):
    file, manifest_path, _, manifest = _export_and_manifest(audrey_client, tmp_path)
    _tamper(file, "csv", lambda rows: rows[1:])
    body = file.read_bytes()
    forged = {**manifest, "rows": manifest["rows"] - 1, "sha256": hashlib.sha256(body).hexdigest()}
    forged["bytes"] = len(body)
    manifest_path.write_text(json.dumps(forged))  # edited, signature left as it was
    ok, output = _check(file, manifest_path)
    assert not ok and "signature does not match" in output
    forged["hmac_sha256"] = "0" * 64  # or re-signed without the key
    manifest_path.write_text(json.dumps(forged))
    assert "signature does not match" in _check(file, manifest_path)[1]


def test_a_manifest_signed_with_the_right_key_but_another_file_is_caught(
    audrey_client, some_events, tmp_path
):
    file, manifest_path, _, manifest = _export_and_manifest(audrey_client, tmp_path)
    other = {**manifest, "sha256": "f" * 64}
    other["hmac_sha256"] = manifest_signature(other)
    manifest_path.write_text(json.dumps(other))
    ok, output = _check(file, manifest_path)
    assert not ok and "SHA-256 is" in output


def test_export_streams_100k_rows_with_flat_memory(bulk_chain):
    """Python memory at the peak stays far below what 100k rows would take (~100 MB as instances)."""
    bulk_chain(1000)
    _copy_events(times=99)  # 100k rows, fast (an export does not check hashes)
    stream = ExportStream(audit_event_export_rows(as_of_seq=100_000, chunk_size=2000), format="csv")
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stream.row_count == 100_000 and total == stream.byte_count > 30_000_000
    # Flat: one fetch of 2,000 rows, a 64 KB buffer and the bounded JSON caches (rows.py, export.py).
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def _copy_events(*, times: int) -> None:
    """Append `times` copies of events 1-1000 as seq 1001, 1002, ... (hashes not re-chained)."""
    columns = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "seq"]
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        for copy in range(1, times + 1):
            cursor.execute(
                f'INSERT INTO audit_auditevent ("seq", {names}) '
                f"SELECT seq + %s, {names} FROM audit_auditevent WHERE seq <= 1000",
                [copy * 1000],
            )
        cursor.execute("UPDATE audit_auditchainhead SET seq = %s WHERE id = 1", [(times + 1) * 1000])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_lists_export_links_hold_the_same_rows_however_late_they_are_followed(
    audrey_client, some_events, tmp_path, fmt
):
    """The list page links each format's export and its manifest, pinned to the last event recorded when
    the page was shown: followed later, after more matching events (and the exports' own events), the
    file and the manifest still describe the same rows, and the file checks out."""
    html = audrey_client.get("/audit/", {"action": "role_change"}).content.decode()
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    links = {
        name: markup.unescape(href)
        for href, name in re.findall(r'<a [^>]*href="(/audit/export[^"]*)"[^>]*>([^<]+)</a>', html)
    }
    label = {"csv": "CSV", "jsonl": "JSON Lines"}[fmt]
    export_url, manifest_url = links[f"Export {label}"], links[label]
    assert urlsplit(manifest_url).path == MANIFEST
    for url in (export_url, manifest_url):
        assert parse_qs(urlsplit(url).query) == {
            "action": ["role_change"],
            "format": [fmt],
            "as_of_seq": [str(head)],
        }
    audit_record(action="role_change.execute", outcome="failed", target_label="recorded after the page")
    body = _body(audrey_client.get(export_url))
    manifest = audrey_client.get(manifest_url).json()
    assert (
        manifest["rows"]
        == AuditEvent.objects.filter(action__startswith="role_change.", seq__lte=head).count()
    )
    assert b"recorded after the page" not in body
    (tmp_path / f"export.{fmt}").write_bytes(body)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    ok, output = _check(tmp_path / f"export.{fmt}", tmp_path / "manifest.json")
    assert ok, output
