"""The user search index: SQLite FTS5 (trigram) + triggers, or a pg_trgm GIN index on PostgreSQL.
Vendor-aware, so the same migration runs on both databases.

The SQL is frozen here as it was when this migration was written (migrations never import live code);
zoomadmin_site/search/index.py builds today's."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS accounts_zoomuser_fts USING fts5(display_name, first_name, "
        "last_name, email, dept, zoom_id, content='accounts_zoomuser', content_rowid='id', "
        "tokenize='trigram', columnsize=0)",
        "CREATE TRIGGER IF NOT EXISTS accounts_zoomuser_fts_ai AFTER INSERT ON accounts_zoomuser BEGIN "
        "INSERT INTO accounts_zoomuser_fts(rowid, display_name, first_name, last_name, email, dept, "
        "zoom_id) VALUES (new.id, new.display_name, new.first_name, new.last_name, new.email, "
        "new.dept, new.zoom_id); END",
        "CREATE TRIGGER IF NOT EXISTS accounts_zoomuser_fts_ad AFTER DELETE ON accounts_zoomuser BEGIN "
        "INSERT INTO accounts_zoomuser_fts(accounts_zoomuser_fts, rowid, display_name, first_name, "
        "last_name, email, dept, zoom_id) VALUES ('delete', old.id, old.display_name, old.first_name, "
        "old.last_name, old.email, old.dept, old.zoom_id); END",
        "CREATE TRIGGER IF NOT EXISTS accounts_zoomuser_fts_au AFTER UPDATE ON accounts_zoomuser WHEN "
        "old.id IS NOT new.id OR old.display_name IS NOT new.display_name OR old.first_name IS NOT "
        "new.first_name OR old.last_name IS NOT new.last_name OR old.email IS NOT new.email OR "
        "old.dept IS NOT new.dept OR old.zoom_id IS NOT new.zoom_id BEGIN INSERT INTO "
        "accounts_zoomuser_fts(accounts_zoomuser_fts, rowid, display_name, first_name, last_name, "
        "email, dept, zoom_id) VALUES ('delete', old.id, old.display_name, old.first_name, "
        "old.last_name, old.email, old.dept, old.zoom_id); INSERT INTO accounts_zoomuser_fts(rowid, "
        "display_name, first_name, last_name, email, dept, zoom_id) VALUES (new.id, new.display_name, "
        "new.first_name, new.last_name, new.email, new.dept, new.zoom_id); END",
        "INSERT INTO accounts_zoomuser_fts(accounts_zoomuser_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS accounts_zoomuser_search_trgm ON accounts_zoomuser USING gin "
        '(("display_name" || \' \' || "first_name" || \' \' || "last_name" || \' \' || "email" || '
        "' ' || \"dept\" || ' ' || COALESCE(\"zoom_id\", '')) gin_trgm_ops)",
    ],
}

BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS accounts_zoomuser_fts_ai",
        "DROP TRIGGER IF EXISTS accounts_zoomuser_fts_ad",
        "DROP TRIGGER IF EXISTS accounts_zoomuser_fts_au",
        "DROP TABLE IF EXISTS accounts_zoomuser_fts",
    ],
    "postgresql": ["DROP INDEX IF EXISTS accounts_zoomuser_search_trgm"],
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
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
