"""CSV export: the current filter, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from zoomadmin_site.audit.export import CSV_COLUMNS, csv_cell
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
URL = reverse("audit:event_export")


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_streams_every_field_of_the_events_matching_the_filter(audrey_client, alice):
    audit_record(action="mirror.sync", outcome="succeeded")
    event = audit_record(
        action="role_change.execute",
        outcome="failed",
        actor=alice,
        target_type="zoom_user",
        target_id="u-42",
        target_label="Dana Lee",
        before={"role_id": "2"},
        reason="Zoom said no",
        zoom_calls=[{"method": "PATCH", "path": "/users/u-42", "status": 400, "zoom_code": 1001}],
    )
    response = audrey_client.get(URL, {"outcome": "failed"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    [row] = _rows(response)
    assert list(row) == list(CSV_COLUMNS)
    assert row["seq"] == str(event.seq)
    assert row["actor"] == "alice"
    assert row["target_label"] == "Dana Lee"
    assert row["before"] == '{"role_id": "2"}'
    assert '"zoom_code": 1001' in row["zoom_calls"]
    assert row["hash"] == event.hash
    assert row["time"].endswith("+00:00")


def test_export_is_newest_first_and_ignores_paging(audrey_client, db):
    seqs = [audit_record(action="mirror.sync", outcome="succeeded").seq for _ in range(3)]
    rows = _rows(audrey_client.get(URL, {"action": "mirror.sync", "after_seq": seqs[1]}))
    assert [int(r["seq"]) for r in rows] == seqs[::-1]


def test_the_list_links_to_the_export_of_its_current_filter(audrey_client, db):
    # Paging dropped, and an export's own parameters typed into the list's URL too.
    query = {"outcome": "failed", "after_seq": "5", "format": "jsonl", "as_of_seq": "1"}
    html = audrey_client.get("/audit/", query).content.decode()
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert f'href="{URL}?outcome=failed&amp;format=csv&amp;as_of_seq={head}"' in html
    assert f'href="{URL}?outcome=failed&amp;format=jsonl&amp;as_of_seq={head}"' in html


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(audrey_client, dangerous):
    audit_record(
        action="webhook.rejected",
        outcome="denied",
        actor_label=dangerous,
        target_label=dangerous,
        target_id=dangerous,
        reason=dangerous,
    )
    [row] = _rows(audrey_client.get(URL, {"action": "webhook.rejected"}))
    for column in ("actor", "target_label", "target_id", "reason"):
        assert row[column] == "'" + dangerous, column


def test_harmless_cells_are_left_as_they_are():
    assert csv_cell("Dana Lee") == "Dana Lee"
    assert csv_cell(42) == "42"
    assert csv_cell(None) == ""
    assert csv_cell({"a": "=1"}) == '{"a": "=1"}'


def test_export_with_malformed_filters_is_a_400_with_the_form_error(audrey_client, db):
    response = audrey_client.get(URL, {"date_from": "31/12/2026"})
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()
