"""Which Zoom calls were made, for audit events.

    with record_zoom_calls() as calls:
        client.update_meeting(meeting_id=..., schedule_for=...)
    audit_event(..., zoom_calls=[call.to_dict() for call in calls])

The recorder lives in a context variable, so it collects the calls of this thread/task only, including
calls that ended in an error (the list is filled before the exception propagates).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ZoomCall:
    """One HTTP exchange with Zoom (each retry is its own call). No tokens, no secrets, no bodies."""

    method: str
    path: str
    status: int | None
    code: int | None = None
    message: str = ""
    tracking_id: str = ""
    elapsed_ms: int = 0
    attempt: int = 1
    operation: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_recorders: ContextVar[tuple[list[ZoomCall], ...]] = ContextVar("zoom_call_recorders", default=())


@contextmanager
def record_zoom_calls() -> Iterator[list[ZoomCall]]:
    """Collect every Zoom call made inside the block (nested blocks each get their own list)."""
    calls: list[ZoomCall] = []
    token = _recorders.set((*_recorders.get(), calls))
    try:
        yield calls
    finally:
        _recorders.reset(token)


def record(call: ZoomCall) -> None:
    for calls in _recorders.get():
        calls.append(call)
