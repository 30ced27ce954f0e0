"""The sandbox's SQLite state: schema, connections and the small key/value store for knobs.

One file holds everything (users, meetings, roles, tokens, rate counters, call log, webhook outbox, fault
knobs) so that every worker process and the control object see the same world. WAL mode lets readers run
beside one writer; every request takes the write lock with ``BEGIN IMMEDIATE`` (it always writes the call
log), so requests from several processes and threads are serialised by SQLite itself.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA_VERSION = 3  # 2: calls.answer, calls.answer_truncated; 3: webhook_outbox.claimed_at
BUSY_TIMEOUT_MS = 15_000

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    email_lc TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    type INTEGER NOT NULL DEFAULT 1,
    role_id TEXT NOT NULL DEFAULT '2',
    status TEXT NOT NULL DEFAULT 'active',
    dept TEXT NOT NULL DEFAULT '',
    pmi INTEGER NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'America/New_York',
    verified INTEGER NOT NULL DEFAULT 1,
    created_ts INTEGER NOT NULL,
    last_login_ts INTEGER,
    last_client_version TEXT,
    language TEXT NOT NULL DEFAULT 'en-US',
    job_title TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    use_pmi INTEGER NOT NULL DEFAULT 0,
    extra TEXT
);
CREATE TABLE IF NOT EXISTS roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'common',
    privileges TEXT NOT NULL DEFAULT '[]',
    sort INTEGER NOT NULL DEFAULT 100
);
CREATE TABLE IF NOT EXISTS assistants (
    host_id TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    can_manage_private INTEGER NOT NULL DEFAULT 0,
    added_ts INTEGER NOT NULL,
    PRIMARY KEY (host_id, assistant_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meetings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    host_id TEXT NOT NULL,
    assistant_id TEXT,
    topic TEXT NOT NULL,
    type INTEGER NOT NULL,
    start_ts INTEGER,
    end_ts INTEGER,
    duration INTEGER NOT NULL DEFAULT 60,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    agenda TEXT NOT NULL DEFAULT '',
    created_ts INTEGER NOT NULL,
    password TEXT NOT NULL DEFAULT '',
    use_pmi INTEGER NOT NULL DEFAULT 0,
    live_state TEXT,
    recurrence TEXT,
    settings TEXT,
    extra TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    scopes TEXT NOT NULL,
    issued_ts REAL NOT NULL,
    expires_ts REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS page_tokens (
    token TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    cursor TEXT NOT NULL,
    expires_ts REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS qps_hits (label TEXT NOT NULL, ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS daily_counters (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    wall_ts REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    body TEXT,
    status INTEGER NOT NULL,
    code INTEGER,
    route TEXT,
    tracking_id TEXT,
    fault TEXT,
    answer TEXT,
    answer_truncated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ts REAL NOT NULL,
    next_attempt_ts REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    last_status INTEGER,
    last_error TEXT,
    claimed_at REAL
);
"""

# Secondary indexes are kept separate so that bulk seeding can drop them and build them once at the end.
INDEXES = {
    "users_status": "CREATE INDEX IF NOT EXISTS users_status ON users(status)",
    "users_role": "CREATE INDEX IF NOT EXISTS users_role ON users(role_id, status)",
    "users_pmi": "CREATE INDEX IF NOT EXISTS users_pmi ON users(pmi)",
    "assistants_rev": "CREATE INDEX IF NOT EXISTS assistants_rev ON assistants(assistant_id)",
    "meetings_host": "CREATE INDEX IF NOT EXISTS meetings_host ON meetings(host_id, start_ts)",
    "qps_hits_label": "CREATE INDEX IF NOT EXISTS qps_hits_label ON qps_hits(label, ts)",
    "outbox_due": "CREATE INDEX IF NOT EXISTS outbox_due ON webhook_outbox(status, next_attempt_ts)",
    "calls_route": "CREATE INDEX IF NOT EXISTS calls_route ON calls(route)",
}
BULK_INDEXES = ("users_status", "users_role", "users_pmi", "assistants_rev", "meetings_host")
DATA_TABLES = (
    "meta",
    "counters",
    "users",
    "roles",
    "assistants",
    "meetings",
    "tokens",
    "page_tokens",
    "qps_hits",
    "daily_counters",
    "calls",
    "webhook_outbox",
)


def connect(path: str | os.PathLike[str], *, shared: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, with a generous busy timeout.
    ``shared``: may be handed from thread to thread (never used by two threads at once)."""
    parent = os.path.dirname(os.fspath(path))
    if parent:
        os.makedirs(parent, exist_ok=True)  # a fresh checkout has no var/ yet
    conn = sqlite3.connect(
        os.fspath(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=not shared
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@contextmanager
def opened(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()


class ConnectionPool:
    """Reusable connections for the WSGI app: no reconnect per request, and no WAL checkpoint-on-close
    after every request. Safe across ``fork`` (a child process never reuses the parent's connections)."""

    def __init__(self, path: str | os.PathLike[str], size: int = 8) -> None:
        self.path = os.fspath(path)
        self.size = size
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._pid = os.getpid()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._pid != os.getpid():
                self._idle, self._pid = [], os.getpid()
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = connect(self.path, shared=True)
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        with self._lock:
            if len(self._idle) < self.size and self._pid == os.getpid():
                self._idle.append(conn)
                return
        conn.close()


@contextmanager
def write_txn(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rollback on any exception)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create_schema(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
        raise RuntimeError(f"Zoom sandbox state needs SQLite WAL mode, got {mode!r}")
    conn.executescript(_TABLES)
    _add_missing_columns(conn)
    for ddl in INDEXES.values():
        conn.execute(ddl)


# Columns added after a state file may already exist (``CREATE TABLE IF NOT EXISTS`` keeps the old
# table): added in place, so a seeded 1M-meeting state survives an upgrade.
_ADDED_COLUMNS = {
    "calls": (("answer", "TEXT"), ("answer_truncated", "INTEGER NOT NULL DEFAULT 0")),
    "webhook_outbox": (("claimed_at", "REAL"),),
}


def _missing_columns(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    missing = []
    for table, columns in _ADDED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        missing += [(table, name, ddl) for name, ddl in columns if name not in present]
    return missing


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    if not _missing_columns(conn):
        return
    with write_txn(conn):  # checked again under the lock: another process may be upgrading too
        for table, name, ddl in _missing_columns(conn):
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")


def drop_all(conn: sqlite3.Connection) -> None:
    for table in DATA_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def get_meta(conn: sqlite3.Connection, name: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return default if row is None else json.loads(row[0])


def set_meta(conn: sqlite3.Connection, name: str, value: Any) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE name = ?", (name,))
        return
    conn.execute(
        "INSERT INTO meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (name, json.dumps(value, separators=(",", ":"), sort_keys=True)),
    )


def all_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    return {row[0]: json.loads(row[1]) for row in conn.execute("SELECT name, value FROM meta")}


def next_counter(conn: sqlite3.Connection, name: str) -> int:
    """Atomically increment a named counter and return the new value (call inside a write transaction)."""
    row = conn.execute(
        "INSERT INTO counters(name, n) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1 RETURNING n",
        (name,),
    ).fetchone()
    return int(row[0])


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def loads(text: str | None, default: Any = None) -> Any:
    return default if text in (None, "") else json.loads(text)
