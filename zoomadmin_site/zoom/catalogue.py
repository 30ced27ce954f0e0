"""Zoom's API error answers translated once, in words an IT admin can act on.

``error_for_response`` picks the ZoomError subclass, a stable ``reason`` slug, an explanation and a
remedy for a Zoom answer (status + code + message + headers). Sources: zoom-api.md §1.1 (2300), §1.3
(3000), §9 (codes, rate limits). Token endpoint errors: ``auth.py``; no answer at all: ``wire.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from .errors import (
    ZoomAuthError,
    ZoomEndpointNotAvailable,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomRequestError,
    ZoomScopeError,
    ZoomServerError,
)
from .scopes import REQUIRED_SCOPES, describe_missing_scopes, scopes_from_message
from .timing import next_utc_midnight, parse_ratelimit_reset, parse_retry_after
from .wire import READ_BACK, Answer, bad_response, zoom_says


def error_for_response(answer: Answer, *, operation: str, now: datetime) -> ZoomError:
    """The error for a non-2xx API answer (or a 2xx one whose body is unusable)."""
    message = answer.message.lower()
    if answer.status == 429 or answer.code == 429 or "meetings can be created/updated" in message:
        return _rate_limited(answer, now)
    if answer.status >= 500:
        return _server_error(answer)
    if answer.status == 401 or answer.code == 124:
        return _token_rejected(answer)
    if not answer.is_json:
        return bad_response(answer)
    if answer.code in {4700, 4711, 104} or "does not contain scope" in message:
        return _scope_error(answer, operation)
    builder = _BY_CODE.get(answer.code or 0)
    if builder is not None:
        return builder(answer)
    return _by_status(answer)


def _limit_kind(a: Answer) -> str:
    message = a.message.lower()
    if "meeting create/update" in message or "meetings can be created/updated" in message:
        return "meeting_user_daily"
    if "daily" in message or a.header("x-ratelimit-type").lower().startswith("daily"):
        return "daily"
    return "concurrent" if "concurrent" in message else "per_second"


def _rate_limited(a: Answer, now: datetime) -> ZoomRateLimited:
    """Every rate-limit header is optional (zoom-api.md §9.3): Retry-After (seconds, HTTP date or ISO),
    then X-RateLimit-Type/-Reset, then the message; daily limits reset at 00:00 UTC."""
    kind = _limit_kind(a)
    retry_at = parse_retry_after(a.header("retry-after"), now)
    if kind in _DAILY_WORDS:
        reset = (
            retry_at or parse_ratelimit_reset(a.header("x-ratelimit-reset"), now) or next_utc_midnight(now)
        )
        explanation, remedy = _DAILY_WORDS[kind](reset, now, a.message)
        return ZoomRateLimited(
            explanation,
            remedy=remedy,
            reason=kind,
            limit_kind=kind,
            reset_at=reset,
            retry_after=max(0.0, (reset - now).total_seconds()),
            **a.common(),
        )
    # Retry-After first; else X-RateLimit-Reset (some gateways send only that); else a QPS hint means
    # the window is one second; else None and the session backs off.
    retry_at = retry_at or parse_ratelimit_reset(a.header("x-ratelimit-reset"), now)
    if retry_at:
        wait: float | None = max(0.0, (retry_at - now).total_seconds())
    else:
        wait = 1.0 if a.header("x-ratelimit-type").lower() == "qps" else None
    explanation, remedy = _SHORT_WORDS[kind]
    return ZoomRateLimited(
        explanation + zoom_says(a.message),
        remedy=remedy,
        reason=kind,
        limit_kind=kind,
        reset_at=retry_at,
        retry_after=wait,
        retryable=True,
        **a.common(),
    )


_SHORT_WORDS = {
    "concurrent": (
        "Zoom is still working on another request for the same item and refused this one.",
        "Wait a few seconds and try again.",
    ),
    "per_second": (
        "Zoom's per-second request limit for this account was reached (every app on the Zoom account "
        "shares it).",
        "It clears within seconds; try again. If it happens often, lower ZOOM_RATE_LIMIT_PER_SECOND or the "
        "share background jobs may use (ZOOM_BACKGROUND_SHARE).",
    ),
}


def _when(reset: datetime, now: datetime) -> str:
    minutes = max(0, int((reset - now).total_seconds() // 60))
    return f"{reset:%Y-%m-%d %H:%M} UTC (in {minutes // 60} h {minutes % 60} min)"


_DAILY_WORDS: dict[str, Callable[[datetime, datetime, str], tuple[str, str]]] = {
    "daily": lambda reset, now, msg: (
        f"Zoom's daily request limit for this kind of API call was reached; it resets at {_when(reset, now)}."
        + zoom_says(msg),
        f"Wait until {_when(reset, now)}. Pause background synchronisation so people's actions get the "
        "remaining requests.",
    ),
    "meeting_user_daily": lambda reset, now, msg: (
        "This host reached Zoom's limit of 100 meeting create/update requests per user per day "
        f"(it counts against the meeting's host, not the app); it resets at {_when(reset, now)}."
        + zoom_says(msg),
        "Do the rest of this host's meeting changes after the reset, or spread bulk host transfers over "
        "several days. Deleting meetings is not counted.",
    ),
}


def _server_error(a: Answer) -> ZoomServerError:
    explanation = f"Zoom had an internal problem (HTTP {a.status})." + zoom_says(a.message)
    remedy = READ_BACK if a.is_write else "Try again in a minute; if it persists, check status.zoom.us."
    return ZoomServerError(
        explanation, remedy=remedy, retryable=True, outcome_unknown=a.is_write, **a.common()
    )


def _token_rejected(a: Answer) -> ZoomAuthError:
    return ZoomAuthError(
        "Zoom rejected the access token even after the client fetched a new one (code 124)."
        + zoom_says(a.message),
        remedy=(
            "Check that the Server-to-Server OAuth app is still activated in the Zoom App Marketplace and "
            "that ZOOM_ACCOUNT_ID belongs to the same account as the app. Then get a new token."
        ),
        reason="token_rejected",
        **a.common(),
    )


def _scope_error(a: Answer, operation: str) -> ZoomScopeError:
    missing = scopes_from_message(a.message)
    if not missing and operation in REQUIRED_SCOPES:
        missing = (REQUIRED_SCOPES[operation].granular,)
    return ZoomScopeError(
        f"The Zoom app's token does not include the permission{'s' if len(missing) > 1 else ''} "
        f"{', '.join(f'`{s}`' for s in missing) or 'this call needs'}." + zoom_says(a.message),
        remedy=describe_missing_scopes(missing)
        or "Add the scope Zoom names in the Marketplace, then get a new token.",
        missing_scopes=missing,
        **a.common(),
    )


def _endpoint_not_recognized(a: Answer) -> ZoomEndpointNotAvailable:
    causes = []
    if "/v2/v2" in a.path:
        causes.append(
            f"The request went to {a.path}: the /v2 prefix is doubled (ZOOM_API_BASE_URL already "
            "ends in /v2 and another /v2 was added)."
        )
    if a.host and a.host != "api.zoom.us" and a.host.endswith("zoom.us") and not a.host.startswith("api"):
        causes.append(f"The request went to {a.host}; Zoom's API lives at api.zoom.us.")
    causes += [
        f"The HTTP method is not the one this endpoint takes ({a.method} {a.path} was sent).",
        "The endpoint is not available to this app type or account plan (role management needs a Pro or "
        "higher plan; some endpoints only answer user-authorised OAuth apps, not Server-to-Server apps).",
        "In a master/sub-account setup the master-account variant lives under /accounts/{accountId}/...",
    ]
    return ZoomEndpointNotAvailable(
        "Zoom did not recognise this call as an API this app may use (code 2300). It is not a permission, "
        "scope or data problem. Likely causes: " + " ".join(f"({i}) {c}" for i, c in enumerate(causes, 1)),
        remedy="Make ZOOM_API_BASE_URL exactly https://api.zoom.us/v2. If it is, send Zoom support the "
        f"tracking id {a.tracking_id or '(none)'} and the method and path above.",
        **a.common(),
    )


def _validation(a: Answer) -> ZoomError:
    message = a.message.lower()
    if "next page token" in message:
        return ZoomRequestError(
            "The position in Zoom's list expired (Zoom keeps it for 15 minutes).",
            remedy="Start the listing again from the beginning.",
            reason="page_token_expired",
            **a.common(),
        )
    if "normal/owner" in message:
        return ZoomRequestError(
            "Zoom does not let anyone add or remove members of the Owner or Member role directly."
            + zoom_says(a.message),
            remedy="To make an Admin a Member, remove them from the Admin role; to change the account owner, "
            "use the Zoom web portal.",
            reason="system_role_members",
            **a.common(),
        )
    if "schedule_for" in message:
        return ZoomRequestError(
            "Zoom did not accept the new host given in schedule_for." + zoom_says(a.message),
            remedy="Use the new host's email address or Zoom user id, and check that they are an active "
            "user of this account.",
            reason="schedule_for_invalid",
            **a.common(),
        )
    details = "; ".join(f"{e.field}: {e.message}" for e in a.errors)
    return ZoomRequestError(
        "Zoom rejected the data sent." + zoom_says(a.message) + (f" ({details})" if details else ""),
        remedy="Correct the values named and try again.",
        reason="validation",
        **a.common(),
    )


def _cannot_schedule_for(a: Answer, target: str) -> ZoomRequestError:
    if a.method == "POST":
        who = "the user the meeting is being created under (the {userId} of POST /users/{userId}/meetings)"
    else:
        who = (
            "the meeting's scheduler of record (the user it was created under: its assistant_id, or the "
            "host if it was created directly)"
        )
    return ZoomRequestError(
        f"Zoom refused to make {target} the host (code 3000). Zoom checks {who}: that user must hold "
        f"scheduling privilege for {target}, i.e. be one of {target}'s assistants. Who makes the API call "
        "does not matter, and being an assistant of both hosts is not enough if the meeting was created "
        "under the old host. Both users must also be Licensed and in this account.",
        remedy=f"Give that user scheduling privilege for {target} (add them as one of {target}'s "
        f"assistants), or re-create the meeting for {target}. Create future meetings as the API service "
        "user with schedule_for, so that user is the scheduler of record.",
        reason="cannot_schedule_for",
        **a.common(),
    )


def _meeting_refused(a: Answer) -> ZoomRequestError:
    message = a.message.lower()
    found = re.search(r"schedule a meeting for\s+(.+)$", a.message.strip(), re.IGNORECASE)
    if found:
        return _cannot_schedule_for(a, found.group(1).strip().strip("\"“”'").rstrip(".").strip("\"“”'"))
    if "started" in message:
        explanation, remedy, reason = (
            "The meeting has already started; Zoom does not let the API change or delete a meeting in "
            "progress (code 3000).",
            "Try again after the meeting has ended.",
            "meeting_started",
        )
    elif "instant" in message:
        explanation, remedy, reason = (
            "Instant meetings cannot be scheduled for another user (code 3000).",
            "Only scheduled and recurring meetings can change host.",
            "instant_meeting",
        )
    else:
        explanation, remedy, reason = (
            "Zoom refused to let this app change or read the meeting (code 3000)." + zoom_says(a.message),
            "Check that the meeting belongs to this Zoom account and that the host is active and licensed.",
            "meeting_refused",
        )
    return ZoomRequestError(explanation, remedy=remedy, reason=reason, **a.common())


def _simple(
    cls: type[ZoomError], reason: str, explanation: str, remedy: str
) -> Callable[[Answer], ZoomError]:
    def build(a: Answer) -> ZoomError:
        return cls(explanation + zoom_says(a.message), remedy=remedy, reason=reason, **a.common())

    return build


_BY_CODE: dict[int, Callable[[Answer], ZoomError]] = {
    300: _validation,
    3000: _meeting_refused,
    2300: _endpoint_not_recognized,
    200: _simple(
        ZoomRequestError,
        "zoom_refused",
        "Zoom refused the request (code 200).",
        "Read Zoom's reason: usually a licence or privilege the user or the account lacks.",
    ),
    1001: _simple(
        ZoomNotFound,
        "user_not_found",
        "Zoom has no such user in this account (code 1001).",
        "Check the email or user id; the user may have been deleted or belong to another account.",
    ),
    1010: _simple(
        ZoomRequestError,
        "user_not_in_account",
        "The user is not part of this Zoom account (1010).",
        "Only users of the account the app belongs to can be managed.",
    ),
    1034: _simple(
        ZoomNotFound,
        "role_not_found",
        "That Zoom role does not exist (code 1034).",
        "Refresh the list of roles; it may have been deleted or renamed in Zoom.",
    ),
    1120: _simple(
        ZoomRequestError,
        "invitation_expired",
        "The user never accepted the invitation to the Zoom account and it has expired (1120).",
        "Resend the invitation from the Zoom web portal (User Management → Users → Pending).",
    ),
    3001: _simple(
        ZoomNotFound,
        "meeting_not_found",
        "The meeting does not exist or has expired (3001).",
        "Refresh the meeting list; it may have been deleted, or it ended and was not recurring.",
    ),
    3002: _simple(
        ZoomRequestError,
        "meeting_in_progress",
        "The meeting is in progress (3002).",
        "Try again after it ends.",
    ),
    3003: _simple(
        ZoomRequestError,
        "not_meeting_host",
        "The user named is not this meeting's host (3003).",
        "Act on the meeting through its current host.",
    ),
    3007: _simple(
        ZoomRequestError,
        "meeting_ended",
        "The meeting has already ended (3007).",
        "Nothing to change; refresh the meeting list.",
    ),
    3018: _simple(
        ZoomRequestError,
        "pmi_meeting",
        "A Personal Meeting ID meeting cannot be deleted (3018).",
        "Personal meetings belong to their user; leave them in place.",
    ),
    3161: _simple(
        ZoomRequestError,
        "hosting_not_allowed",
        "Meeting hosting and scheduling are turned off for this user (3161).",
        "Give the user a licence or enable meeting hosting for them in the Zoom web portal.",
    ),
}


def _by_status(a: Answer) -> ZoomError:
    if a.status == 403:
        return ZoomAuthError(
            "Zoom denied access to this part of its API for this account." + zoom_says(a.message),
            remedy="The app's creator needs the privilege in Zoom (role management, user management); an "
            "app acts with its creator's rights. Ask the account owner.",
            reason="forbidden",
            **a.common(),
        )
    if a.status == 404:
        return ZoomNotFound(
            "Zoom found nothing at this address." + zoom_says(a.message),
            remedy="Refresh and check the id.",
            **a.common(),
        )
    if a.status == 409:
        return ZoomRequestError(
            "Zoom reports a conflict with existing data." + zoom_says(a.message),
            remedy="Refresh and check the current state.",
            reason="conflict",
            **a.common(),
        )
    return ZoomRequestError(
        f"Zoom refused the request (HTTP {a.status}, code {a.code})." + zoom_says(a.message),
        remedy="Read Zoom's reason above; correct the request and try again.",
        **a.common(),
    )
