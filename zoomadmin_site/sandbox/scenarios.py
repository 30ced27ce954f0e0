"""Named scenarios in the demo seed, with stable identifiers for tests and the demo.

``SCENARIOS`` is the public index (plain dicts). Emails, user ids, meeting ids and topics do not depend on
the seed value or the seed size. Meeting start times are relative to the simulated clock at seeding time.

The two forum threads in ``../shared/seeds`` are reproduced exactly:

- ``transfer_blocked``: created as ``POST /users/{old_host}/meetings`` (no ``assistant_id``); the API user
  is an assistant of both hosts, the old host is not an assistant of the new host →
  ``PATCH /meetings/{id} {"schedule_for": new_host}`` answers 400/3000.
- ``transfer_works``: same hosts, created as ``POST /users/me/meetings {"schedule_for": old_host}`` by the
  API user (assistant to everyone) → the same PATCH answers 204.
- ``promote_member``: a Member; ``PATCH /users/{id} {"role_name": "Admin"}`` → 204 and no change;
  ``POST /roles/1/members`` promotes; ``POST /v2/v2/roles/1/members`` → 404/2300.
"""

from __future__ import annotations

from typing import Any

from .ids import user_id_for
from .state import API_USER_EMAIL, API_USER_ID, OWNER_EMAIL, OWNER_ID

HELP_DESK_ROLE_ID = "hDk7QmZ3TKe0cW2pRjv1Xw"
HELP_DESK_PRIVILEGES = ["User:Read", "User:Edit", "Meeting:Read", "Meeting:Edit", "Report:Read"]
DAY = 86400

# email, first, last, dept, type, role_id, status
SCENARIO_USERS: tuple[tuple[str, str, str, str, int, str, str], ...] = (
    ("dana.whitfield@example.com", "Dana", "Whitfield", "Sales", 2, "2", "active"),
    ("marcus.okafor@example.com", "Marcus", "Okafor", "Sales", 2, "2", "active"),
    ("elena.novak@example.com", "Elena", "Novak", "Customer Success", 2, "2", "active"),
    ("priya.raman@example.com", "Priya", "Raman", "Support", 2, "2", "active"),
    ("nora.haddad@example.com", "Nora", "Haddad", "IT", 2, "1", "active"),
    ("ben.carter@example.com", "Ben", "Carter", "IT", 2, HELP_DESK_ROLE_ID, "active"),
    ("sam.oduya@example.com", "Sam", "Oduya", "Marketing", 2, "2", "active"),
    ("tom.fischer@example.com", "Tom", "Fischer", "Operations", 1, "2", "active"),
    ("grace.lindqvist@example.com", "Grace", "Lindqvist", "Finance", 2, "2", "inactive"),
    ("olivia.grant@example.com", "Olivia", "Grant", "HR", 2, "2", "pending"),
)
OLD_HOST, NEW_HOST, HOST_ASSISTANT = (row[0] for row in SCENARIO_USERS[:3])
# (host, assistant): host granted scheduling privilege to assistant. The API user is added to every
# licensed active user separately. Dana is deliberately NOT an assistant of Marcus.
SCENARIO_ASSISTANTS = ((NEW_HOST, HOST_ASSISTANT),)

# id, topic, host, path user (who called POST /users/{path}/meetings), type, start offset s, extra
SCENARIO_MEETINGS: tuple[tuple[int, str, str, str, int, int | None, dict[str, Any]], ...] = (
    (85010000001, "Q3 Pipeline Review - West Region", OLD_HOST, OLD_HOST, 2, 3 * DAY, {}),
    (85010000002, "Q3 Pipeline Review - East Region", OLD_HOST, API_USER_EMAIL, 2, 4 * DAY, {}),
    (85010000003, "Partner Enablement Workshop", HOST_ASSISTANT, HOST_ASSISTANT, 2, 5 * DAY, {}),
    (
        85010000004,
        "All-Hands Live Broadcast",
        "sam.oduya@example.com",
        API_USER_EMAIL,
        2,
        -20 * 60,
        {"live_state": "started", "duration": 90},
    ),
    (
        85010000005,
        "Support Office Hours (PMI)",
        "priya.raman@example.com",
        "priya.raman@example.com",
        2,
        2 * DAY,
        {"use_pmi": 1},
    ),
    (
        85010000006,
        "Quick sync (instant)",
        "marcus.okafor@example.com",
        "marcus.okafor@example.com",
        1,
        None,
        {},
    ),
    (
        85010000007,
        "Weekly Support Standup",
        "priya.raman@example.com",
        API_USER_EMAIL,
        8,
        -7 * DAY,
        {"recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "2,4,6", "end_times": 12}},
    ),
    (
        85010000008,
        "Incident Bridge (no fixed time)",
        "nora.haddad@example.com",
        "nora.haddad@example.com",
        3,
        None,
        {},
    ),
    (
        85010000009,
        "Board Prep - Finance",
        "dana.whitfield@example.com",
        API_USER_EMAIL,
        2,
        6 * DAY,
        {"settings": {"alternative_hosts": "marcus.okafor@example.com;elena.novak@example.com"}},
    ),
    (85010000010, "Kickoff Retrospective", "marcus.okafor@example.com", API_USER_EMAIL, 2, -2 * DAY, {}),
)
QUOTA_EXHAUSTED = "sam.oduya@example.com"


def _user(email: str, **extra: Any) -> dict[str, Any]:
    return {"email": email, "id": user_id_for(email), **extra}


def _meeting(index: int, **extra: Any) -> dict[str, Any]:
    meeting_id, topic, host, path_user, meeting_type, _, _ = SCENARIO_MEETINGS[index]
    return {
        "meeting_id": meeting_id,
        "topic": topic,
        "host_email": host,
        "created_under": path_user,
        "type": meeting_type,
        **extra,
    }


SCENARIOS: dict[str, dict[str, Any]] = {
    "api_user": _user(API_USER_EMAIL, role_id="1", note="`me`; assistant of every licensed active user"),
    "owner": _user(OWNER_EMAIL, role_id="0"),
    "old_host": _user(OLD_HOST, note="not an assistant of new_host"),
    "new_host": _user(NEW_HOST),
    "host_assistant": _user(HOST_ASSISTANT, note="assistant of new_host"),
    "transfer_blocked": _meeting(
        0, new_host_email=NEW_HOST, expect="PATCH schedule_for new_host -> 400/3000"
    ),
    "transfer_works": _meeting(1, new_host_email=NEW_HOST, expect="PATCH schedule_for new_host -> 204"),
    "transfer_via_host_assistant": _meeting(2, new_host_email=NEW_HOST, expect="-> 204 (host is assistant)"),
    "started_meeting": _meeting(3, expect="status started; PATCH -> 3000, DELETE -> 3002"),
    "pmi_meeting": _meeting(4, expect="uses the host's PMI; DELETE -> 3018"),
    "instant_meeting": _meeting(5, expect="type 1; PATCH schedule_for -> 3000; not listed"),
    "recurring_meeting": _meeting(6, expect="type 8 with occurrences"),
    "recurring_no_fixed_time": _meeting(7, expect="type 3"),
    "alternative_hosts_meeting": _meeting(
        8, alternative_hosts="marcus.okafor@example.com;elena.novak@example.com"
    ),
    "ended_meeting": _meeting(9, expect="previous_meetings; DELETE -> 3007"),
    "promote_member": _user("priya.raman@example.com", role_id="2", target_role_id="1"),
    "admin": _user("nora.haddad@example.com", role_id="1", note="cannot be deactivated (400/200)"),
    "help_desk_role": {
        "id": HELP_DESK_ROLE_ID,
        "name": "Help Desk",
        "member_email": "ben.carter@example.com",
    },
    "quota_exhausted": _user(QUOTA_EXHAUSTED, note="100 meeting create/update requests used today (UTC)"),
    "basic_user": _user("tom.fischer@example.com", type=1),
    "inactive_user": _user("grace.lindqvist@example.com", status="inactive"),
    "pending_user": _user("olivia.grant@example.com", status="pending"),
}
SCENARIOS["api_user"]["id"] = API_USER_ID
SCENARIOS["owner"]["id"] = OWNER_ID
