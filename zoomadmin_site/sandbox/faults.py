"""Fault injection, driven by knobs in the state file (see ``knobs.DEFAULTS``).

- ``latency_ms`` (+ ``latency_jitter_ms``): added to every answer (slept after the state is committed).
- ``rate_429`` / ``rate_5xx`` / ``rate_timeout``: probabilities per API call, drawn from the seeded,
  state-kept random sequence (``fault_seed``), so a test run is reproducible.
- ``fail_next``: rules ``{"method", "path", "count", "status", "code", "message", "kind", "after_write"}``
  failing the next ``count`` calls that match (``path`` is an fnmatch pattern such as ``/meetings/*``, or
  a route template such as ``/meetings/{meetingId}``; the ``/v2`` prefix is optional; ``/oauth/token``
  works too). ``kind`` is ``error`` (answer status/code/message) or ``timeout``; ``after_write=True``
  applies the change first and then fails — Zoom did the write but the client never heard.
- ``drop_next_write``: rules ``{"method", "path", "count"}``: the next matching successful write answers
  201/204 as usual but nothing is kept (no state change, no webhook) — for read-back verification tests.

Timeouts: in-process (``httpx.WSGITransport``, which has no ``SERVER_SOFTWARE``) the app raises
``httpx.ReadTimeout``, which the client sees exactly like a real read timeout; served on a port the
request sleeps ``timeout_sleep_s`` (default 30 s, above the client's timeout) and then answers 504.
``timeout_mode`` forces ``raise`` or ``sleep``.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from . import db
from .context import Ctx
from .errors import QPS_LIMIT, ZoomError

SERVER_ERRORS = {
    500: "Internal Server Error.",
    502: "Bad Gateway.",
    503: "Service Temporarily Unavailable.",
    504: "Gateway Timeout.",
}


class InjectedTimeout(Exception):
    """Raised inside the pipeline; the app turns it into a timeout the client can see."""


@dataclass(frozen=True)
class Decision:
    kind: str  # "error" | "timeout"
    error: ZoomError | None = None
    after_write: bool = False
    label: str = ""


def _normalise(pattern: str) -> str:
    pattern = pattern.strip() or "*"
    if pattern.startswith("/v2/") or pattern == "/v2":
        pattern = pattern[3:] or "/"
    return re.sub(r"\{\w+\}", "*", pattern)


def rule_matches(rule: dict[str, Any], method: str, path: str) -> bool:
    wanted = str(rule.get("method") or "*").upper()
    if wanted not in ("*", method.upper()):
        return False
    return fnmatch.fnmatchcase(path, _normalise(str(rule.get("path") or "*")))


def _consume(ctx: Ctx, knob: str, path: str, *, write_only: bool = False) -> dict[str, Any] | None:
    rules = list(db.get_meta(ctx.conn, knob, []) or [])
    for index, rule in enumerate(rules):
        if rule_matches(rule, ctx.method, path) and not (write_only and ctx.method == "GET"):
            left = int(rule.get("count", 1)) - 1
            rules[index] = {**rule, "count": left}
            db.set_meta(ctx.conn, knob, [r for r in rules if int(r.get("count", 1)) > 0])
            return rule
    return None


def server_error(status: int) -> ZoomError:
    return ZoomError(status, status, SERVER_ERRORS.get(status, "Internal Server Error."))


def fail_next(ctx: Ctx, path: str) -> Decision | None:
    rule = _consume(ctx, "fail_next", path) if ctx.knobs["fail_next"] else None
    if rule is None:
        return None
    label = f"fail_next:{rule.get('kind', 'error')}"
    if rule.get("kind") == "timeout":
        return Decision("timeout", after_write=bool(rule.get("after_write")), label=label)
    status = int(rule.get("status", 500))
    message = str(rule.get("message") or SERVER_ERRORS.get(status, "Injected failure."))
    error = ZoomError(status, int(rule.get("code", status)), message)
    if status == 429:
        error.headers = [("X-RateLimit-Type", "QPS"), ("Retry-After", "1")]
    return Decision("error", error=error, after_write=bool(rule.get("after_write")), label=label)


def random_fault(ctx: Ctx, label: str) -> Decision | None:
    p_timeout, p_5xx, p_429 = (float(ctx.knobs[k]) for k in ("rate_timeout", "rate_5xx", "rate_429"))
    if p_timeout + p_5xx + p_429 <= 0:
        return None
    roll = ctx.draw.random()
    if roll < p_timeout:
        return Decision("timeout", label="random:timeout")
    if roll < p_timeout + p_5xx:
        return Decision("error", error=server_error(int(ctx.knobs["status_5xx"])), label="random:5xx")
    if roll < p_timeout + p_5xx + p_429:
        headers = [("X-RateLimit-Category", label), ("X-RateLimit-Type", "QPS"), ("Retry-After", "1")]
        return Decision("error", error=ZoomError(429, 429, QPS_LIMIT, headers=headers), label="random:429")
    return None


def rule_pending(ctx: Ctx, knob: str, path: str) -> bool:
    """Whether a rule of ``knob`` would match this call (without consuming it)."""
    rules = db.get_meta(ctx.conn, knob, []) or []
    return any(rule_matches(rule, ctx.method, path) for rule in rules)


def drop_write(ctx: Ctx, path: str) -> bool:
    """True when this (successful) write should be forgotten; consumes one matching rule."""
    if ctx.method == "GET" or not ctx.knobs["drop_next_write"]:
        return False
    return _consume(ctx, "drop_next_write", path, write_only=True) is not None


def latency_s(ctx: Ctx) -> float:
    base, jitter = int(ctx.knobs["latency_ms"]), int(ctx.knobs["latency_jitter_ms"])
    if jitter > 0:
        base += int(ctx.draw.random() * jitter)
    return max(0, base) / 1000
