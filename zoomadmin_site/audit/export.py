"""CSV export of audit events, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from zoomadmin_site.audit.chain import utc_iso
from zoomadmin_site.audit.models import AuditEvent

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
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV
# injection"); a leading single quote makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_row(event: AuditEvent) -> list[str]:
    values = {
        "time": utc_iso(event.time),
        "actor": event.actor_label,
    }
    return [csv_cell(values[name] if name in values else getattr(event, name)) for name in CSV_COLUMNS]


class _Echo:
    """csv.writer needs a file; this one hands each formatted line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def audit_csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(csv_row(event))
