"""The call log: every request the sandbox answered, so tests can count exactly which writes reached Zoom.

Nothing secret is stored: no Authorization header, and for the token endpoint only ``grant_type`` and
``account_id``. The log keeps the latest ~200,000 calls.
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

KEEP = 200_000


@dataclass(frozen=True)
class Call:
    id: int
    time: datetime  # simulated clock
    method: str
    path: str
    query: str
    body: Any  # parsed JSON when the body was JSON, else the text (None when empty)
    status: int  # 0 = the client saw a timeout
    code: int | None  # Zoom's error code, if any
    route: str | None  # e.g. "PATCH /meetings/{meetingId}"; None for unknown endpoints
    tracking_id: str
    fault: str | None  # which injected fault shaped the answer, if any

    @property
    def is_write(self) -> bool:
        """A call that may change Zoom data (the token endpoint is not one)."""
        return self.method in ("POST", "PATCH", "PUT", "DELETE") and self.path != "/oauth/token"


def record(conn: sqlite3.Connection, **fields: Any) -> None:
    columns = ("ts", "wall_ts", "method", "path", "query", "body", "status", "code", "route", "tracking_id")
    columns += ("fault",)
    cursor = conn.execute(
        f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",  # noqa: S608
        tuple(fields.get(name) for name in columns),
    )
    last = cursor.lastrowid or 0
    if last % 1000 == 0:
        conn.execute("DELETE FROM calls WHERE id <= ?", (last - KEEP,))


def _parse(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _call(row: sqlite3.Row) -> Call:
    return Call(
        id=row["id"],
        time=datetime.fromtimestamp(row["ts"], tz=UTC),
        method=row["method"],
        path=row["path"],
        query=row["query"],
        body=_parse(row["body"]),
        status=row["status"],
        code=row["code"],
        route=row["route"],
        tracking_id=row["tracking_id"] or "",
        fault=row["fault"],
    )


def select(
    conn: sqlite3.Connection,
    *,
    method: str | None = None,
    path: str | None = None,
    route: str | None = None,
    writes_only: bool = False,
    since_id: int = 0,
) -> list[Call]:
    """Calls in order. ``path`` is an fnmatch pattern on the request path (``/v2/meetings/*``);
    ``writes_only`` keeps POST/PATCH/PUT/DELETE calls to the API (not the token endpoint)."""
    sql, args = "SELECT * FROM calls WHERE id > ?", [since_id]
    if method:
        sql, args = sql + " AND method = ?", [*args, method.upper()]
    if route:
        sql, args = sql + " AND route = ?", [*args, route]
    if writes_only:
        sql += " AND method IN ('POST', 'PATCH', 'PUT', 'DELETE') AND path != '/oauth/token'"
    calls = [_call(row) for row in conn.execute(sql + " ORDER BY id", args)]
    if path:
        calls = [call for call in calls if fnmatch.fnmatchcase(call.path, path)]
    return calls
