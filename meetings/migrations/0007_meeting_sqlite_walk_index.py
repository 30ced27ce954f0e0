"""SQLite: the walk along the start time reads an index holding the searched columns. Nothing on
PostgreSQL, which has its walk index since 0005. Reversing leaves the index (it is part of the text
index from then on; uninstalling the text index drops it).

The SQL is frozen here as it was when this migration was written (migrations never import live code);
zoomadmin_site/search/index.py builds today's."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_walk_start_sort ON meetings_zoommeeting "
        "(start_sort, id, topic, meeting_id, host_name, host_email) WHERE gone_at IS NULL"
    ]
}

BACKWARDS = {}


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(FORWARDS, schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(BACKWARDS, schema_editor)


def _run(statements: dict[str, list[str]], schema_editor: Any, *, vacuum: str = "") -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)
    if (
        vacuum
        and statements.get(schema_editor.connection.vendor)
        and not schema_editor.connection.in_atomic_block
    ):
        schema_editor.execute(f"VACUUM (ANALYZE) {vacuum}", params=None)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_meeting_status_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
