"""Rate limits (zoom-api.md §9.3), kept in the state file so every process shares them.

- Per second, per label (Light/Medium/Heavy), account-wide: a sliding one-second window over *wall-clock*
  time (a frozen simulated clock must not turn every test into a 429 storm), by arrival: the second
  before a request arrived. Only admitted requests count.
  Over the limit → 429 "maximum per-second rate limit", ``X-RateLimit-Type: QPS``, ``Retry-After: 1``.
- Per day, per label (simulated UTC day) where the plan has a daily cap → 429 "maximum daily rate limit",
  ``X-RateLimit-Type: Daily-limit``, ``Retry-After`` = next 00:00 UTC as an ISO timestamp (old doc example).
- Per host user: 100 meeting create+update requests per simulated UTC day (DELETE is not counted, a
  failed request is not counted) → 429 with the exact message quoted by Zoom staff.
"""

from __future__ import annotations

import time

from .context import Ctx
from .errors import DAILY_LIMIT, MEETING_DAILY_LIMIT, QPS_LIMIT, ZoomError
from .ids import next_midnight_iso, utc_day

WINDOW_S = 1.0
_KEEP_HITS_S = 5 * WINDOW_S  # hits older than any request still waiting to be admitted could count


def arrival_time() -> float:
    """Wall-clock seconds; the app stamps each request with it on arrival (see Ctx.arrived)."""
    return time.time()


def qps_error(label: str, limit: int | None) -> ZoomError:
    headers = [("X-RateLimit-Category", label), ("X-RateLimit-Type", "QPS"), ("Retry-After", "1")]
    if limit is not None:
        headers += [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Remaining", "0")]
    return ZoomError(429, 429, QPS_LIMIT, headers=headers)


def check_label(ctx: Ctx, label: str) -> None:
    """Admit the request under its label's per-second and per-day limits, or raise a 429."""
    if not ctx.knobs["rate_limits"]:
        return
    key = label.lower()
    per_second = ctx.knobs.limit("per_second", key)
    if per_second is not None:
        wall = ctx.arrived or time.time()
        # Requests are admitted one at a time, not always in the order they arrived: one that waited for
        # the state file's lock must not count the hits that arrived after it (its second ends on arrival).
        ctx.conn.execute("DELETE FROM qps_hits WHERE label = ? AND ts <= ?", (key, wall - _KEEP_HITS_S))
        used = ctx.conn.execute(
            "SELECT COUNT(*) FROM qps_hits WHERE label = ? AND ts > ? AND ts <= ?",
            (key, wall - WINDOW_S, wall),
        ).fetchone()[0]
        if used >= per_second:
            raise qps_error(label, per_second)
    per_day = ctx.knobs.limit("per_day", key)
    if per_day is not None:
        counter = f"label:{key}:{utc_day(ctx.now)}"
        used_today = _count(ctx, counter)
        if used_today >= per_day:
            raise ZoomError(429, 429, DAILY_LIMIT, headers=_daily_headers(ctx, label, per_day))
        _bump(ctx, counter)
    if per_second is not None:
        ctx.conn.execute("INSERT INTO qps_hits(label, ts) VALUES (?, ?)", (key, ctx.arrived or time.time()))


def _daily_headers(ctx: Ctx, label: str, limit: int) -> list[tuple[str, str]]:
    return [
        ("X-RateLimit-Category", label),
        ("X-RateLimit-Type", "Daily-limit"),
        ("X-RateLimit-Limit", str(limit)),
        ("X-RateLimit-Remaining", "0"),
        ("Retry-After", next_midnight_iso(ctx.now)),
    ]


def _count(ctx: Ctx, key: str) -> int:
    row = ctx.conn.execute("SELECT n FROM daily_counters WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def _bump(ctx: Ctx, key: str, by: int = 1) -> int:
    row = ctx.conn.execute(
        "INSERT INTO daily_counters(key, n) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET n = n + ? RETURNING n",
        (key, by, by),
    ).fetchone()
    return int(row[0])


def meeting_key(host_id: str, now: float) -> str:
    return f"meeting:{host_id}:{utc_day(now)}"


def check_meeting_quota(ctx: Ctx, host_id: str) -> None:
    """Refuse when the host has used up today's create/update requests (before the change is made)."""
    limit = int(ctx.knobs["meeting_daily_limit"])
    used = _count(ctx, meeting_key(host_id, ctx.now))
    if used >= limit:
        headers = [
            ("X-RateLimit-Category", "Light"),
            ("X-RateLimit-Type", "Daily-limit"),
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Remaining", "0"),
            ("Retry-After", next_midnight_iso(ctx.now)),
        ]
        raise ZoomError(429, 429, MEETING_DAILY_LIMIT.format(limit=limit), headers=headers)


def charge_meeting_quota(ctx: Ctx, host_id: str) -> None:
    """Count one accepted create/update against the host (re-applied by the app if the write is dropped)."""
    used = _bump(ctx, meeting_key(host_id, ctx.now))
    ctx.charges.append(host_id)
    limit = int(ctx.knobs["meeting_daily_limit"])
    ctx.headers += [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Remaining", str(max(0, limit - used)))]


def recharge(ctx: Ctx) -> None:
    for host_id in ctx.charges:
        _bump(ctx, meeting_key(host_id, ctx.now))


def set_meeting_usage(ctx: Ctx, host_id: str, used: int) -> None:
    ctx.conn.execute(
        "INSERT INTO daily_counters(key, n) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET n = excluded.n",
        (meeting_key(host_id, ctx.now), used),
    )


def meeting_usage(ctx: Ctx, host_id: str) -> int:
    return _count(ctx, meeting_key(host_id, ctx.now))
