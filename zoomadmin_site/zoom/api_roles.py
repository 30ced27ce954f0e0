"""Roles endpoints (Accounts API): list, get, members, assign, unassign."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .endpoints import Endpoints, members_body, seg
from .models import AddedMembers, Page, ZoomRole, ZoomRoleMember


class RoleEndpoints(Endpoints):
    def list_roles(self, *, role_type: Literal["common", "iq"] | None = None) -> tuple[ZoomRole, ...]:
        # Reference: https://developers.zoom.us/docs/api/accounts/#tag/roles/GET/roles
        data = self._get("/roles", operation="list_roles", params={"type": role_type})
        return self._items(data, "roles", ZoomRole.from_zoom)

    def get_role(self, *, role_id: str) -> ZoomRole:
        # Reference: https://developers.zoom.us/docs/api/accounts/#tag/roles/GET/roles/{roleId}
        return ZoomRole.from_zoom(self._get(f"/roles/{seg(role_id)}", operation="get_role"))

    def list_role_members(
        self, *, role_id: str, page_size: int | None = None, next_page_token: str | None = None
    ) -> Page[ZoomRoleMember]:
        # Reference: https://developers.zoom.us/docs/api/accounts/#tag/roles/GET/roles/{roleId}/members
        params = {"page_size": page_size, "next_page_token": next_page_token or None}
        data = self._get(f"/roles/{seg(role_id)}/members", operation="list_role_members", params=params)
        return self._page(data, "members", ZoomRoleMember.from_zoom)

    def assign_role(
        self, *, role_id: str, user_ids: Sequence[str] = (), emails: Sequence[str] = ()
    ) -> AddedMembers:
        """Move users into a role (Admin "1" or a custom role; Owner "0" and Member "2" are refused)."""
        # Reference: https://developers.zoom.us/docs/api/accounts/#tag/roles/POST/roles/{roleId}/members
        body = {"members": members_body(user_ids, emails, "member")}
        data = self._session.call(
            "POST", f"/roles/{seg(role_id)}/members", operation="assign_role", json=body
        )
        return AddedMembers.from_zoom(data or {})

    def unassign_role(self, *, role_id: str, member_id: str) -> None:
        """Take a user out of a role; they fall back to Member."""
        # Reference: https://developers.zoom.us/docs/api/accounts/#tag/roles/DELETE/roles/{roleId}/members/{memberId}
        path = f"/roles/{seg(role_id)}/members/{seg(member_id)}"
        self._session.call("DELETE", path, operation="unassign_role")
