"""The text index behind the audit list's free-text filter `q` (target labels and reasons), kept in step by
the database itself.

SQLite: an FTS5 table with the trigram tokenizer (substring matching for terms of 3+ characters) over
audit_auditevent as external content (rowid = seq), filled by an AFTER INSERT trigger, emptied of pruned
events by an AFTER DELETE trigger (the only deletions the log allows: audit_prune, and a test's flush).
PostgreSQL: pg_trgm GIN indexes on UPPER(target_label) and UPPER(reason), the very expressions of
Django's icontains, with statistics at 10x the default target so that the planner's estimate of how
common a term is (bitmap scan of the index, or walk newest first) is near the truth.

The index only finds candidates: `q` is always also checked row by row with icontains (selectors.py), so
what the list shows is defined by icontains alone, and a stale index entry can never show a wrong row.

Migration 0008_text_index installs a frozen copy of this SQL. Django's SQLite schema editor rebuilds a
table (dropping its triggers) for many ALTERs, so the audit app's post_migrate handler calls
ensure_text_index(), which recreates missing triggers and rebuilds the index if they were missing.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
FTS_TABLE = "audit_auditevent_text"
TRIGGER_NAMES = ("audit_auditevent_text_ai", "audit_auditevent_text_ad")
MIN_INDEXED_TERM = 3  # the trigram index needs at least three characters

SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_auditevent_text_ai AFTER INSERT ON audit_auditevent BEGIN "
    "INSERT INTO audit_auditevent_text(rowid, target_label, reason) VALUES (new.seq, new.target_label, "
    "new.reason); END",
    "CREATE TRIGGER IF NOT EXISTS audit_auditevent_text_ad AFTER DELETE ON audit_auditevent BEGIN "
    "INSERT INTO audit_auditevent_text(audit_auditevent_text, rowid, target_label, reason) "
    "VALUES ('delete', old.seq, old.target_label, old.reason); END",
)
SQLITE_REBUILD = "INSERT INTO audit_auditevent_text(audit_auditevent_text) VALUES ('rebuild')"
# The seqs whose label or reason contains the one quoted term parameter.
FTS_MATCH_SQL = "SELECT rowid FROM audit_auditevent_text WHERE audit_auditevent_text MATCH %s"
# How many rows match, counting no further than the limit parameter.
FTS_COUNT_SQL = (
    "SELECT count(*) FROM (SELECT 1 FROM audit_auditevent_text WHERE audit_auditevent_text MATCH %s LIMIT %s)"
)

# PostgreSQL: how many events' label or reason contain the one term parameter (given twice), counting no
# further than the limit parameter; the conditions are icontains' own, which the trigram indexes serve.
TRGM_COUNT_SQL = (
    "SELECT count(*) FROM (SELECT 1 FROM audit_auditevent WHERE UPPER(target_label::text) LIKE UPPER(%s) "
    "OR UPPER(reason::text) LIKE UPPER(%s) LIMIT %s) AS candidates"
)


def fts_phrase(term: str) -> str:
    """The term as one FTS5 phrase: inside double quotes FTS5 syntax is plain text ("" is a quote)."""
    return '"' + term.replace('"', '""') + '"'


def has_fts(connection: Any) -> bool:
    """Whether this SQLite database has the text index (a database migrated before it has not)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def ensure_text_index(connection: Any) -> None:
    """After every migrate: on SQLite, recreate missing triggers (a table rebuild drops them) and then
    rebuild the index, which missed the writes made without them. Nothing to do elsewhere."""
    if connection.vendor != "sqlite" or not has_fts(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        if set(TRIGGER_NAMES) <= {name for (name,) in cursor.fetchall()}:
            return
        for sql in SQLITE_TRIGGERS:
            cursor.execute(sql)
        cursor.execute(SQLITE_REBUILD)
