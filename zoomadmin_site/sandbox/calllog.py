"""The call log: every request the sandbox answered (method, path, query, body, answer, status, code…),
so tests can count exactly which writes reached Zoom and read what Zoom answered them.

Nothing secret is stored: no Authorization header; for the token endpoint only ``grant_type`` and
``account_id`` of the request, and its answer with the access token masked.

Size policy. A benchmark seeds 100k users and 1M meetings and a full sync makes ~170k GETs whose list
answers reach ~100 KB each; logging them whole would grow the state file by gigabytes. So:

- rows: the latest ``KEEP`` (200,000) calls are kept;
- answers to writes and error answers (status >= 400) are kept whole: they are small, and they are what
  tests and operators need to read back;
- answers to successful GETs keep their first ``GET_PREVIEW_BYTES`` (2 KB), marked ``answer_truncated``
  when cut, and only for the latest ``GET_PREVIEW_KEEP`` (10,000) calls; older previews are dropped
  (the row stays). Worst case ~20 MB of previews.
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

KEEP = 200_000
GET_PREVIEW_BYTES = 2048
GET_PREVIEW_KEEP = 10_000
PRUNE_EVERY = 1000
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
_COLUMNS: tuple[str, ...] = ("ts", "wall_ts", "method", "path", "query", "body", "status", "code", "route")
_COLUMNS += ("tracking_id", "fault", "answer", "answer_truncated")


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
    # What the sandbox answered: parsed JSON, or (when ``answer_truncated``) the first bytes of it as
    # text; None for an empty answer (204), a timeout, or a GET preview older than GET_PREVIEW_KEEP.
    answer: Any = None
    answer_truncated: bool = False

    @property
    def is_write(self) -> bool:
        """A call that may change Zoom data (the token endpoint is not one)."""
        return self.method in WRITE_METHODS and self.path != TOKEN_PATH


def logged_answer(method: str, path: str, status: int, payload: bytes) -> tuple[str | None, bool]:
    """(answer text to store, truncated?) under the size policy above."""
    if not payload:
        return None, False
    if path == TOKEN_PATH:
        return _masked_token_answer(payload), False
    if method == "GET" and status < 400 and len(payload) > GET_PREVIEW_BYTES:
        return payload[:GET_PREVIEW_BYTES].decode("utf-8", "ignore"), True
    return payload.decode("utf-8", "replace"), False


def _masked_token_answer(payload: bytes) -> str:
    try:
        answer = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")
    if isinstance(answer, dict) and "access_token" in answer:
        answer["access_token"] = "***"  # noqa: S105 - the mask, so no usable token sits in the log
    return json.dumps(answer, separators=(",", ":"))


def record(conn: sqlite3.Connection, **fields: Any) -> None:
    cursor = conn.execute(
        f"INSERT INTO calls ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",  # noqa: S608
        tuple(fields.get(name) for name in _COLUMNS),
    )
    last = cursor.lastrowid or 0
    if last % PRUNE_EVERY == 0:
        _prune(conn, last)


def _prune(conn: sqlite3.Connection, last: int) -> None:
    conn.execute("DELETE FROM calls WHERE id <= ?", (last - KEEP,))
    # One block of PRUNE_EVERY ids per run, found through the primary key: no scan of the table.
    upper = last - GET_PREVIEW_KEEP
    conn.execute(
        "UPDATE calls SET answer = NULL WHERE id > ? AND id <= ? AND method = 'GET' AND status < 400 "
        "AND answer IS NOT NULL",
        (upper - PRUNE_EVERY, upper),
    )


def _parse(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _call(row: sqlite3.Row) -> Call:
    truncated = bool(row["answer_truncated"])
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
        answer=row["answer"] if truncated else _parse(row["answer"]),
        answer_truncated=truncated,
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
    sql = "SELECT * FROM calls WHERE id > ?"
    args: list[object] = [since_id]
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
