"""Identifiers and time formats shaped like Zoom's, and the sandbox's reproducible randomness.

Zoom shapes (zoom-api.md §3, §4, §6): user ids are 22-character base64url strings; meeting ids are int64
numbers (11 digits here); meeting UUIDs are 24-character standard base64 (may contain ``/``, ``+``, ``=``);
PMIs are 10 digits; times are ``yyyy-MM-ddTHH:mm:ssZ``.

Randomness: every random draw made while serving requests comes from ``sha256(seed:counter)`` with the
counter kept in the state file, so a run with the same ``fault_seed`` and the same calls in the same order
gives the same ids and the same injected faults, whichever process serves each call.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from datetime import UTC, datetime

from . import db


def user_id_for(email: str) -> str:
    """Stable id derived from the email, so seeded ids do not depend on the seed or the row order."""
    digest = hashlib.sha256(("zoom-sandbox-user:" + email.lower()).encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def uuid_from_bytes(raw: bytes) -> str:
    return base64.b64encode(raw[:16]).decode()


def meeting_id_from_int(value: int) -> int:
    return 80_000_000_000 + value % 19_999_999_999


def pmi_from_int(value: int) -> int:
    return 2_000_000_000 + value % 7_999_999_999


def iso(ts: float | int | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def next_midnight_iso(ts: float) -> str:
    day = datetime.fromtimestamp(ts, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return iso(day.timestamp() + 86400) or ""


def parse_time(value: str, timezone: str | None = None) -> float | None:
    """``2022-03-25T07:29:29Z`` (UTC) or local ``2022-03-25T07:29:29`` in ``timezone``; None if malformed."""
    from zoneinfo import ZoneInfo

    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        try:
            zone = ZoneInfo(timezone) if timezone else UTC
        except (KeyError, ValueError):
            zone = UTC
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


class Draw:
    """Reproducible random numbers drawn from the state file's seed and counter."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._seed: int | None = None

    def raw(self) -> bytes:
        if self._seed is None:
            self._seed = int(db.get_meta(self.conn, "fault_seed", 0) or 0)
        n = db.next_counter(self.conn, "rng")
        return hashlib.sha256(f"{self._seed}:{n}".encode()).digest()

    def random(self) -> float:
        return int.from_bytes(self.raw()[:8], "big") / 2**64

    def integer(self) -> int:
        return int.from_bytes(self.raw()[:8], "big")

    def token(self, length: int = 32) -> str:
        text = base64.urlsafe_b64encode(self.raw() + self.raw()).decode().replace("-", "").replace("_", "")
        return text[:length]
