"""The one family of errors the Zoom client raises.

Every error carries what an IT admin needs (``explanation`` and ``remedy`` in plain words) and what the
audit log needs (``to_dict()``: HTTP status, Zoom code and message, tracking id, method and path, never a
token or a secret). ``catalogue.py`` decides which class and words fit a given Zoom answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One entry of ``errors[]`` in a Zoom validation error (code 300)."""

    field: str
    message: str


class ZoomError(Exception):
    """Base class. ``retryable``: the failure is transient, a later identical attempt may succeed.
    ``outcome_unknown``: a write that may or may not have been applied by Zoom; read Zoom's state before
    trying again. ``reason`` is a stable slug (``"cannot_schedule_for"``) for code to branch on."""

    default_reason = "zoom_error"

    def __init__(
        self,
        explanation: str,
        *,
        remedy: str = "",
        reason: str = "",
        status: int | None = None,
        code: int | None = None,
        zoom_message: str = "",
        errors: tuple[FieldError, ...] = (),
        tracking_id: str = "",
        method: str = "",
        path: str = "",
        retryable: bool = False,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(explanation)
        self.explanation = explanation
        self.remedy = remedy
        self.reason = reason or self.default_reason
        self.status = status
        self.code = code
        self.zoom_message = zoom_message
        self.errors = errors
        self.tracking_id = tracking_id
        self.method = method
        self.path = path
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        return self.explanation

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, status={self.status}, code={self.code})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for audit events and logs (no secrets)."""
        return {
            "error": type(self).__name__,
            "reason": self.reason,
            "status": self.status,
            "code": self.code,
            "zoom_message": self.zoom_message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
            "tracking_id": self.tracking_id,
            "method": self.method,
            "path": self.path,
            "retryable": self.retryable,
            "outcome_unknown": self.outcome_unknown,
            "explanation": self.explanation,
            "remedy": self.remedy,
            **self._details(),
        }

    def _details(self) -> dict[str, Any]:
        return {}


class ZoomAuthError(ZoomError):
    """The token endpoint refused the credentials, or Zoom rejected the token even after a refresh, or
    access to the API is denied for the account."""

    default_reason = "auth"


class ZoomScopeError(ZoomError):
    """The token lacks a scope the operation needs (codes 4700, 4711, 104)."""

    default_reason = "missing_scopes"

    def __init__(self, explanation: str, *, missing_scopes: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(explanation, **kwargs)
        self.missing_scopes = missing_scopes

    def _details(self) -> dict[str, Any]:
        return {"missing_scopes": list(self.missing_scopes)}


class ZoomRequestError(ZoomError):
    """Zoom understood the request and refused it for a business reason (most 4xx answers)."""

    default_reason = "rejected"


class ZoomNotFound(ZoomRequestError):
    """The user, meeting or role does not exist (codes 1001, 3001, 1034, or a plain 404)."""

    default_reason = "not_found"


class ZoomEndpointNotAvailable(ZoomRequestError):
    """Code 2300: Zoom did not match method + path to an API this app may call. Not a missing resource."""

    default_reason = "endpoint_not_recognized"


class ZoomRateLimited(ZoomError):
    """HTTP 429, or our own shared request budget could not be had in time.

    ``limit_kind`` is ``per_second``, ``daily``, ``meeting_user_daily``, ``concurrent`` or ``local_budget``.
    ``reset_at`` (aware UTC) says when a daily limit resets; ``retry_after`` is in seconds."""

    default_reason = "rate_limited"

    def __init__(
        self,
        explanation: str,
        *,
        limit_kind: str = "per_second",
        reset_at: datetime | None = None,
        retry_after: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(explanation, **kwargs)
        self.limit_kind = limit_kind
        self.reset_at = reset_at
        self.retry_after = retry_after

    @property
    def is_daily(self) -> bool:
        return self.limit_kind in {"daily", "meeting_user_daily"}

    def _details(self) -> dict[str, Any]:
        return {
            "limit_kind": self.limit_kind,
            "reset_at": self.reset_at.isoformat() if self.reset_at else None,
            "retry_after": self.retry_after,
        }


class ZoomServerError(ZoomError):
    """Zoom answered 5xx."""

    default_reason = "server_error"


class ZoomTimeout(ZoomError):
    """Zoom did not answer in time."""

    default_reason = "timeout"


class ZoomConnectionError(ZoomError):
    """No connection to Zoom could be made, or it broke mid-request."""

    default_reason = "connection_error"


class ZoomBadResponse(ZoomError):
    """Zoom (or something in between) answered with a body that is not the JSON we expected."""

    default_reason = "bad_response"
