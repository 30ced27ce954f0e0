"""The audit log's history of a mirrored object, for the detail pages."""

from __future__ import annotations

from typing import Any

from zoomadmin_site.audit.selectors import audit_events_for_target


def audit_history_for_target(*, target_type: str, target_id: str, limit: int = 20) -> list[Any]:
    """The audit log's events about this target ("zoom_user" + Zoom user id, or the email of a pending
    user; "zoom_meeting" + meeting id), newest first."""
    return list(audit_events_for_target(target_type=target_type, target_id=target_id, limit=limit))
