"""PostgreSQL: meetings' search text as a stored lowercase column with its trigram index and the walk
index along the start time (replacing the expression index of 0002). Nothing on SQLite.

The SQL is frozen here as it was when this migration was written (migrations never import live code);
zoomadmin_site/search/index.py builds today's."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [],
    "postgresql": [
        "ALTER TABLE meetings_zoommeeting ADD COLUMN IF NOT EXISTS search_text text GENERATED "
        'ALWAYS AS (lower(("topic" || \' \' || CAST("meeting_id" AS text) || \' \' || "host_name" '
        "|| ' ' || \"host_email\"))) STORED",
        "ALTER TABLE meetings_zoommeeting ALTER COLUMN search_text SET STATISTICS 1000",
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_search_text_trgm ON meetings_zoommeeting "
        "USING gin (search_text gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_walk_start_sort ON meetings_zoommeeting "
        "(start_sort, id) INCLUDE (search_text) WHERE gone_at IS NULL",
        "DROP INDEX IF EXISTS meetings_zoommeeting_search_trgm",
    ],
}

BACKWARDS = {
    "sqlite": [],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_search_trgm ON meetings_zoommeeting USING "
        "gin ((\"topic\" || ' ' || CAST(\"meeting_id\" AS text) || ' ' || \"host_name\" || ' ' || "
        '"host_email") gin_trgm_ops)',
        "ALTER TABLE meetings_zoommeeting DROP COLUMN IF EXISTS search_text",
    ],
}


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(FORWARDS, schema_editor, vacuum="meetings_zoommeeting")


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(BACKWARDS, schema_editor, vacuum="meetings_zoommeeting")


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
    atomic = False  # the table is vacuumed after the column is added (VACUUM cannot run in a transaction)

    dependencies = [("meetings", "0004_meeting_details_synced_at")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
