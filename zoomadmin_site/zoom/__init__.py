"""The only code that speaks HTTP to Zoom: typed results, one ZoomError family, shared token and
rate budget, retries, pagination. No ORM, no request objects.

    from zoomadmin_site.zoom import get_zoom_client, record_zoom_calls, zoom_priority, Priority

    client = get_zoom_client()
    with record_zoom_calls() as calls:
        meeting = client.get_meeting(meeting_id=97763643886)
"""

from __future__ import annotations

from .budget import Priority, current_priority, zoom_priority
from .client import ZoomClient
from .config import ZoomConfig
from .errors import (
    FieldError,
    ZoomAuthError,
    ZoomBadResponse,
    ZoomConnectionError,
    ZoomEndpointNotAvailable,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomRequestError,
    ZoomScopeError,
    ZoomServerError,
    ZoomTimeout,
)
from .factory import build_zoom_client, get_zoom_client, reset_zoom_clients
from .models import (
    AddedMembers,
    Assistant,
    CustomAttribute,
    Meeting,
    MeetingOccurrence,
    MeetingSettings,
    Page,
    Recurrence,
    Scheduler,
    ZoomRole,
    ZoomRoleMember,
    ZoomUser,
)
from .parsing import parse_datetime, parse_meeting_id
from .recorder import ZoomCall, record_zoom_calls
from .scopes import REQUIRED_SCOPES, ScopeRequirement, describe_missing_scopes, missing_scopes

__all__ = [
    "REQUIRED_SCOPES",
    "AddedMembers",
    "Assistant",
    "CustomAttribute",
    "FieldError",
    "Meeting",
    "MeetingOccurrence",
    "MeetingSettings",
    "Page",
    "Priority",
    "Recurrence",
    "Scheduler",
    "ScopeRequirement",
    "ZoomAuthError",
    "ZoomBadResponse",
    "ZoomCall",
    "ZoomClient",
    "ZoomConfig",
    "ZoomConnectionError",
    "ZoomEndpointNotAvailable",
    "ZoomError",
    "ZoomNotFound",
    "ZoomRateLimited",
    "ZoomRequestError",
    "ZoomRole",
    "ZoomRoleMember",
    "ZoomScopeError",
    "ZoomServerError",
    "ZoomTimeout",
    "ZoomUser",
    "build_zoom_client",
    "current_priority",
    "describe_missing_scopes",
    "get_zoom_client",
    "missing_scopes",
    "parse_datetime",
    "parse_meeting_id",
    "record_zoom_calls",
    "reset_zoom_clients",
    "zoom_priority",
]
