"""The text-search index behind user and meeting search, kept in step by the database itself.

SQLite: an FTS5 table with the trigram tokenizer (substring matching for terms of 3+ characters) over the
mirror table as external content, plus AFTER INSERT / UPDATE / DELETE triggers. Every write to the mirror
table, whatever issues it (ORM save, bulk_create with update_conflicts, QuerySet.update, raw SQL, delete),
updates the index in the same transaction; the sync needs to do nothing. The update trigger only touches
the index when a searched column actually changed, so re-upserting unchanged rows costs little. (One
exception: SQLite's INSERT OR REPLACE deletes conflicting rows without firing delete triggers; Django never
issues it, and nothing here should: upsert with ON CONFLICT DO UPDATE, i.e. bulk_create(update_conflicts).)

PostgreSQL: one GIN index with pg_trgm's gin_trgm_ops over the concatenated searched columns; queries
use the very same expression with ILIKE, so the planner can use the index. Maintained by PostgreSQL.

Django's SQLite schema editor rebuilds a table (dropping its triggers) for many ALTERs, so a post_migrate
handler (`ensure_search_indexes`, connected in accounts/apps.py) recreates missing triggers and rebuilds
the index after every migrate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections


@dataclass(frozen=True)
class SearchIndexSpec:
    table: str  # the mirror table (its integer primary key "id" is the FTS rowid)
    columns: tuple[str, ...]  # the searched columns
    pg_expression: str  # the PostgreSQL expression that the trigram index covers and queries use

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def trigger_names(self) -> tuple[str, str, str]:
        return (f"{self.fts_table}_ai", f"{self.fts_table}_ad", f"{self.fts_table}_au")

    @property
    def pg_index(self) -> str:
        return f"{self.table}_search_trgm"


USER_SEARCH = SearchIndexSpec(
    table="accounts_zoomuser",
    columns=("display_name", "first_name", "last_name", "email", "dept", "zoom_id"),
    pg_expression=(
        "(\"display_name\" || ' ' || \"first_name\" || ' ' || \"last_name\" || ' ' || \"email\" || ' ' || "
        "\"dept\" || ' ' || COALESCE(\"zoom_id\", ''))"
    ),
)

MEETING_SEARCH = SearchIndexSpec(
    table="meetings_zoommeeting",
    columns=("topic", "meeting_id", "host_name", "host_email"),
    pg_expression=(
        '("topic" || \' \' || CAST("meeting_id" AS text) || \' \' || "host_name" || \' \' || "host_email")'
    ),
)

SPECS = (USER_SEARCH, MEETING_SEARCH)


def _cols(prefix: str, columns: Iterable[str]) -> str:
    return ", ".join(f"{prefix}{c}" for c in columns)


def sqlite_trigger_sql(spec: SearchIndexSpec) -> list[str]:
    cols = _cols("", spec.columns)
    new, old = _cols("new.", spec.columns), _cols("old.", spec.columns)
    fts = spec.fts_table  # identifiers here are module constants, never user input
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *spec.columns))
    ai, ad, au = spec.trigger_names
    return [
        f"CREATE TRIGGER IF NOT EXISTS {ai} AFTER INSERT ON {spec.table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {ad} AFTER DELETE ON {spec.table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {au} AFTER UPDATE ON {spec.table} WHEN {changed} "
        f"BEGIN {delete} {insert} END",
    ]


def _rebuild_sql(spec: SearchIndexSpec) -> str:
    return f"INSERT INTO {spec.fts_table}({spec.fts_table}) VALUES ('rebuild')"  # noqa: S608 - constants only


def install_sql(spec: SearchIndexSpec, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {spec.fts_table} USING fts5({_cols('', spec.columns)}, "
            f"content='{spec.table}', content_rowid='id', tokenize='trigram', columnsize=0)",
            *sqlite_trigger_sql(spec),
            _rebuild_sql(spec),
        ]
    if vendor == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX IF NOT EXISTS {spec.pg_index} ON {spec.table} "
            f"USING gin ({spec.pg_expression} gin_trgm_ops)",
        ]
    return []  # other databases: search falls back to plain icontains scans


def uninstall_sql(spec: SearchIndexSpec, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            *(f"DROP TRIGGER IF EXISTS {name}" for name in spec.trigger_names),
            f"DROP TABLE IF EXISTS {spec.fts_table}",
        ]
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {spec.pg_index}"]  # pg_trgm stays: others may use it
    return []


def migration_operation(spec: SearchIndexSpec) -> Any:
    """A vendor-aware migration operation installing the index for `spec` (reversible)."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in install_sql(spec, schema_editor.connection.vendor):
            schema_editor.execute(sql, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in uninstall_sql(spec, schema_editor.connection.vendor):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)


def _sqlite_names(cursor: Any, kind: str) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {row[0] for row in cursor.fetchall()}


def ensure_search_indexes(using: str = "default", **kwargs: Any) -> list[str]:
    """Recreate missing SQLite triggers and rebuild an index that missed writes; returns the tables
    rebuilt. A no-op on PostgreSQL and when the tables do not exist (yet)."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return []
    rebuilt = []
    with conn.cursor() as cursor:
        tables, triggers = _sqlite_names(cursor, "table"), _sqlite_names(cursor, "trigger")
        for spec in SPECS:
            if spec.table not in tables or spec.fts_table not in tables:
                continue
            if set(spec.trigger_names) <= triggers:
                continue
            for sql in sqlite_trigger_sql(spec):
                cursor.execute(sql)
            cursor.execute(_rebuild_sql(spec))
            rebuilt.append(spec.table)
    return rebuilt


def rebuild_search_index(spec: SearchIndexSpec, using: str = "default") -> None:
    """Rebuild from the mirror table (SQLite); REINDEX on PostgreSQL. Never needed in normal operation."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(_rebuild_sql(spec))
        elif conn.vendor == "postgresql":
            cursor.execute(f"REINDEX INDEX {spec.pg_index}")


def search_index_is_consistent(spec: SearchIndexSpec, using: str = "default") -> bool:
    """FTS5's integrity check against the mirror table (SQLite); always True elsewhere."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return True
    try:
        with conn.cursor() as cursor:
            fts = spec.fts_table
            cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    except DatabaseError:
        return False
    return True
