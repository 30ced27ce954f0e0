"""Meetings of the demo seed: the scenario meetings plus generated ones of every type.

Mix of generated meetings: ~77% scheduled (type 2, some on the host's PMI), 12% recurring with a fixed
time (type 8: daily, weekly or monthly, with occurrences), 8% recurring without a fixed time (type 3) and
3% instant (type 1); start times from 25 days ago to 60 days ahead, so some are over ("previous"), a few
are inside their window right now (started, by the clock) and most are upcoming. About 55% were created
by the API user with ``schedule_for`` (``assistant_id`` = API user), a few by one of the host's own
assistants, the rest under the host's path. ~8% have alternative hosts; ~15% a long agenda.
"""

from __future__ import annotations

import base64
import random
import sqlite3
from typing import Any, NamedTuple

from . import db, meetings, state
from .ids import user_id_for
from .scenarios import SCENARIO_MEETINGS
from .seed_data import (
    COMPANIES,
    DURATIONS,
    FIRST_NAMES,
    JOB_TITLES,
    LONG_AGENDA,
    PROJECTS,
    QUARTERS,
    TOPICS,
    TRAININGS,
)

DAY = 86400
CHUNK = 50_000
COLUMNS = (
    "id",
    "uuid",
    "host_id",
    "assistant_id",
    "topic",
    "type",
    "start_ts",
    "end_ts",
    "duration",
    "timezone",
    "agenda",
    "created_ts",
    "password",
    "use_pmi",
    "live_state",
    "recurrence",
    "settings",
)


class Person(NamedTuple):
    id: str
    email: str
    type: int
    status: str
    dept: str
    timezone: str
    pmi: int


def _finish(row: dict[str, Any]) -> tuple[Any, ...]:
    row["end_ts"] = meetings.end_ts(row)
    return tuple(row.get(name) for name in COLUMNS)


def _scenario_rows(rng: random.Random, now: float) -> list[tuple[Any, ...]]:
    rows = []
    for meeting_id, topic, host, path_user, meeting_type, offset, extra in SCENARIO_MEETINGS:
        start = int(now + offset) // 60 * 60 if offset is not None and meeting_type in (2, 8) else None
        row: dict[str, Any] = {
            "id": meeting_id,
            "uuid": base64.b64encode(rng.randbytes(16)).decode(),
            "host_id": user_id_for(host),
            "assistant_id": user_id_for(path_user) if path_user != host else None,
            "topic": topic,
            "type": meeting_type,
            "start_ts": start,
            "duration": extra.get("duration", 60),
            "timezone": "America/New_York",
            "agenda": "",
            "created_ts": int(now) - 3 * DAY,
            "password": f"{rng.randrange(10**6):06d}",
            "use_pmi": extra.get("use_pmi", 0),
            "live_state": extra.get("live_state"),
            "recurrence": db.dumps(extra["recurrence"]) if "recurrence" in extra else None,
            "settings": db.dumps(extra["settings"]) if "settings" in extra else None,
        }
        if start is not None:
            row["created_ts"] = min(row["created_ts"], start - DAY)
        rows.append(_finish(row))
    return rows


def _recurrence(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice((1, 2, 2, 2, 3))
    if kind == 1:
        return {"type": 1, "repeat_interval": 1, "end_times": rng.randint(5, 10)}
    if kind == 2:
        days = sorted(rng.sample(range(2, 7), k=rng.choice((1, 1, 2))))
        return {
            "type": 2,
            "repeat_interval": rng.choice((1, 1, 2)),
            "weekly_days": ",".join(map(str, days)),
            "end_times": rng.randint(4, 12),
        }
    return {
        "type": 3,
        "repeat_interval": 1,
        "monthly_day": rng.randint(1, 28),
        "end_times": rng.randint(3, 6),
    }


class _Words(dict[str, str]):
    """Fills only the placeholders a topic template uses (keeps seeding 1M meetings fast)."""

    def __init__(self, rng: random.Random, dept: str) -> None:
        super().__init__(dept=dept)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        choices = {
            "first": FIRST_NAMES,
            "other": FIRST_NAMES,
            "company": COMPANIES,
            "project": PROJECTS,
            "quarter": QUARTERS,
            "training": TRAININGS,
            "role": JOB_TITLES.get(self["dept"], ("Analyst",)),
        }
        return self.rng.choice(choices[key])


def _topic(rng: random.Random, dept: str) -> str:
    return rng.choice(TOPICS).format_map(_Words(rng, dept))


class _Generator:
    def __init__(
        self, rng: random.Random, people: list[Person], helpers: dict[str, list[str]], now: float
    ) -> None:
        self.rng, self.now, self.helpers = rng, int(now), helpers
        self.licensed = [p for p in people if p.type == 2]
        self.basic = [p for p in people if p.type != 2] or self.licensed
        self.by_dept: dict[str, list[str]] = {}
        for person in self.licensed:
            self.by_dept.setdefault(person.dept, []).append(person.email)

    def _schedule(self, meeting_type: int) -> tuple[int | None, int, str | None]:
        """(start_ts, created_ts, recurrence JSON) for a meeting type."""
        rng, now = self.rng, self.now
        if meeting_type in (1, 3):
            created = now - rng.randint(0, (10 if meeting_type == 1 else 200) * DAY)
            return None, created, db.dumps({"type": 1, "repeat_interval": 1}) if meeting_type == 3 else None
        span = (-40 * DAY, 30 * DAY) if meeting_type == 8 else (-25 * DAY, 60 * DAY)
        start = (now + rng.randint(*span)) // 900 * 900
        created = min(start, now) - rng.randint(DAY, 30 * DAY)
        return start, created, db.dumps(_recurrence(rng)) if meeting_type == 8 else None

    def _creator(self, host: Person) -> str | None:
        roll = self.rng.random()
        if host.type == 2 and roll < 0.55:
            return state.API_USER_ID
        if roll < 0.60 and self.helpers.get(host.id):
            return self.rng.choice(self.helpers[host.id])
        return None

    def row(self, meeting_id: int) -> tuple[Any, ...]:
        rng = self.rng
        host = rng.choice(self.licensed if rng.random() < 0.9 else self.basic)
        roll = rng.random()
        meeting_type = 1 if roll < 0.03 else 3 if roll < 0.11 else 8 if roll < 0.23 else 2
        start, created, recurrence = self._schedule(meeting_type)
        settings = None
        if rng.random() < 0.08 and len(self.by_dept.get(host.dept, ())) > 2:
            others = [e for e in rng.sample(self.by_dept[host.dept], k=2) if e != host.email]
            settings = db.dumps({"alternative_hosts": ";".join(others)}) if others else None
        agenda_roll = rng.random()
        row: dict[str, Any] = {
            "id": meeting_id,
            "uuid": base64.b64encode(rng.randbytes(16)).decode(),
            "host_id": host.id,
            "assistant_id": self._creator(host) if meeting_type != 1 else None,
            "topic": _topic(rng, host.dept),
            "type": meeting_type,
            "start_ts": start,
            "duration": rng.choice(DURATIONS),
            "timezone": host.timezone,
            "agenda": LONG_AGENDA if agenda_roll < 0.15 else "" if agenda_roll < 0.65 else "Weekly check-in.",
            "created_ts": created,
            "password": f"{rng.randrange(10**6):06d}",
            "use_pmi": int(meeting_type == 2 and rng.random() < 0.06),
            "live_state": None,
            "recurrence": recurrence,
            "settings": settings,
        }
        return _finish(row)


def _helpers(conn: sqlite3.Connection) -> dict[str, list[str]]:
    helpers: dict[str, list[str]] = {}
    rows = conn.execute(
        "SELECT host_id, assistant_id FROM assistants WHERE assistant_id != ?", (state.API_USER_ID,)
    )
    for host_id, assistant_id in rows:
        helpers.setdefault(host_id, []).append(assistant_id)
    return helpers


def insert_meetings(
    conn: sqlite3.Connection, rng: random.Random, people: list[Person], total: int, now: float
) -> int:
    rows = _scenario_rows(rng, now)
    used = {row[0] for row in rows}
    generator = _Generator(rng, people, _helpers(conn), now)
    sql = f"INSERT INTO meetings ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"  # noqa: S608
    for _ in range(max(0, total - len(rows))):
        meeting_id = rng.randrange(81_000_000_000, 99_999_999_999)
        while meeting_id in used:
            meeting_id = rng.randrange(81_000_000_000, 99_999_999_999)
        used.add(meeting_id)
        rows.append(generator.row(meeting_id))
        if len(rows) >= CHUNK:
            conn.executemany(sql, rows)
            rows = []
    conn.executemany(sql, rows)
    return conn.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
