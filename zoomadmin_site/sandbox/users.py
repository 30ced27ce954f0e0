"""Users in the state file: lookup by id/email/``me``, creation, and the two JSON shapes Zoom returns.

- List items (``GET /users``) carry ``role_id`` but no ``role_name``; pending users have no ``id``.
- ``GET /users/{userId}`` adds ``role_name``, ``account_id`` and the profile fields (zoom-api.md §4).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from . import db
from .ids import iso, user_id_for

LICENSED = 2
BASIC = 1
SYSTEM_ROLES = {"0": "Owner", "1": "Admin", "2": "Member"}
PROFILE_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "display_name",
    "dept",
    "timezone",
    "language",
    "job_title",
)
PROFILE_FIELDS += ("location", "company")


def resolve(conn: sqlite3.Connection, value: str, api_user_id: str) -> sqlite3.Row | None:
    """``me`` → the API user; anything with ``@`` → email (case-insensitive); otherwise the user id."""
    if value == "me":
        value = api_user_id
    if "@" in value:
        return conn.execute("SELECT * FROM users WHERE email_lc = ?", (value.lower(),)).fetchone()
    return conn.execute("SELECT * FROM users WHERE id = ?", (value,)).fetchone()


def by_id(conn: sqlite3.Connection, user_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()


def role_name(conn: sqlite3.Connection, role_id: str) -> str:
    row = conn.execute("SELECT name FROM roles WHERE id = ?", (role_id,)).fetchone()
    return row[0] if row else SYSTEM_ROLES.get(role_id, "Member")


def display(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def insert(conn: sqlite3.Connection, *, email: str, now: float, pmi: int, **fields: Any) -> sqlite3.Row:
    """Insert one user; ``fields`` are column names (first_name, type, role_id, status, dept, …)."""
    first, last = fields.get("first_name", ""), fields.get("last_name", "")
    row: dict[str, Any] = {
        "id": fields.pop("id", None) or user_id_for(email),
        "email": email,
        "email_lc": email.lower(),
        "display_name": fields.pop("display_name", None) or display(first, last),
        "pmi": pmi,
        "created_ts": int(fields.pop("created_ts", now)),
        **fields,
    }
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO users ({columns}) VALUES ({marks})", tuple(row.values()))  # noqa: S608
    return conn.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()


def list_item(row: sqlite3.Row) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if row["status"] != "pending":
        item["id"] = row["id"]
    item.update(
        {
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "display_name": row["display_name"],
            "email": row["email"],
            "type": row["type"],
            "pmi": row["pmi"],
            "timezone": row["timezone"],
            "verified": row["verified"],
            "dept": row["dept"],
            "created_at": iso(row["created_ts"]),
            "user_created_at": iso(row["created_ts"]),
            "language": row["language"],
            "role_id": row["role_id"],
            "status": row["status"],
            "group_ids": [],
            "im_group_ids": [],
        }
    )
    if row["last_login_ts"] is not None:
        item["last_login_time"] = iso(row["last_login_ts"])
        item["last_client_version"] = row["last_client_version"] or "6.2.11.1234(win)"
    return item


def detail(conn: sqlite3.Connection, row: sqlite3.Row, account_id: str) -> dict[str, Any]:
    item = list_item(row)
    item["id"] = row["id"]
    item.pop("user_created_at", None)
    item.update(
        {
            "role_name": role_name(conn, row["role_id"]),
            "use_pmi": bool(row["use_pmi"]),
            "personal_meeting_url": f"https://example.zoom.us/j/{row['pmi']}",
            "account_id": account_id,
            "account_number": 10000000 + (sum(account_id.encode()) % 89999999),
            "cluster": "us06",
            "jid": f"{row['id'].lower()}@xmpp.zoom.us",
            "job_title": row["job_title"],
            "location": row["location"],
            "company": row["company"],
            "phone_numbers": [],
            "login_types": [100],
            "pic_url": "",
        }
    )
    item.update(db.loads(row["extra"], {}) or {})
    return item


def event_object(row: sqlite3.Row) -> dict[str, Any]:
    """The ``object`` of user.created / user.deactivated webhooks (zoom-api.md §10.4)."""
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "display_name": row["display_name"],
        "email": row["email"],
        "type": row["type"],
    }


def is_schedulable(row: sqlite3.Row | None) -> bool:
    """Active licensed users are the only ones who can be scheduled for or act as assistants."""
    return row is not None and row["status"] == "active" and row["type"] == LICENSED
