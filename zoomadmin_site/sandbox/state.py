"""Creating and resetting a state file: schema, system roles, the account owner and the API user.

Even an unseeded state is a working account: roles "0"/"1"/"2", an owner, and the S2S app's creator —
the API user that ``me`` resolves to, a licensed Admin.
"""

from __future__ import annotations

import os
import sqlite3
import time

from . import db, users
from .ids import pmi_from_int, user_id_for

OWNER_EMAIL = "owner@example.com"
API_USER_EMAIL = "zoom-api@example.com"
API_USER_ID = user_id_for(API_USER_EMAIL)
OWNER_ID = user_id_for(OWNER_EMAIL)
DEFAULT_ACCOUNT_ID = "sandbox"

ALL_PRIVILEGES = [
    "User:Read",
    "User:Edit",
    "User:Delete",
    "Group:Read",
    "Group:Edit",
    "Role:Read",
    "Role:Edit",
    "Meeting:Read",
    "Meeting:Edit",
    "Recording:Read",
    "Recording:Edit",
    "Report:Read",
    "Account:Read",
    "Account:Edit",
    "Billing:Read",
    "Billing:Edit",
    "ZoomRooms:Read",
    "ZoomRooms:Edit",
]
SYSTEM_ROLES: tuple[tuple[str, str, str, list[str], int], ...] = (
    (
        "0",
        "Owner",
        "Account owner has full privileges to access and manage a Zoom account.",
        ALL_PRIVILEGES,
        0,
    ),
    (
        "1",
        "Admin",
        "Admins have wide range privileges to access and manage a Zoom account.",
        [p for p in ALL_PRIVILEGES if not p.startswith("Billing:Edit")],
        1,
    ),
    (
        "2",
        "Member",
        "Members have access to basic Zoom video meeting functions but no account management privileges.",
        [],
        2,
    ),
)


def ensure(path: str | os.PathLike[str], *, account_id: str | None = None) -> None:
    """Create the schema and the base account if missing. ``account_id`` names the account only when
    the state has none yet: the served sandbox and every in-process app open the same file, each with
    its own credentials, and the account must not flip between them (the ids they report, the
    ``account_id`` of webhook payloads)."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    os.makedirs(folder, exist_ok=True)
    with db.opened(path) as conn:
        db.create_schema(conn)
        with db.write_txn(conn):
            if db.get_meta(conn, "schema_version") is None:
                _base_account(conn, time.time())
            if db.get_meta(conn, "schema_version") != db.SCHEMA_VERSION:
                db.set_meta(conn, "schema_version", db.SCHEMA_VERSION)
            if db.get_meta(conn, "account_id") is None:
                db.set_meta(conn, "account_id", account_id or DEFAULT_ACCOUNT_ID)


def _base_account(conn: sqlite3.Connection, now: float) -> None:
    for role_id, name, description, privileges, sort in SYSTEM_ROLES:
        conn.execute(
            "INSERT OR IGNORE INTO roles(id, name, description, privileges, sort) VALUES (?, ?, ?, ?, ?)",
            (role_id, name, description, db.dumps(privileges), sort),
        )
    created = int(now) - 3 * 365 * 86400
    if users.by_id(conn, OWNER_ID) is None:
        users.insert(
            conn,
            email=OWNER_EMAIL,
            now=now,
            pmi=pmi_from_int(101),
            first_name="Morgan",
            last_name="Reyes",
            type=users.LICENSED,
            role_id="0",
            dept="Executive",
            created_ts=created,
            last_login_ts=created,
        )
    if users.by_id(conn, API_USER_ID) is None:
        users.insert(
            conn,
            email=API_USER_EMAIL,
            now=now,
            pmi=pmi_from_int(202),
            first_name="Zoom API",
            last_name="Service",
            type=users.LICENSED,
            role_id="1",
            dept="IT",
            created_ts=created + 86400,
        )
    db.set_meta(conn, "api_user_id", API_USER_ID)


def reset(path: str | os.PathLike[str], *, keep_knobs: bool = False) -> None:
    """Forget the data (users, meetings, roles, tokens, counters, call log, webhook outbox) and start from
    the base account. Knobs (clock, faults, scopes, plan, webhook subscription) go too unless
    ``keep_knobs``."""
    from .knobs import DEFAULTS

    with db.opened(path) as conn:
        saved = db.all_meta(conn) if _has_meta(conn) else {}
        with db.write_txn(conn):
            db.drop_all(conn)
    ensure(path, account_id=saved.get("account_id", DEFAULT_ACCOUNT_ID))
    kept = {name: value for name, value in saved.items() if name in DEFAULTS} if keep_knobs else {}
    if kept:
        with db.opened(path) as conn, db.write_txn(conn):
            for name, value in kept.items():
                db.set_meta(conn, name, value)


def _has_meta(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None
