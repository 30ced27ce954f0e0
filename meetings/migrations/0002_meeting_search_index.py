"""The meeting search index: SQLite FTS5 (trigram) + triggers, or a pg_trgm GIN index on PostgreSQL.
Vendor-aware, so the same migration runs on both databases.

The SQL is frozen here as it was when this migration was written (migrations never import live code);
zoomadmin_site/search/index.py builds today's."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS meetings_zoommeeting_fts USING fts5(topic, meeting_id, "
        "host_name, host_email, content='meetings_zoommeeting', content_rowid='id', "
        "tokenize='trigram', columnsize=0)",
        "CREATE TRIGGER IF NOT EXISTS meetings_zoommeeting_fts_ai AFTER INSERT ON meetings_zoommeeting "
        "BEGIN INSERT INTO meetings_zoommeeting_fts(rowid, topic, meeting_id, host_name, host_email) "
        "VALUES (new.id, new.topic, new.meeting_id, new.host_name, new.host_email); END",
        "CREATE TRIGGER IF NOT EXISTS meetings_zoommeeting_fts_ad AFTER DELETE ON meetings_zoommeeting "
        "BEGIN INSERT INTO meetings_zoommeeting_fts(meetings_zoommeeting_fts, rowid, topic, "
        "meeting_id, host_name, host_email) VALUES ('delete', old.id, old.topic, old.meeting_id, "
        "old.host_name, old.host_email); END",
        "CREATE TRIGGER IF NOT EXISTS meetings_zoommeeting_fts_au AFTER UPDATE ON meetings_zoommeeting "
        "WHEN old.id IS NOT new.id OR old.topic IS NOT new.topic OR old.meeting_id IS NOT "
        "new.meeting_id OR old.host_name IS NOT new.host_name OR old.host_email IS NOT new.host_email "
        "BEGIN INSERT INTO meetings_zoommeeting_fts(meetings_zoommeeting_fts, rowid, topic, "
        "meeting_id, host_name, host_email) VALUES ('delete', old.id, old.topic, old.meeting_id, "
        "old.host_name, old.host_email); INSERT INTO meetings_zoommeeting_fts(rowid, topic, "
        "meeting_id, host_name, host_email) VALUES (new.id, new.topic, new.meeting_id, new.host_name, "
        "new.host_email); END",
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_walk_start_sort ON meetings_zoommeeting "
        "(start_sort, id, topic, meeting_id, host_name, host_email) WHERE gone_at IS NULL",
        "INSERT INTO meetings_zoommeeting_fts(meetings_zoommeeting_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS meetings_zoommeeting_search_trgm ON meetings_zoommeeting USING "
        "gin ((\"topic\" || ' ' || CAST(\"meeting_id\" AS text) || ' ' || \"host_name\" || ' ' || "
        '"host_email") gin_trgm_ops)',
    ],
}

BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS meetings_zoommeeting_fts_ai",
        "DROP TRIGGER IF EXISTS meetings_zoommeeting_fts_ad",
        "DROP TRIGGER IF EXISTS meetings_zoommeeting_fts_au",
        "DROP INDEX IF EXISTS meetings_zoommeeting_walk_start_sort",
        "DROP TABLE IF EXISTS meetings_zoommeeting_fts",
    ],
    "postgresql": ["DROP INDEX IF EXISTS meetings_zoommeeting_search_trgm"],
}


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
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
