"""What a route handler gets (``Ctx``) and gives back (``Reply``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import db
from .errors import ZoomError
from .ids import Draw
from .knobs import Knobs


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Ctx:
    conn: sqlite3.Connection
    knobs: Knobs
    now: float
    method: str
    path: str
    query: dict[str, str]
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    charges: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Wall-clock time the request reached the sandbox, before it queued for the state file's write lock:
    # per-second limits count arrivals, as Zoom's edge would, not the order the lock happened to grant.
    arrived: float = 0.0
    _draw: Draw | None = None

    @property
    def account_id(self) -> str:
        return str(self.knobs.values.get("account_id", "sandbox"))

    @property
    def api_user_id(self) -> str:
        return str(self.knobs.values.get("api_user_id", ""))

    @property
    def draw(self) -> Draw:
        if self._draw is None:
            self._draw = Draw(self.conn)
        return self._draw

    def json_body(self) -> dict[str, Any]:
        """The parsed body; the app already refused anything that is not a JSON object."""
        return self.body if isinstance(self.body, dict) else {}

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() == "true"


def operator(ctx: Ctx) -> tuple[str, str]:
    """(email, id) of the user the app acts as: the S2S app's creator, i.e. ``me``."""
    row = ctx.conn.execute("SELECT id, email FROM users WHERE id = ?", (ctx.api_user_id,)).fetchone()
    if row is None:
        return ("", "")
    return (row["email"], row["id"])


def require_object(value: Any, field_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ZoomError(
            400, 300, "Validation Failed.", errors=[{"field": field_name, "message": "Invalid field."}]
        )
    return value


def extra_of(row: sqlite3.Row) -> dict[str, Any]:
    return db.loads(row["extra"], {}) or {}
