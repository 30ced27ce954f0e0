"""Which OAuth scopes each client operation needs, and what is missing from a token.

A Zoom token carries either classic scopes (``user:read:admin``) or granular ones
(``user:read:user:admin``); each operation accepts either (zoom-api.md §2.5). Scopes are frozen into a
token when it is issued, so after adding a scope in the Marketplace the next token carries it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScopeRequirement:
    granular: str
    classic: str

    def satisfied_by(self, granted: frozenset[str]) -> bool:
        return self.granular in granted or self.classic in granted


def _req(granular: str, classic: str) -> ScopeRequirement:
    return ScopeRequirement(granular=granular, classic=classic)


# Keyed by ZoomClient method name. Source: zoom-api.md §2.5 (official Users/Accounts/Meetings specs).
REQUIRED_SCOPES: dict[str, ScopeRequirement] = {
    "list_users": _req("user:read:list_users:admin", "user:read:admin"),
    "get_user": _req("user:read:user:admin", "user:read:admin"),
    "update_user": _req("user:update:user:admin", "user:write:admin"),
    "update_user_status": _req("user:update:status:admin", "user:write:admin"),
    "list_assistants": _req("user:read:list_assistants:admin", "user:read:admin"),
    "add_assistants": _req("user:write:assistant:admin", "user:write:admin"),
    "delete_assistant": _req("user:delete:assistant:admin", "user:write:admin"),
    "delete_all_assistants": _req("user:delete:assistant:admin", "user:write:admin"),
    "list_schedulers": _req("user:read:list_schedulers:admin", "user:read:admin"),
    "delete_scheduler": _req("user:delete:scheduler:admin", "user:write:admin"),
    "delete_all_schedulers": _req("user:delete:scheduler:admin", "user:write:admin"),
    "list_meetings": _req("meeting:read:list_meetings:admin", "meeting:read:admin"),
    "get_meeting": _req("meeting:read:meeting:admin", "meeting:read:admin"),
    "create_meeting": _req("meeting:write:meeting:admin", "meeting:write:admin"),
    "update_meeting": _req("meeting:update:meeting:admin", "meeting:write:admin"),
    "delete_meeting": _req("meeting:delete:meeting:admin", "meeting:write:admin"),
    "list_roles": _req("role:read:list_roles:admin", "role:read:admin"),
    "get_role": _req("role:read:role:admin", "role:read:admin"),
    "list_role_members": _req("role:read:list_members:admin", "role:read:admin"),
    "assign_role": _req("role:write:member:admin", "role:write:admin"),
    "unassign_role": _req("role:delete:member:admin", "role:write:admin"),
}


def missing_scopes(operations: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The granular scopes to add so that every named operation is allowed (empty list: all fine)."""
    have = frozenset(granted)
    missing: list[str] = []
    for operation in operations:
        requirement = REQUIRED_SCOPES[operation]
        if not requirement.satisfied_by(have) and requirement.granular not in missing:
            missing.append(requirement.granular)
    return missing


def describe_missing_scopes(missing: Iterable[str]) -> str:
    """One sentence for a preflight: what to add and that the next token will carry it."""
    names = ", ".join(f"`{scope}`" for scope in missing)
    if not names:
        return ""
    return (
        f"Your Zoom app lacks {names}. Add it in the Zoom App Marketplace (your Server-to-Server OAuth app "
        "→ Scopes), then get a new token: the next token will carry it."
    )


_SCOPE_LIST = re.compile(r"scopes?\s*:?\s*\[([^\]]*)\]", re.IGNORECASE)
_SINGLE_SCOPE = re.compile(r"does not contain ([\w:.-]+) scope", re.IGNORECASE)


def scopes_from_message(message: str) -> tuple[str, ...]:
    """Scopes named in a Zoom 4711/4700/104 message, e.g. ``... does not contain scopes:[a, b].``
    or ``Invalid access token, does not contain role:read:admin scope.``"""
    found = _SCOPE_LIST.search(message)
    if found:
        return tuple(s.strip(" '\"") for s in found.group(1).split(",") if s.strip(" '\""))
    single = _SINGLE_SCOPE.search(message)
    return (single.group(1),) if single else ()
