"""``Sandbox``: the control object over a state file, for tests, the demo and the ``zoom_sandbox`` command.

Everything is stored in the state file, so a served sandbox and any in-process app over the same file see
the changes at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx

from . import calllog, db, delivery, knobs, state, url_validation
from .helpers import DataHelpers
from .seed import SeedReport, seed_demo


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Sandbox(DataHelpers):
    def __init__(self, state_path: str | os.PathLike[str], *, account_id: str | None = None) -> None:
        """``account_id`` names the account of a new state file (default ``sandbox``); an existing
        state keeps its account id."""
        self.state_path = os.fspath(state_path)
        state.ensure(self.state_path, account_id=account_id)
        self._pool = db.ConnectionPool(self.state_path, size=2)

    # State -------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the base account; clears data, knobs (faults, clock, scopes, plan, webhook), tokens,
        the call log and the webhook outbox."""
        state.reset(self.state_path)

    def seed_demo(
        self, *, users: int = 300, meetings: int = 3000, seed: int = 42, reset: bool = True
    ) -> SeedReport:
        """The demo account (see ``scenarios.SCENARIOS``), relative to the simulated clock. ``reset``
        forgets the data first but keeps the knobs; ``reset=False`` refuses an already seeded state."""
        return seed_demo(self.state_path, users=users, meetings=meetings, seed=seed, reset=reset)

    @property
    def account_id(self) -> str:
        return str(self.knob("account_id"))

    @property
    def api_user_id(self) -> str:
        return state.API_USER_ID

    # Knobs -------------------------------------------------------------------------------------------
    def knob(self, name: str) -> Any:
        with self._pool.connection() as conn:
            current = knobs.load(conn)
        return current.values.get(name, knobs.DEFAULTS.get(name))

    def knobs(self) -> dict[str, Any]:
        """Every knob with its effective value."""
        with self._pool.connection() as conn:
            current = knobs.load(conn)
        return {name: current[name] for name in knobs.DEFAULTS}

    def set_knob(self, name: str, value: Any) -> None:
        """Set one knob (None restores its default). Unknown names are refused."""
        if name not in knobs.DEFAULTS:
            raise KeyError(f"Unknown sandbox knob {name!r}; known: {', '.join(sorted(knobs.DEFAULTS))}")
        with self._pool.connection() as conn, db.write_txn(conn):
            db.set_meta(conn, name, value)

    # Clock -------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromtimestamp(knobs.clock_now(self.knob("clock")), tz=UTC)

    def set_clock(self, when: datetime, *, frozen: bool = True) -> None:
        """Set the simulated now (naive = UTC). Frozen by default; ``frozen=False`` lets it run on."""
        target = _utc(when).timestamp()
        if frozen:
            self.set_knob("clock", {"mode": "frozen", "at": target})
        else:
            self.set_knob("clock", {"mode": "offset", "offset": target - datetime.now(UTC).timestamp()})

    def advance(self, seconds: float) -> datetime:
        clock = dict(self.knob("clock"))
        if clock.get("mode") == "frozen":
            clock["at"] = float(clock["at"]) + seconds
        else:
            clock = {"mode": "offset", "offset": float(clock.get("offset", 0.0)) + seconds}
        self.set_knob("clock", clock)
        return self.now()

    def real_clock(self) -> None:
        self.set_knob("clock", None)

    # Auth --------------------------------------------------------------------------------------------
    def set_scopes(self, scopes: Iterable[str]) -> None:
        """Scopes granted to tokens minted from now on (earlier tokens keep theirs)."""
        self.set_knob("scopes", list(scopes))

    def scopes(self) -> list[str]:
        return list(self.knob("scopes"))

    def set_plan(self, plan: str) -> None:
        """``free`` (no Roles API → 404/2300, Free rate limits, no assistants), ``pro``, ``business``."""
        if plan not in knobs.PLANS:
            raise ValueError(f"Unknown plan {plan!r}; known: {', '.join(knobs.PLANS)}")
        self.set_knob("plan", plan)

    def set_legacy_tokens(self, enabled: bool = True) -> None:
        self.set_knob("legacy_tokens", bool(enabled))

    def set_app_disabled(self, disabled: bool = True) -> None:
        self.set_knob("app_disabled", bool(disabled))

    def revoke_tokens(self) -> None:
        with self._pool.connection() as conn, db.write_txn(conn):
            conn.execute("UPDATE tokens SET revoked = 1")

    def expire_tokens(self) -> None:
        with self._pool.connection() as conn, db.write_txn(conn):
            conn.execute("UPDATE tokens SET expires_ts = MIN(expires_ts, ?)", (knobs.load(conn).now(),))

    # Rate limits and faults --------------------------------------------------------------------------
    def set_rate_limits(
        self,
        enabled: bool = True,
        *,
        per_second: dict[str, int] | None = None,
        per_day: dict[str, int] | None = None,
    ) -> None:
        """Turn label limits on/off and override the plan's limits per label (light/medium/heavy)."""
        self.set_knob("rate_limits", bool(enabled))
        overrides = {"per_second": per_second or {}, "per_day": per_day or {}}
        self.set_knob("rate_overrides", overrides if per_second or per_day else None)

    def set_meeting_daily_limit(self, limit: int) -> None:
        self.set_knob("meeting_daily_limit", int(limit))

    def set_latency(self, ms: int, jitter_ms: int = 0) -> None:
        self.set_knob("latency_ms", int(ms))
        self.set_knob("latency_jitter_ms", int(jitter_ms))

    def set_error_rates(
        self,
        *,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        rate_timeout: float = 0.0,
        status_5xx: int = 500,
    ) -> None:
        for name, value in (("rate_429", rate_429), ("rate_5xx", rate_5xx), ("rate_timeout", rate_timeout)):
            self.set_knob(name, float(value))
        self.set_knob("status_5xx", int(status_5xx))

    def set_fault_seed(self, seed_value: int) -> None:
        """Seed the random sequence (faults, new ids) and restart it, for reproducible runs."""
        with self._pool.connection() as conn, db.write_txn(conn):
            db.set_meta(conn, "fault_seed", int(seed_value))
            conn.execute("DELETE FROM counters WHERE name = 'rng'")

    def fail_next(
        self,
        method: str = "*",
        path: str = "*",
        *,
        count: int = 1,
        status: int = 500,
        code: int | None = None,
        message: str | None = None,
        kind: str = "error",
        after_write: bool = False,
    ) -> None:
        """Fail the next ``count`` calls matching ``method`` and ``path`` (see ``faults`` for patterns)."""
        if kind not in ("error", "timeout"):
            raise ValueError("kind must be 'error' or 'timeout'")
        rule = {
            "method": method.upper(),
            "path": path,
            "count": int(count),
            "status": int(status),
            "code": int(code if code is not None else status),
            "message": message or "",
            "kind": kind,
            "after_write": bool(after_write),
        }
        self.set_knob("fail_next", [*self.knob("fail_next"), rule])

    def drop_next_write(self, count: int = 1, *, method: str = "*", path: str = "*") -> None:
        """The next ``count`` matching successful writes answer success but change nothing."""
        rule = {"method": method.upper(), "path": path, "count": int(count)}
        self.set_knob("drop_next_write", [*self.knob("drop_next_write"), rule])

    def set_timeout_mode(self, mode: str, sleep_s: float | None = None) -> None:
        if mode not in ("auto", "raise", "sleep"):
            raise ValueError("mode must be auto, raise or sleep")
        self.set_knob("timeout_mode", mode)
        if sleep_s is not None:
            self.set_knob("timeout_sleep_s", float(sleep_s))

    def clear_faults(self) -> None:
        """Latency, error rates, fail-next and drop-next-write rules back to none."""
        for name in ("latency_ms", "latency_jitter_ms", "rate_429", "rate_5xx", "rate_timeout", "status_5xx"):
            self.set_knob(name, None)
        for name in ("fail_next", "drop_next_write", "timeout_mode", "timeout_sleep_s"):
            self.set_knob(name, None)

    # Call log ----------------------------------------------------------------------------------------
    def calls(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        route: str | None = None,
        writes_only: bool = False,
        since_id: int = 0,
    ) -> list[calllog.Call]:
        """The call log, oldest first, with each answer (``calllog`` explains the size policy). ``route``
        like ``"PATCH /meetings/{meetingId}"``; ``path`` is an fnmatch pattern on the request path
        (``"/v2/meetings/*"``)."""
        with self._pool.connection() as conn:
            return calllog.select(
                conn, method=method, path=path, route=route, writes_only=writes_only, since_id=since_id
            )

    def last_call_id(self) -> int:
        with self._pool.connection() as conn:
            return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM calls").fetchone()[0])

    def clear_calls(self) -> None:
        with self._pool.connection() as conn, db.write_txn(conn):
            conn.execute("DELETE FROM calls")

    # Webhooks ----------------------------------------------------------------------------------------
    def set_webhook(
        self,
        url: str,
        secret_token: str,
        *,
        events: Iterable[str] | None = None,
        authorization: str | None = None,
    ) -> None:
        """Subscribe ``url``; changes from now on queue events (all events, or only ``events``). A new URL
        or secret token is unvalidated: events are held until it answers the validation challenge."""
        hook = {"url": url, "secret_token": secret_token, "events": list(events) if events else None}
        if authorization:
            hook["authorization"] = authorization
        self.set_knob("webhook", hook)

    def clear_webhook(self) -> None:
        self.set_knob("webhook", None)

    def outbox(self, status: str | None = None) -> list[dict[str, Any]]:
        """Queued webhook events: id, event, body (dict), status (pending, sending, delivered, failed),
        attempts, next_attempt_ts, last_status, last_error, claimed_at (wall clock of the last claim)."""
        with self._pool.connection() as conn:
            sql = "SELECT * FROM webhook_outbox"
            args: tuple[str, ...] = ()
            if status:
                sql, args = sql + " WHERE status = ?", (status,)
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [{**dict(row), "body": db.loads(row["body"])} for row in rows]

    def deliver_webhooks(
        self, *, transport: httpx.BaseTransport | None = None, validate: bool = False
    ) -> int:
        """One delivery cycle (challenging the URL first while it is unvalidated, or when ``validate``);
        returns how many events were delivered."""
        return delivery.deliver_pending(self.state_path, transport=transport, validate=validate).delivered

    def validate_webhook_url(
        self, *, transport: httpx.BaseTransport | None = None
    ) -> url_validation.UrlValidation:
        return url_validation.validate_webhook_url(self.state_path, transport=transport)

    def webhook_validated(self) -> bool:
        """Has the subscribed URL (with its current secret token) passed the validation challenge?"""
        with self._pool.connection() as conn:
            hook = db.get_meta(conn, "webhook")
            return bool(hook and hook.get("url")) and url_validation.is_validated(conn, hook)
