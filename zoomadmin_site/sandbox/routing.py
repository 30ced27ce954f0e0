"""The route table: method + path template → handler, required scopes and rate-limit label.

Scopes and labels from zoom-api.md §2.5 (granular scope first; the classic scope is accepted too).
Anything not in this table — another method, a typo, a doubled ``/v2/v2`` — answers 404/2300.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import assistants_api, meetings_api, roles_api, users_api
from .context import Ctx, Reply

Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    granular: str
    classic: str
    label: str
    feature: str = ""  # "roles": only on plans with the Roles API

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{regex}$")


R = Route
U, A, M, RO = users_api, assistants_api, meetings_api, roles_api
ROUTES: tuple[Route, ...] = (
    R("GET", "/users", U.list_users, "user:read:list_users:admin", "user:read:admin", "Medium"),
    R("POST", "/users", U.create_user, "user:write:user:admin", "user:write:admin", "Light"),
    R("GET", "/users/{userId}", U.get_user, "user:read:user:admin", "user:read:admin", "Light"),
    R("PATCH", "/users/{userId}", U.update_user, "user:update:user:admin", "user:write:admin", "Light"),
    R("DELETE", "/users/{userId}", U.delete_user, "user:delete:user:admin", "user:write:admin", "Light"),
    R(
        "PUT",
        "/users/{userId}/status",
        U.update_status,
        "user:update:status:admin",
        "user:write:admin",
        "Light",
    ),
    R(
        "GET",
        "/users/{userId}/assistants",
        A.list_assistants,
        "user:read:list_assistants:admin",
        "user:read:admin",
        "Medium",
    ),
    R(
        "POST",
        "/users/{userId}/assistants",
        A.add_assistants,
        "user:write:assistant:admin",
        "user:write:admin",
        "Medium",
    ),
    R(
        "DELETE",
        "/users/{userId}/assistants",
        A.delete_assistants,
        "user:delete:assistant:admin",
        "user:write:admin",
        "Light",
    ),
    R(
        "DELETE",
        "/users/{userId}/assistants/{assistantId}",
        A.delete_assistant,
        "user:delete:assistant:admin",
        "user:write:admin",
        "Light",
    ),
    R(
        "GET",
        "/users/{userId}/schedulers",
        A.list_schedulers,
        "user:read:list_schedulers:admin",
        "user:read:admin",
        "Medium",
    ),
    R(
        "DELETE",
        "/users/{userId}/schedulers",
        A.delete_schedulers,
        "user:delete:scheduler:admin",
        "user:write:admin",
        "Light",
    ),
    R(
        "DELETE",
        "/users/{userId}/schedulers/{schedulerId}",
        A.delete_scheduler,
        "user:delete:scheduler:admin",
        "user:write:admin",
        "Light",
    ),
    R(
        "GET",
        "/users/{userId}/meetings",
        M.list_meetings,
        "meeting:read:list_meetings:admin",
        "meeting:read:admin",
        "Medium",
    ),
    R(
        "POST",
        "/users/{userId}/meetings",
        M.create_meeting,
        "meeting:write:meeting:admin",
        "meeting:write:admin",
        "Medium",
    ),
    R(
        "GET",
        "/meetings/{meetingId}",
        M.get_meeting,
        "meeting:read:meeting:admin",
        "meeting:read:admin",
        "Light",
    ),
    R(
        "PATCH",
        "/meetings/{meetingId}",
        M.update_meeting,
        "meeting:update:meeting:admin",
        "meeting:write:admin",
        "Light",
    ),
    R(
        "DELETE",
        "/meetings/{meetingId}",
        M.delete_meeting,
        "meeting:delete:meeting:admin",
        "meeting:write:admin",
        "Light",
    ),
    R("GET", "/roles", RO.list_roles, "role:read:list_roles:admin", "role:read:admin", "Medium", "roles"),
    R("POST", "/roles", RO.create_role, "role:write:role:admin", "role:write:admin", "Light", "roles"),
    R("GET", "/roles/{roleId}", RO.get_role, "role:read:role:admin", "role:read:admin", "Light", "roles"),
    R(
        "PATCH",
        "/roles/{roleId}",
        RO.update_role,
        "role:update:role:admin",
        "role:write:admin",
        "Light",
        "roles",
    ),
    R(
        "DELETE",
        "/roles/{roleId}",
        RO.delete_role,
        "role:delete:role:admin",
        "role:write:admin",
        "Light",
        "roles",
    ),
    R(
        "GET",
        "/roles/{roleId}/members",
        RO.list_members,
        "role:read:list_members:admin",
        "role:read:admin",
        "Medium",
        "roles",
    ),
    R(
        "POST",
        "/roles/{roleId}/members",
        RO.add_members,
        "role:write:member:admin",
        "role:write:admin",
        "Medium",
        "roles",
    ),
    R(
        "DELETE",
        "/roles/{roleId}/members/{memberId}",
        RO.delete_member,
        "role:delete:member:admin",
        "role:write:admin",
        "Light",
        "roles",
    ),
)
_COMPILED = tuple((route, route.pattern()) for route in ROUTES)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``path`` (already stripped of the single leading ``/v2``), or None."""
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    for route, pattern in _COMPILED:
        if route.method == method:
            found = pattern.match(path)
            if found:
                return route, found.groupdict()
    return None


def route_by_name(name: str) -> Route | None:
    return next((route for route in ROUTES if route.name == name), None)
