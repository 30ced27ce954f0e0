"""Indexes for the chains of custody (zoomadmin_site/audit/timelines.py): the change request an event
names (`after.request`) and the offboarding job (`after.job`), as text. Vendor-aware, so the same
migration runs on both databases.

The SQL is frozen here as it was when this migration was written (migrations never import live code);
timelines.AfterKey spells the same expressions in its queries, and a test checks that they agree."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS audit_after_request ON audit_auditevent "
        "(CAST(JSON_EXTRACT(\"after\", '$.request') AS TEXT))",
        "CREATE INDEX IF NOT EXISTS audit_after_job ON audit_auditevent "
        "(CAST(JSON_EXTRACT(\"after\", '$.job') AS TEXT))",
    ],
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS audit_after_request ON audit_auditevent ((\"after\" ->> 'request'))",
        "CREATE INDEX IF NOT EXISTS audit_after_job ON audit_auditevent ((\"after\" ->> 'job'))",
    ],
}
BACKWARDS = ["DROP INDEX IF EXISTS audit_after_request", "DROP INDEX IF EXISTS audit_after_job"]


def forwards(apps: Any, schema_editor: Any) -> None:
    for sql in FORWARDS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor in FORWARDS:
        for sql in BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0009_request_id_text_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
