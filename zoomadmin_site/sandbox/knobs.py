"""Knobs: every setting and fault switch of the sandbox, stored in the state file's ``meta`` table.

Keeping them in the state file (not in memory) means a served sandbox, the in-process apps of a test and
the ``zoom_sandbox faults`` command all see and change the same knobs.

Knob names (also the ``meta`` keys): see ``DEFAULTS``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from . import db

# The granular scopes of every operation the sandbox implements (zoom-api.md §2.5) — granted by default.
DEFAULT_SCOPES: tuple[str, ...] = (
    "user:read:list_users:admin",
    "user:read:user:admin",
    "user:write:user:admin",
    "user:update:user:admin",
    "user:update:status:admin",
    "user:delete:user:admin",
    "user:read:list_assistants:admin",
    "user:write:assistant:admin",
    "user:delete:assistant:admin",
    "user:read:list_schedulers:admin",
    "user:delete:scheduler:admin",
    "meeting:read:list_meetings:admin",
    "meeting:read:meeting:admin",
    "meeting:write:meeting:admin",
    "meeting:update:meeting:admin",
    "meeting:delete:meeting:admin",
    "role:read:list_roles:admin",
    "role:read:role:admin",
    "role:write:role:admin",
    "role:update:role:admin",
    "role:delete:role:admin",
    "role:read:list_members:admin",
    "role:write:member:admin",
    "role:delete:member:admin",
)

# Per-second and per-day limits by rate-limit label (zoom-api.md §9.3). None = no daily cap for the label.
PLANS: dict[str, dict[str, Any]] = {
    "free": {
        "per_second": {"light": 4, "medium": 2, "heavy": 1},
        "per_day": {"light": 6000, "medium": 2000, "heavy": 1000},
        "roles_api": False,
        "paid": False,
    },
    "pro": {
        "per_second": {"light": 30, "medium": 20, "heavy": 10},
        "per_day": {"heavy": 30000},
        "roles_api": True,
        "paid": True,
    },
    "business": {
        "per_second": {"light": 80, "medium": 60, "heavy": 40},
        "per_day": {"heavy": 60000},
        "roles_api": True,
        "paid": True,
    },
}
PLANS["enterprise"] = PLANS["business"]

DEFAULTS: dict[str, Any] = {
    "plan": "pro",  # free | pro | business | enterprise
    "scopes": list(DEFAULT_SCOPES),  # what new tokens are granted
    "legacy_tokens": False,  # a new grant revokes every older token (2022-era behaviour)
    "app_disabled": False,  # token endpoint answers invalid_client "The app has been disabled…"
    "rate_limits": True,  # enforce per-second/per-day label limits
    "rate_overrides": {},  # {"per_second": {"medium": 5}, "per_day": {"light": 100}}
    "meeting_daily_limit": 100,  # per host, create+update, UTC day
    "latency_ms": 0,
    "latency_jitter_ms": 0,
    "rate_429": 0.0,  # probability of a spurious per-second 429
    "rate_5xx": 0.0,  # probability of a server error (status from status_5xx)
    "rate_timeout": 0.0,  # probability of a timeout (see faults.py)
    "status_5xx": 500,
    "timeout_mode": "auto",  # auto | raise | sleep
    "timeout_sleep_s": 30.0,
    "fail_next": [],  # rules: see faults.FailRule
    "drop_next_write": [],  # rules: see faults.DropRule
    "fault_seed": 0,  # seeds every random draw made while serving (faults, new ids, tokens)
    "auto_start": True,  # a meeting inside its scheduled window counts as started
    "licenses": None,  # licence cap for PATCH type=2 (None = unlimited)
    "clock": {"mode": "real"},  # real | offset (+offset) | frozen (at)
    "webhook": None,  # {"url", "secret_token", "events": [..] | None}
}


@dataclass
class Knobs:
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        return DEFAULTS[name]

    def plan(self) -> dict[str, Any]:
        return PLANS.get(str(self["plan"]), PLANS["pro"])

    def limit(self, kind: str, label: str) -> int | None:
        """``kind`` is ``per_second`` or ``per_day``; ``label`` is light/medium/heavy."""
        override = (self["rate_overrides"] or {}).get(kind, {})
        if label in override:
            return override[label]
        return self.plan()[kind].get(label)

    def now(self) -> float:
        return clock_now(self["clock"])


def load(conn: sqlite3.Connection) -> Knobs:
    return Knobs(db.all_meta(conn))


def clock_now(clock: dict[str, Any]) -> float:
    """The simulated "now" as epoch seconds."""
    mode = clock.get("mode", "real")
    if mode == "frozen":
        return float(clock["at"])
    if mode == "offset":
        return time.time() + float(clock.get("offset", 0.0))
    return time.time()
