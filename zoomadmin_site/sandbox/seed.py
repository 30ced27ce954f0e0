"""The demo seed: a deterministic, realistic account (default 300 users, 3000 meetings) with every
scenario of ``scenarios.SCENARIOS``. Scales to 100k users / 1M meetings: rows are generated in Python and
written with ``executemany`` in one transaction, ``synchronous=OFF``, secondary indexes built at the end.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from dataclasses import dataclass

from . import db, knobs, ratelimit, state
from .context import Ctx
from .ids import pmi_from_int, user_id_for
from .scenarios import (
    HELP_DESK_PRIVILEGES,
    HELP_DESK_ROLE_ID,
    QUOTA_EXHAUSTED,
    SCENARIO_ASSISTANTS,
    SCENARIO_USERS,
)
from .seed_data import DEPARTMENTS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, LOCATIONS, TIMEZONES
from .seed_meetings import Person, insert_meetings

DAY = 86400
CHUNK = 50_000
USER_COLUMNS = (
    "id",
    "email",
    "email_lc",
    "first_name",
    "last_name",
    "display_name",
    "type",
    "role_id",
    "status",
    "dept",
    "pmi",
    "timezone",
    "verified",
    "created_ts",
    "last_login_ts",
    "last_client_version",
    "job_title",
    "location",
)


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class SeedReport:
    users: int
    meetings: int
    assistants: int
    seconds: float


def _user_row(rng: random.Random, now: float, email: str, first: str, last: str, dept: str) -> list[object]:
    created = int(now) - rng.randint(30, 5 * 365) * DAY
    tz = rng.choice(TIMEZONES)
    return [
        user_id_for(email),
        email,
        email.lower(),
        first,
        last,
        f"{first} {last}",
        2,
        "2",
        "active",
        dept,
        pmi_from_int(rng.getrandbits(40)),
        tz,
        1,
        created,
        int(now) - rng.randint(0, 30 * DAY),
        rng.choice(("6.2.11.1234(win)", "6.1.5.4870(mac)", "6.0.12.2341(android)")),
        rng.choice(JOB_TITLES[dept]),
        rng.choice(LOCATIONS),
    ]


def _unique_email(rng: random.Random, seen: dict[str, int], taken: set[str]) -> tuple[str, str, str]:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower()
        seen[base] = seen.get(base, 0) + 1
        email = f"{base}@example.com" if seen[base] == 1 else f"{base}{seen[base]}@example.com"
        if email not in taken:
            return email, first, last


def _generated_users(rng: random.Random, count: int, now: float) -> list[list[object]]:
    """Generated users: ~88% active, 7% inactive, 5% pending; 80% licensed; ~1% Admin, ~2% Help Desk."""
    taken = {email for email, *_ in SCENARIO_USERS} | {state.OWNER_EMAIL, state.API_USER_EMAIL}
    seen: dict[str, int] = {}
    departments = rng.choices([d for d, _ in DEPARTMENTS], [w for _, w in DEPARTMENTS], k=count)
    rows = []
    for dept in departments:
        email, first, last = _unique_email(rng, seen, taken)
        row = _user_row(rng, now, email, first, last, dept)
        roll = rng.random()
        row[8] = "pending" if roll < 0.05 else "inactive" if roll < 0.12 else "active"
        row[6] = 2 if rng.random() < 0.8 else 1
        role_roll = rng.random()
        if row[8] != "pending":
            row[7] = "1" if role_roll < 0.01 else HELP_DESK_ROLE_ID if role_roll < 0.03 else "2"
        else:
            row[14] = None
        rows.append(row)
    return rows


def _insert_users(conn: sqlite3.Connection, rng: random.Random, total: int, now: float) -> list[Person]:
    conn.execute(
        "INSERT OR REPLACE INTO roles(id, name, description, privileges, sort) VALUES (?, ?, ?, ?, 10)",
        (
            HELP_DESK_ROLE_ID,
            "Help Desk",
            "Help desk staff: read and edit users and meetings.",
            db.dumps(HELP_DESK_PRIVILEGES),
        ),
    )
    rows = []
    for email, first, last, dept, user_type, role_id, status in SCENARIO_USERS:
        row = _user_row(rng, now, email, first, last, dept)
        row[6], row[7], row[8] = user_type, role_id, status
        row[14] = None if status == "pending" else row[14]
        rows.append(row)
    rows += _generated_users(rng, max(0, total - 2 - len(SCENARIO_USERS)), now)
    sql = f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES ({', '.join('?' for _ in USER_COLUMNS)})"  # noqa: S608
    for start in range(0, len(rows), CHUNK):
        conn.executemany(sql, rows[start : start + CHUNK])
    people = conn.execute(
        "SELECT id, email, type, status, dept, timezone, pmi FROM users WHERE status = 'active'"
    )
    return [Person(*row) for row in people]


def _insert_assistants(conn: sqlite3.Connection, rng: random.Random, people: list[Person], now: float) -> int:
    licensed = [p for p in people if p.type == 2]
    scenario = {email for email, *_ in SCENARIO_USERS}
    pairs = {(p.id, state.API_USER_ID) for p in licensed if p.id != state.API_USER_ID}
    pairs |= {(user_id_for(host), user_id_for(assistant)) for host, assistant in SCENARIO_ASSISTANTS}
    by_dept: dict[str, list[Person]] = {}
    for person in licensed:
        if person.email not in scenario and person.id != state.API_USER_ID:
            by_dept.setdefault(person.dept, []).append(person)
    for group in by_dept.values():
        for host in group:
            if len(group) > 1 and rng.random() < 0.08:
                for assistant in rng.sample(group, k=min(2, len(group))):
                    if assistant.id != host.id:
                        pairs.add((host.id, assistant.id))
    rows = [(host, assistant, 0, int(now) - rng.randint(DAY, 400 * DAY)) for host, assistant in sorted(pairs)]
    for start in range(0, len(rows), CHUNK):
        conn.executemany("INSERT OR IGNORE INTO assistants VALUES (?, ?, ?, ?)", rows[start : start + CHUNK])
    return len(rows)


def _exhaust_quota(conn: sqlite3.Connection, current: knobs.Knobs, now: float) -> None:
    ctx = Ctx(conn=conn, knobs=current, now=now, method="SEED", path="", query={})
    ratelimit.set_meeting_usage(ctx, user_id_for(QUOTA_EXHAUSTED), int(current["meeting_daily_limit"]))


def _bulk(conn: sqlite3.Connection, begin: bool, big: bool = False) -> None:
    if begin:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
        for name in db.BULK_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        return
    for name in db.BULK_INDEXES:
        conn.execute(db.INDEXES[name])
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA optimize")
    if big:  # fold the large WAL back into the database file right away
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def seed_demo(
    state_path: str | os.PathLike[str],
    *,
    users: int = 300,
    meetings: int = 3000,
    seed: int = 42,
    reset: bool = True,
) -> SeedReport:
    """Fill the state with the demo account, relative to the simulated clock. ``reset`` first forgets
    the data but keeps the knobs (clock, faults, scopes, plan, webhook); without it an already seeded
    state is refused."""
    started = time.perf_counter()
    path = os.fspath(state_path)
    if reset:
        state.reset(path, keep_knobs=True)
    else:
        state.ensure(path)
    rng = random.Random(seed)
    with db.opened(path) as conn:
        if conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 2:
            raise SeedError("The sandbox state is already seeded; reset it first (seed --reset).")
        current = knobs.load(conn)
        now = current.now()
        _bulk(conn, begin=True)
        with db.write_txn(conn):
            people = _insert_users(conn, rng, users, now)
            assistants = _insert_assistants(conn, rng, people, now)
            meeting_count = insert_meetings(conn, rng, people, meetings, now)
            _exhaust_quota(conn, current, now)
        _bulk(conn, begin=False, big=users + meetings > 50_000)
        user_count = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    return SeedReport(user_count, meeting_count, assistants, round(time.perf_counter() - started, 2))
