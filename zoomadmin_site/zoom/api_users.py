"""Users, user status, assistants and schedulers (scheduling privilege) endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .endpoints import Endpoints, json_body, members_body, seg
from .models import AddedMembers, Assistant, Page, Scheduler, ZoomUser

UserStatus = Literal["active", "inactive", "pending"]


class UserEndpoints(Endpoints):
    def list_users(
        self,
        *,
        status: UserStatus | None = None,
        role_id: str | None = None,
        page_size: int | None = None,
        next_page_token: str | None = None,
        include_fields: str | None = None,
        license: str | None = None,
    ) -> Page[ZoomUser]:
        # Reference: https://developers.zoom.us/docs/api/users/#tag/users/GET/users
        params = {
            "status": status,
            "role_id": role_id,
            "page_size": page_size,
            "next_page_token": next_page_token or None,
            "include_fields": include_fields,
            "license": license,
        }
        data = self._get("/users", operation="list_users", params=params)
        return self._page(data, "users", ZoomUser.from_zoom)

    def get_user(self, *, user_id: str) -> ZoomUser:
        """``user_id``: a Zoom user id, an email address, or ``"me"`` (the app's creator)."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
        return ZoomUser.from_zoom(self._get(f"/users/{seg(user_id)}", operation="get_user"))

    def update_user(
        self,
        *,
        user_id: str,
        first_name: str | None = None,
        last_name: str | None = None,
        display_name: str | None = None,
        type: int | None = None,
        dept: str | None = None,
        job_title: str | None = None,
        company: str | None = None,
        location: str | None = None,
        timezone: str | None = None,
        language: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Zoom answers 204 and silently ignores role fields here; roles change via ``assign_role``."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/users/PATCH/users/{userId}
        if extra and {"role_id", "role_name"} & set(extra):
            raise ValueError(
                "Zoom ignores role_id/role_name on a user update; use assign_role/unassign_role."
            )
        body = json_body(
            extra,
            first_name=first_name,
            last_name=last_name,
            display_name=display_name,
            type=type,
            dept=dept,
            job_title=job_title,
            company=company,
            location=location,
            timezone=timezone,
            language=language,
        )
        if not body:
            raise ValueError("Nothing to update.")
        self._session.call("PATCH", f"/users/{seg(user_id)}", operation="update_user", json=body)

    def update_user_status(self, *, user_id: str, action: Literal["activate", "deactivate"]) -> None:
        """Admins cannot be (de)activated (400, code 200): demote them first."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/status
        self._session.call(
            "PUT", f"/users/{seg(user_id)}/status", operation="update_user_status", json={"action": action}
        )

    # --- assistants and schedulers (scheduling privilege) -----------------------------------------

    def list_assistants(self, *, user_id: str) -> tuple[Assistant, ...]:
        """The users who may schedule for ``user_id``."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/assistants/GET/users/{userId}/assistants
        data = self._get(f"/users/{seg(user_id)}/assistants", operation="list_assistants")
        return self._items(data, "assistants", Assistant.from_zoom)

    def add_assistants(
        self,
        *,
        user_id: str,
        assistant_ids: Sequence[str] = (),
        assistant_emails: Sequence[str] = (),
    ) -> AddedMembers:
        """Let the named users schedule for ``user_id`` (both must be Licensed, same account)."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/assistants/POST/users/{userId}/assistants
        body = {"assistants": members_body(assistant_ids, assistant_emails, "assistant")}
        data = self._session.call(
            "POST", f"/users/{seg(user_id)}/assistants", operation="add_assistants", json=body
        )
        return AddedMembers.from_zoom(data or {})

    def delete_assistant(self, *, user_id: str, assistant_id: str) -> None:
        # Reference: https://developers.zoom.us/docs/api/users/#tag/assistants/DELETE/users/{userId}/assistants/{assistantId}
        path = f"/users/{seg(user_id)}/assistants/{seg(assistant_id)}"
        self._session.call("DELETE", path, operation="delete_assistant")

    def delete_all_assistants(self, *, user_id: str) -> None:
        # Reference: https://developers.zoom.us/docs/api/users/#tag/assistants/DELETE/users/{userId}/assistants
        self._session.call("DELETE", f"/users/{seg(user_id)}/assistants", operation="delete_all_assistants")

    def list_schedulers(self, *, user_id: str) -> tuple[Scheduler, ...]:
        """The users ``user_id`` may schedule for (``user_id`` is their assistant)."""
        # Reference: https://developers.zoom.us/docs/api/users/#tag/schedulers/GET/users/{userId}/schedulers
        data = self._get(f"/users/{seg(user_id)}/schedulers", operation="list_schedulers")
        return self._items(data, "schedulers", Scheduler.from_zoom)

    def delete_scheduler(self, *, user_id: str, scheduler_id: str) -> None:
        # Reference: https://developers.zoom.us/docs/api/users/#tag/schedulers/DELETE/users/{userId}/schedulers/{schedulerId}
        path = f"/users/{seg(user_id)}/schedulers/{seg(scheduler_id)}"
        self._session.call("DELETE", path, operation="delete_scheduler")

    def delete_all_schedulers(self, *, user_id: str) -> None:
        # Reference: https://developers.zoom.us/docs/api/users/#tag/schedulers/DELETE/users/{userId}/schedulers
        self._session.call("DELETE", f"/users/{seg(user_id)}/schedulers", operation="delete_all_schedulers")
