"""``schedule_for``: who may create a meeting for whom, and who may move a meeting to a new host.

Create (zoom-api.md §6.3): the path user P may schedule for target T when P is T or P is one of T's
assistants. The meeting's host is T; ``assistant_id`` records P when P scheduled for someone else.

Update — the scheduler-of-record rule (zoom-api.md §1.3, from the "Changing meeting hosts" forum thread):
S = the meeting's ``assistant_id`` if it was created with ``schedule_for``, otherwise its host. A PATCH
``{"schedule_for": N}`` succeeds only if S is N, or S is an assistant of N (N is in S's schedulers), and N
is an active licensed user of the account. Who calls PATCH does not matter: being an assistant of both
hosts is not enough when the meeting was created under the old host's path.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from . import users
from .assistants_api import is_assistant
from .context import Ctx
from .errors import (
    CANNOT_SCHEDULE_FOR,
    INSTANT_SCHEDULE_FOR,
    INVALID_SCHEDULE_FOR,
    ZoomError,
)

_PLAUSIBLE = re.compile(r"^[^\s;,]{1,128}$")


def _target(ctx: Ctx, value: Any) -> tuple[str, sqlite3.Row | None]:
    """(value as passed, user or None). A value that is not a plausible id/email answers 400/300."""
    if not isinstance(value, str) or not _PLAUSIBLE.match(value.strip()):
        raise ZoomError(400, 300, INVALID_SCHEDULE_FOR)
    text = value.strip()
    return text, users.resolve(ctx.conn, text, ctx.api_user_id)


def for_create(
    ctx: Ctx, path_user: sqlite3.Row, value: Any, meeting_type: int
) -> tuple[sqlite3.Row, str | None]:
    """(host row, assistant_id or None) for a create call with ``schedule_for``."""
    if meeting_type == 1:
        raise ZoomError(400, 3000, INSTANT_SCHEDULE_FOR)
    text, target = _target(ctx, value)
    if target is None or not users.is_schedulable(target):
        raise ZoomError(400, 3000, CANNOT_SCHEDULE_FOR.format(value=text))
    if target["id"] == path_user["id"]:
        return target, None
    if not is_assistant(ctx.conn, host_id=target["id"], assistant_id=path_user["id"]):
        raise ZoomError(400, 3000, CANNOT_SCHEDULE_FOR.format(value=text))
    return target, path_user["id"]


def scheduler_of_record(meeting: sqlite3.Row) -> str:
    return str(meeting["assistant_id"] or meeting["host_id"])


def for_update(ctx: Ctx, meeting: sqlite3.Row, value: Any) -> tuple[sqlite3.Row, str | None]:
    """(new host row, new assistant_id) for ``PATCH /meetings/{id}`` with ``schedule_for``.

    After a move the scheduler of record is kept: ``assistant_id`` stays S unless S is the new host [INF].
    """
    if meeting["type"] == 1:
        raise ZoomError(400, 3000, INSTANT_SCHEDULE_FOR)
    text, target = _target(ctx, value)
    if target is None or not users.is_schedulable(target):
        raise ZoomError(400, 3000, CANNOT_SCHEDULE_FOR.format(value=text))
    scheduler = scheduler_of_record(meeting)
    if scheduler != target["id"] and not is_assistant(ctx.conn, host_id=target["id"], assistant_id=scheduler):
        raise ZoomError(400, 3000, CANNOT_SCHEDULE_FOR.format(value=text))
    return target, (None if scheduler == target["id"] else scheduler)
