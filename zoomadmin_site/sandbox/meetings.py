"""Meetings in the state file: lifecycle against the simulated clock and the JSON shapes Zoom returns.

Lifecycle [INF unless noted]:
- ``started``: forced with ``live_state='started'`` (``Sandbox.start_meeting``) or, while the ``auto_start``
  knob is on, while the clock is inside the scheduled window of a type 2 meeting or of a type 8 occurrence.
  ``live_state='waiting'`` / ``'ended'`` override the clock.
- ``ended`` (DELETE → 3007): forced, or the (last) scheduled window is over.
- expired (404/3001, left out of lists): type 2/8 thirty days after the last window, type 3 a year after
  creation, instant meetings thirty days after creation (Zoom: non-recurring meetings expire after 30 days).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from . import db
from .ids import iso
from .recurrence import occurrence_starts

EXPIRY_S = 30 * 86400
TYPE3_EXPIRY_S = 365 * 86400
LIST_AGENDA_CHARS = 250
DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "audio": "voip",
    "auto_recording": "none",
    "enforce_login": False,
    "enforce_login_domains": "",
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "registrants_confirmation_email": True,
    "waiting_room": True,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "encryption_type": "enhanced_encryption",
    "approved_or_denied_countries_or_regions": {"enable": False},
    "breakout_room": {"enable": False},
    "focus_mode": False,
    "private_meeting": False,
    "email_notification": True,
    "host_save_video_order": False,
    "alternative_host_update_polls": False,
}


def load(conn: sqlite3.Connection, meeting_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT m.*, u.email AS host_email, u.pmi AS host_pmi FROM meetings m "
        "LEFT JOIN users u ON u.id = m.host_id WHERE m.id = ?",
        (meeting_id,),
    ).fetchone()


def starts(row: sqlite3.Row | dict[str, Any]) -> list[int]:
    if row["type"] == 8 and row["start_ts"] is not None:
        return occurrence_starts(db.loads(row["recurrence"]), row["start_ts"], row["timezone"])
    if row["type"] == 2 and row["start_ts"] is not None:
        return [row["start_ts"]]
    return []


def end_ts(row: dict[str, Any]) -> int | None:
    """Where the last scheduled window ends (stored in ``meetings.end_ts`` on every write)."""
    all_starts = starts(row)
    return all_starts[-1] + int(row["duration"]) * 60 if all_starts else None


def is_live(row: sqlite3.Row, now: float, auto_start: bool = True) -> bool:
    state = row["live_state"]
    if state:
        return state == "started"
    if not auto_start or row["type"] not in (2, 8) or row["start_ts"] is None:
        return False
    if row["start_ts"] > now or (row["end_ts"] is not None and row["end_ts"] <= now):
        return False
    span = int(row["duration"]) * 60
    return any(start <= now < start + span for start in starts(row))


def has_ended(row: sqlite3.Row, now: float, auto_start: bool = True) -> bool:
    if row["live_state"]:
        return row["live_state"] == "ended"
    return row["end_ts"] is not None and row["end_ts"] <= now and not is_live(row, now, auto_start)


def is_expired(row: sqlite3.Row, now: float) -> bool:
    if row["live_state"] == "started" or row["use_pmi"]:
        return False
    if row["type"] in (2, 8) and row["end_ts"] is not None:
        return row["end_ts"] + EXPIRY_S < now
    limit = TYPE3_EXPIRY_S if row["type"] == 3 else EXPIRY_S
    return row["created_ts"] + limit < now


def settings(row: sqlite3.Row) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(db.loads(row["settings"], {}) or {}), "use_pmi": bool(row["use_pmi"])}


def _secret(row: sqlite3.Row, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{row['id']}:{row['password']}".encode()).hexdigest()


def urls(row: sqlite3.Row) -> dict[str, str]:
    number = row["host_pmi"] if row["use_pmi"] else row["id"]
    return {
        "join_url": f"https://example.zoom.us/j/{number}?pwd={_secret(row, 'pwd')[:32]}",
        "start_url": f"https://example.zoom.us/s/{number}?zak={_secret(row, 'zak')[:64]}",
    }


def _occurrences(row: sqlite3.Row, now: float, show_previous: bool) -> list[dict[str, Any]]:
    span = int(row["duration"]) * 60
    return [
        {
            "occurrence_id": str(start * 1000),
            "start_time": iso(start),
            "duration": row["duration"],
            "status": "available",
        }
        for start in starts(row)
        if show_previous or start + span > now
    ]


def next_start(row: sqlite3.Row, now: float) -> int | None:
    """The start shown for the meeting: the upcoming (or current) occurrence, else the last one."""
    all_starts = starts(row)
    span = int(row["duration"]) * 60
    upcoming = [start for start in all_starts if start + span > now]
    candidates = upcoming or all_starts
    return candidates[0] if candidates else None


def _common(row: sqlite3.Row, now: float) -> dict[str, Any]:
    item: dict[str, Any] = {"uuid": row["uuid"], "id": row["id"], "host_id": row["host_id"]}
    item.update({"topic": row["topic"], "type": row["type"]})
    start = next_start(row, now)
    if start is not None:
        item["start_time"] = iso(start)
    item.update({"duration": row["duration"], "timezone": row["timezone"], "agenda": row["agenda"]})
    item["created_at"] = iso(row["created_ts"])
    return item


def list_item(row: sqlite3.Row, now: float) -> dict[str, Any]:
    item = _common(row, now)
    item["agenda"] = row["agenda"][:LIST_AGENDA_CHARS]
    item["join_url"] = urls(row)["join_url"]
    if row["use_pmi"]:
        item["pmi"] = str(row["host_pmi"])
    return item


def detail(row: sqlite3.Row, now: float, *, live: bool, show_previous: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if row["assistant_id"]:
        item["assistant_id"] = row["assistant_id"]
    item["host_email"] = row["host_email"]
    item.update(_common(row, now))
    item["status"] = "started" if live else "waiting"
    item.update(urls(row))
    digits = str(int(_secret(row, "h323")[:12], 16))[:6]
    item.update({"password": row["password"], "h323_password": digits, "pstn_password": digits})
    item.update({"encrypted_password": _secret(row, "enc")[:32], "pre_schedule": False})
    if row["use_pmi"]:
        item["pmi"] = str(row["host_pmi"])
    if row["type"] == 8:
        item["occurrences"] = _occurrences(row, now, show_previous)
    if row["type"] in (3, 8) and row["recurrence"]:
        item["recurrence"] = db.loads(row["recurrence"])
    item["settings"] = settings(row)
    extra = db.loads(row["extra"], {}) or {}
    if extra.get("tracking_fields"):
        item["tracking_fields"] = extra["tracking_fields"]
    item["pre_schedule"] = bool(extra.get("pre_schedule", False))
    return item


def created(row: sqlite3.Row, now: float) -> dict[str, Any]:
    """201 body of ``POST /users/{userId}/meetings`` (``pmi`` is an integer in that schema)."""
    item = detail(row, now, live=False, show_previous=True)
    item.pop("status", None)
    if row["use_pmi"]:
        item["pmi"] = int(row["host_pmi"])
    return item


def event_object(row: sqlite3.Row, now: float) -> dict[str, Any]:
    """``object`` of meeting.created / meeting.deleted webhooks (zoom-api.md §10.4)."""
    item = _common(row, now)
    item.pop("created_at", None)
    item.update({"join_url": urls(row)["join_url"], "password": row["password"]})
    if row["use_pmi"]:
        item["pmi"] = str(row["host_pmi"])
    if row["type"] == 8:
        item["occurrences"] = _occurrences(row, now, True)
    current = settings(row)
    item["settings"] = {"use_pmi": current["use_pmi"], "alternative_hosts": current["alternative_hosts"]}
    return item
