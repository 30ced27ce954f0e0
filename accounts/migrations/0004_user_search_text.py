"""PostgreSQL: users' search text as a stored lowercase column with its trigram index (replacing the
expression index of 0002), with finer statistics. Nothing on SQLite.

The SQL is frozen here as it was when this migration was written (migrations never import live code);
zoomadmin_site/search/index.py builds today's."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [],
    "postgresql": [
        "ALTER TABLE accounts_zoomuser ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS "
        "AS (lower((\"display_name\" || ' ' || \"first_name\" || ' ' || \"last_name\" || ' ' || "
        "\"email\" || ' ' || \"dept\" || ' ' || COALESCE(\"zoom_id\", '')))) STORED",
        "ALTER TABLE accounts_zoomuser ALTER COLUMN search_text SET STATISTICS 1000",
        "CREATE INDEX IF NOT EXISTS accounts_zoomuser_search_text_trgm ON accounts_zoomuser USING "
        "gin (search_text gin_trgm_ops)",
        "DROP INDEX IF EXISTS accounts_zoomuser_search_trgm",
    ],
}

BACKWARDS = {
    "sqlite": [],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS accounts_zoomuser_search_trgm ON accounts_zoomuser USING gin "
        '(("display_name" || \' \' || "first_name" || \' \' || "last_name" || \' \' || "email" || '
        "' ' || \"dept\" || ' ' || COALESCE(\"zoom_id\", '')) gin_trgm_ops)",
        "ALTER TABLE accounts_zoomuser DROP COLUMN IF EXISTS search_text",
    ],
}


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(FORWARDS, schema_editor, vacuum="accounts_zoomuser")


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(BACKWARDS, schema_editor, vacuum="accounts_zoomuser")


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

    dependencies = [("accounts", "0003_covering_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
