"""Zoom's error answers: one exception carrying status, code and message, and the message texts.

Messages follow zoom-api.md §9.2 (and the OpenAPI subset's error descriptions); tests import them.
"""

from __future__ import annotations

from typing import Any

# Auth / gateway
TOKEN_INVALID = "Invalid access token."  # noqa: S105 - a message
TOKEN_EXPIRED = "Access token is expired."  # noqa: S105 - a message
SCOPES_MISSING = "Invalid access token, does not contain scopes:[{scopes}]."
NOT_RECOGNIZED = "This API endpoint is not recognized."
# Rate limits (§9.3)
QPS_LIMIT = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_LIMIT = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)
MEETING_DAILY_LIMIT = (
    "You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests permitted "
    "for this particular user. You may resume these requests at GMT 00:00:00."
)
# Validation
INVALID_JSON = "Request Body should be a valid JSON object."
VALIDATION_FAILED = "Validation Failed."
INVALID_FIELD = "Invalid field."
BAD_PAGE_TOKEN = "The next page token is invalid or expired."  # noqa: S105 - a message
# Users
USER_NOT_FOUND = "User does not exist: {user}."
USER_NOT_IN_ACCOUNT = "User {user} not exist or not belong to this account."
ADMIN_STATUS = "Zoom Room and Admin users' status cannot be activated or deactivated."
INVITATION_NOT_FOUND = "A valid invitation to join the Zoom account was not found for this user."
USER_EXISTS = "User already in the account: {email}."
ADMIN_DISASSOCIATE = "You can not disassociate an Admin user."
LICENSE_LIMIT = "You have reached the maximum number of licensed users allowed for your account."
# Assistants
PAID_ACCOUNT = "Current account must be paid account: {user}"
MUST_BE_LICENSED = "The user must either be a Licensed user or an On-prem user : {user}."
SELF_ASSIGN = "Can't assign scheduling privilege to yourself."
CANT_FIND_USER = "Can't find user {email}."
ALREADY_GRANTED = "User {email} has already granted scheduling privilege."
# Meetings
MEETING_NOT_FOUND = "Meeting {id} is not found or has expired."
MEETING_NOT_FOUND_UPDATE = "A meeting with this {id} is not found or has expired."
CANNOT_SCHEDULE_FOR = "You cannot schedule a meeting for {value}."
INSTANT_SCHEDULE_FOR = (
    "Instant meetings do not support the schedule_for parameter; you cannot schedule an instant "
    "meeting for another user."
)
INVALID_SCHEDULE_FOR = (
    "The value that you entered for the schedule_for field is invalid. Enter a valid value and try again."
)
MEETING_STARTED = "You cannot update or delete meetings that have started using this method."
HOSTING_NOT_ALLOWED = "Meeting hosting and scheduling capabilities are not allowed for your user account."
DELETE_IN_PROGRESS = "Sorry, you cannot delete this meeting since it is in progress."
DELETE_ENDED = "Sorry, you cannot delete this meeting since it has ended."
DELETE_PMI = "Not allowed to delete PMI."
INVALID_OCCURRENCE = "Invalid occurrence_id."
# Roles
ROLE_NOT_FOUND = "Provided role_id does not exist."
SYSTEM_ROLE_MEMBERS = "Can't delete or add members for Normal/Owner roles."
OWNER_ROLE = "Cannot update the role of an account owner."
NOT_ROLE_MEMBER = "User {user} is not a member of this role."
ROLE_PERMISSION = "You do not have the permission to manage roles."
ROLE_HAS_MEMBERS = "This role has members. Remove all members before deleting the role."
SYSTEM_ROLE_CHANGE = "Can't delete or update system roles."
TOO_MANY_ITEMS = "A maximum of 30 items can be added at a time."


class ZoomError(Exception):
    """An answer other than success. ``errors`` is the ``errors[]`` list of a 300 "Validation Failed."."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status}/{code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def validation_failed(*fields: str) -> ZoomError:
    return ZoomError(
        400, 300, VALIDATION_FAILED, errors=[{"field": name, "message": INVALID_FIELD} for name in fields]
    )


def user_not_found(value: str) -> ZoomError:
    return ZoomError(404, 1001, USER_NOT_FOUND.format(user=value))


def meeting_not_found(value: str, template: str = MEETING_NOT_FOUND) -> ZoomError:
    return ZoomError(404, 3001, template.format(id=value))


def role_not_found() -> ZoomError:
    return ZoomError(400, 1034, ROLE_NOT_FOUND)
