"""Direct data helpers of ``Sandbox``: look things up and arrange scenarios without the HTTP API.

Helpers that change users or meetings queue the same webhooks as the API would (operator: the API user).
Users are named by id, email or ``me``; meetings by id. Returned dicts have the API's JSON shapes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from . import assistants_api, db, events, knobs, meetings, ratelimit, roles_api, users
from .context import Ctx, operator
from .ids import pmi_from_int
from .meetings_api import insert_meeting


class DataHelpers:
    state_path: str
    _pool: db.ConnectionPool

    @contextmanager
    def _ctx(self) -> Iterator[Ctx]:
        with self._pool.connection() as conn, db.write_txn(conn):
            current = knobs.load(conn)
            yield Ctx(conn=conn, knobs=current, now=current.now(), method="SANDBOX", path="", query={})

    def _user_row(self, ctx: Ctx, value: str) -> sqlite3.Row:
        row = users.resolve(ctx.conn, value, ctx.api_user_id)
        if row is None:
            raise KeyError(f"No sandbox user {value!r}")
        return row

    # Users ---------------------------------------------------------------------------------------------
    def user(self, value: str) -> dict[str, Any] | None:
        """``GET /users/{value}`` as a dict (with ``role_name``), or None."""
        with self._ctx() as ctx:
            row = users.resolve(ctx.conn, value, ctx.api_user_id)
            return users.detail(ctx.conn, row, ctx.account_id) if row else None

    def user_count(self, status: str | None = None) -> int:
        with self._ctx() as ctx:
            if status is None:
                return int(ctx.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
            return int(
                ctx.conn.execute("SELECT COUNT(*) FROM users WHERE status = ?", (status,)).fetchone()[0]
            )

    def create_user(
        self,
        email: str,
        *,
        first_name: str = "",
        last_name: str = "",
        type: int = 2,
        role_id: str = "2",
        status: str = "active",
        dept: str = "",
    ) -> dict[str, Any]:
        with self._ctx() as ctx:
            row = users.insert(
                ctx.conn,
                email=email,
                now=ctx.now,
                pmi=pmi_from_int(ctx.draw.integer()),
                first_name=first_name,
                last_name=last_name,
                type=type,
                role_id=role_id,
                status=status,
                dept=dept,
            )
            events.queue(
                ctx.conn,
                "user.created",
                now=ctx.now,
                account_id=ctx.account_id,
                operator=operator(ctx),
                obj=users.event_object(row),
                extra={"creation_type": "create"},
            )
            return users.detail(ctx.conn, row, ctx.account_id)

    def set_user_status(self, value: str, status: str) -> None:
        """Force a status (``active``/``inactive``/``pending``), bypassing the admin rule of the API."""
        with self._ctx() as ctx:
            row = self._user_row(ctx, value)
            ctx.conn.execute("UPDATE users SET status = ? WHERE id = ?", (status, row["id"]))
            if status == "inactive" and row["status"] != "inactive":
                events.queue(
                    ctx.conn,
                    "user.deactivated",
                    now=ctx.now,
                    account_id=ctx.account_id,
                    operator=operator(ctx),
                    obj=users.event_object(row),
                )

    def update_user(self, value: str, **changes: Any) -> None:
        """Change user columns (``type``, ``dept``, ``first_name``…) and queue ``user.updated``."""
        from .users_api import apply_user_changes

        with self._ctx() as ctx:
            apply_user_changes(ctx, self._user_row(ctx, value), changes)

    def set_role(self, value: str, role_id: str) -> None:
        with self._ctx() as ctx:
            roles_api.set_role(ctx, self._user_row(ctx, value), role_id)

    # Assistants ----------------------------------------------------------------------------------------
    def add_assistant(self, host: str, assistant: str) -> None:
        """Make ``assistant`` an assistant of ``host`` (both must exist; licence rules are not checked)."""
        with self._ctx() as ctx:
            host_id, assistant_id = self._user_row(ctx, host)["id"], self._user_row(ctx, assistant)["id"]
            assistants_api.add(ctx.conn, host_id=host_id, assistant_id=assistant_id, now=ctx.now)

    def remove_assistant(self, host: str, assistant: str) -> None:
        with self._ctx() as ctx:
            host_id, assistant_id = self._user_row(ctx, host)["id"], self._user_row(ctx, assistant)["id"]
            ctx.conn.execute(
                "DELETE FROM assistants WHERE host_id = ? AND assistant_id = ?", (host_id, assistant_id)
            )

    def assistants_of(self, host: str) -> list[str]:
        """Emails of the host's assistants (who may schedule for ``host``)."""
        with self._ctx() as ctx:
            sql = "SELECT u.email FROM assistants a JOIN users u ON u.id = a.assistant_id WHERE a.host_id = ?"
            return [
                r[0] for r in ctx.conn.execute(sql + " ORDER BY u.email", (self._user_row(ctx, host)["id"],))
            ]

    def schedulers_of(self, assistant: str) -> list[str]:
        """Emails of the hosts ``assistant`` may schedule for."""
        with self._ctx() as ctx:
            sql = "SELECT u.email FROM assistants a JOIN users u ON u.id = a.host_id WHERE a.assistant_id = ?"
            row = self._user_row(ctx, assistant)
            return [r[0] for r in ctx.conn.execute(sql + " ORDER BY u.email", (row["id"],))]

    # Meetings ------------------------------------------------------------------------------------------
    def meeting(self, meeting_id: int) -> dict[str, Any] | None:
        """``GET /meetings/{id}`` as a dict (expired meetings too), or None."""
        with self._ctx() as ctx:
            row = meetings.load(ctx.conn, int(meeting_id))
            if row is None:
                return None
            return meetings.detail(
                row, ctx.now, live=meetings.is_live(row, ctx.now, bool(ctx.knobs["auto_start"]))
            )

    def find_meeting(self, topic: str) -> dict[str, Any] | None:
        with self._ctx() as ctx:
            found = ctx.conn.execute(
                "SELECT id FROM meetings WHERE topic = ? ORDER BY id LIMIT 1", (topic,)
            ).fetchone()
        return self.meeting(found[0]) if found else None

    def meeting_ids(self, host: str) -> list[int]:
        with self._ctx() as ctx:
            row = self._user_row(ctx, host)
            return [
                r[0]
                for r in ctx.conn.execute(
                    "SELECT id FROM meetings WHERE host_id = ? ORDER BY id", (row["id"],)
                )
            ]

    def create_meeting(
        self, host: str, *, created_under: str | None = None, start_time: datetime | None = None, **body: Any
    ) -> dict[str, Any]:
        """Store a meeting for ``host`` as if ``POST /users/{created_under}/meetings`` with
        ``schedule_for=host`` had succeeded (``created_under`` defaults to the host: no ``assistant_id``).
        ``body`` takes the API's create fields (topic, type, duration, settings, recurrence…)."""
        if start_time is not None:
            body["start_time"] = (
                start_time.strftime("%Y-%m-%dT%H:%M:%SZ") if start_time.tzinfo else start_time.isoformat()
            )
        with self._ctx() as ctx:
            host_row = self._user_row(ctx, host)
            creator = self._user_row(ctx, created_under) if created_under else host_row
            assistant_id = creator["id"] if creator["id"] != host_row["id"] else None
            stored = insert_meeting(ctx, body, host_row, assistant_id)
            return meetings.detail(stored, ctx.now, live=False)

    def set_meeting_state(self, meeting_id: int, live_state: str | None) -> None:
        """``started`` / ``ended`` / ``waiting`` force the status; None lets the clock decide."""
        if live_state not in (None, "started", "ended", "waiting"):
            raise ValueError(f"Unknown meeting state {live_state!r}")
        with self._ctx() as ctx:
            ctx.conn.execute("UPDATE meetings SET live_state = ? WHERE id = ?", (live_state, int(meeting_id)))

    def start_meeting(self, meeting_id: int) -> None:
        self.set_meeting_state(meeting_id, "started")

    def end_meeting(self, meeting_id: int) -> None:
        self.set_meeting_state(meeting_id, "ended")

    # Daily meeting quota -------------------------------------------------------------------------------
    def set_meeting_usage(self, user: str, used: int) -> None:
        """Set how many meeting create/update requests ``user`` has used today (simulated UTC day)."""
        with self._ctx() as ctx:
            ratelimit.set_meeting_usage(ctx, self._user_row(ctx, user)["id"], used)

    def meeting_usage(self, user: str) -> int:
        with self._ctx() as ctx:
            return ratelimit.meeting_usage(ctx, self._user_row(ctx, user)["id"])
