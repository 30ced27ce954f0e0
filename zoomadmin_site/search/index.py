"""The text-search index behind user and meeting search, kept in step by the database itself.

SQLite: an FTS5 table with the trigram tokenizer (substring matching for terms of 3+ characters) over the
mirror table as external content, plus AFTER INSERT / UPDATE / DELETE triggers. Every write to the mirror
table, whatever issues it (ORM save, bulk_create with update_conflicts, QuerySet.update, raw SQL, delete),
updates the index in the same transaction; the sync needs to do nothing. The update trigger only touches
the index when a searched column actually changed, so re-upserting unchanged rows costs little. (One
exception: SQLite's INSERT OR REPLACE deletes conflicting rows without firing delete triggers; Django never
issues it, and nothing here should: upsert with ON CONFLICT DO UPDATE, i.e. bulk_create(update_conflicts).)

PostgreSQL: a stored generated column `search_text`, the searched columns concatenated and lowercased,
unknown to the Django models (PostgreSQL computes it on every write; nothing selects it but search). A GIN
index with pg_trgm's gin_trgm_ops over it finds the rows containing a term (LIKE), and its statistics
are kept at 10x the default target so that the planner's estimate of how common a term is (which
searching.py uses to choose a plan) is roughly right instead of a floor of 73 rows. For the orders named
in `walk_orders`, a partial btree index (order columns, id) INCLUDE (search_text) WHERE gone_at IS NULL
lets a walk along the order test each row's text from the index alone (an index-only scan), at a fraction
of the cost of reading every row from the table. (The first version of the index, migration 0002 of each
app, indexed the concatenation as an expression; search_text_sql() replaces it.) SQLite has the same walk
indexes, with the searched columns themselves as their last columns (it has neither INCLUDE nor
search_text: see sqlite_walk_sql).

Django's SQLite schema editor rebuilds a table (dropping its triggers and the indexes it does not know of)
for many ALTERs, so a post_migrate handler (`ensure_search_indexes`, connected in the apps' apps.py)
recreates missing triggers and walk indexes and rebuilds the text index after every migrate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections

PG_TEXT_COLUMN = "search_text"
PG_STATISTICS_TARGET = 1000  # 10x PostgreSQL's default: term estimates within ~2x instead of a floor


@dataclass(frozen=True)
class SearchIndexSpec:
    table: str  # the mirror table (its integer primary key "id" is the FTS rowid)
    columns: tuple[str, ...]  # the searched columns
    pg_expression: str  # the PostgreSQL expression over them (search_text is its lowercase)
    walk_orders: tuple[tuple[str, ...], ...] = ()  # sort columns with an index-only walk (see above)

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def trigger_names(self) -> tuple[str, str, str]:
        return (f"{self.fts_table}_ai", f"{self.fts_table}_ad", f"{self.fts_table}_au")

    @property
    def pg_index(self) -> str:
        """The first version's expression index (dropped by search_text_sql)."""
        return f"{self.table}_search_trgm"

    @property
    def pg_text_index(self) -> str:
        return f"{self.table}_search_text_trgm"

    def walk_index(self, order: tuple[str, ...]) -> str:
        return f"{self.table}_walk_{'_'.join(order)}"[:63]

    def pg_text(self, table_alias: str | None = None) -> str:
        """The qualified search_text column, for SQL fragments."""
        return f'"{table_alias or self.table}"."{PG_TEXT_COLUMN}"'


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


def sqlite_walk_sql(spec: SearchIndexSpec) -> list[str]:
    """SQLite: for each order in `walk_orders`, a partial index (order columns, id, searched columns) WHERE
    gone_at IS NULL. A walk along the order that checks each row's text (LIKE on the searched columns)
    then reads this index alone instead of each row from the table, whose rows are wide and in sync
    order, not start order (figures: README, bench/results/)."""
    return [
        f"CREATE INDEX IF NOT EXISTS {spec.walk_index(order)} ON {spec.table} "
        f"({_cols('', (*order, 'id', *spec.columns))}) WHERE gone_at IS NULL"
        for order in spec.walk_orders
    ]


def _rebuild_sql(spec: SearchIndexSpec) -> str:
    return f"INSERT INTO {spec.fts_table}({spec.fts_table}) VALUES ('rebuild')"  # noqa: S608 - constants only


def install_sql(spec: SearchIndexSpec, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {spec.fts_table} USING fts5({_cols('', spec.columns)}, "
            f"content='{spec.table}', content_rowid='id', tokenize='trigram', columnsize=0)",
            *sqlite_trigger_sql(spec),
            *sqlite_walk_sql(spec),
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
            *(f"DROP INDEX IF EXISTS {spec.walk_index(order)}" for order in spec.walk_orders),
            f"DROP TABLE IF EXISTS {spec.fts_table}",
        ]
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {spec.pg_index}"]  # pg_trgm stays: others may use it
    return []


def search_text_sql(spec: SearchIndexSpec, vendor: str) -> list[str]:
    """PostgreSQL: the search_text column, its trigram index and statistics, and the walk indexes (in
    place of the first version's expression index). Nothing to do elsewhere."""
    if vendor != "postgresql":
        return []
    table, column = spec.table, PG_TEXT_COLUMN
    walks = [
        f"CREATE INDEX IF NOT EXISTS {spec.walk_index(order)} ON {table} ({', '.join(order)}, id) "
        f"INCLUDE ({column}) WHERE gone_at IS NULL"
        for order in spec.walk_orders
    ]
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} text "
        f"GENERATED ALWAYS AS (lower({spec.pg_expression})) STORED",
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {PG_STATISTICS_TARGET}",
        f"CREATE INDEX IF NOT EXISTS {spec.pg_text_index} ON {table} USING gin ({column} gin_trgm_ops)",
        *walks,
        f"DROP INDEX IF EXISTS {spec.pg_index}",
    ]


def search_text_uninstall_sql(spec: SearchIndexSpec, vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        *install_sql(spec, vendor),
        f"ALTER TABLE {spec.table} DROP COLUMN IF EXISTS {PG_TEXT_COLUMN}",  # drops its indexes too
    ]


def vacuum_search_tables(specs: Iterable[SearchIndexSpec], using: str = "default") -> None:
    """PostgreSQL, after a full sync has rewritten every row: VACUUM so that walks stay index-only (the
    visibility map), and ANALYZE so term estimates stay right. Skipped inside a transaction (tests)."""
    conn = connections[using]
    if conn.vendor != "postgresql" or conn.in_atomic_block:
        return
    with conn.cursor() as cursor:
        for spec in specs:
            cursor.execute(f"VACUUM (ANALYZE) {spec.table}")


def _sqlite_names(cursor: Any, kind: str) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {row[0] for row in cursor.fetchall()}


def ensure_search_indexes(specs: Iterable[SearchIndexSpec], using: str = "default") -> list[str]:
    """Recreate missing SQLite triggers and walk indexes and rebuild a text index that missed writes;
    returns the tables whose text index was rebuilt. A no-op on PostgreSQL and when the tables do not exist
    (yet). Each app owning an index calls it after every migrate (a post_migrate receiver in its apps.py)."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return []
    rebuilt = []
    with conn.cursor() as cursor:
        tables, triggers = _sqlite_names(cursor, "table"), _sqlite_names(cursor, "trigger")
        indexes = _sqlite_names(cursor, "index")
        for spec in specs:
            if spec.table not in tables or spec.fts_table not in tables:
                continue
            if not {spec.walk_index(order) for order in spec.walk_orders} <= indexes:
                for sql in sqlite_walk_sql(spec):
                    cursor.execute(sql)
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
            for index in (spec.pg_text_index, *map(spec.walk_index, spec.walk_orders)):
                cursor.execute(f"REINDEX INDEX {index}")


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
