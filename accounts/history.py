"""The audit log's history of a mirrored object, for the detail pages."""

from __future__ import annotations

from typing import Any


def audit_history_for_target(*, target_type: str, target_id: str, limit: int = 20) -> list[Any] | None:
    """The audit log's events about this target, newest first; None while the audit log is unavailable."""
    try:
        from zoomadmin_site.audit.selectors import audit_events_for_target
    except ImportError:
        return None
    return list(audit_events_for_target(target_type=target_type, target_id=target_id, limit=limit))
