"""ZoomClient: one method per Zoom endpoint this project uses, typed results, ZoomError on failure.

Every method takes keyword arguments and names the Zoom docs page it follows (``# Reference:``). The
endpoints live in ``api_users.py``, ``api_roles.py`` and ``api_meetings.py``; retries, token, rate budget
and error translation in ``session.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from .api_meetings import MeetingEndpoints
from .api_roles import RoleEndpoints
from .api_users import UserEndpoints
from .config import ZoomConfig
from .models import Meeting, Page, ZoomRoleMember, ZoomUser
from .pagination import item_key, walk_pages
from .scopes import missing_scopes
from .session import ZoomSession


class ZoomClient(UserEndpoints, RoleEndpoints, MeetingEndpoints):
    """Build with ``get_zoom_client()`` (settings) or ``ZoomClient(ZoomConfig(...), transport=...)``."""

    def __init__(self, config: ZoomConfig, **session_options: Any) -> None:
        self._session = ZoomSession(config, **session_options)
        self.config = self._session.config

    def close(self) -> None:
        self._session.close()

    # --- token and scopes -------------------------------------------------------------------------

    def granted_scopes(self) -> frozenset[str]:
        """The scopes of the current token (fetching one if needed)."""
        return self._session.tokens.current().scopes

    def missing_scopes(self, *operations: str) -> list[str]:
        """Granular scopes the app must add for these operations (method names, see REQUIRED_SCOPES)."""
        return missing_scopes(operations, self.granted_scopes())

    def invalidate_token(self) -> None:
        """Get a new token on the next call (for every worker), e.g. after adding scopes to the app."""
        self._session.tokens.invalidate()

    # --- walking whole listings -------------------------------------------------------------------

    def iter_pages[T](
        self,
        list_page: Callable[..., Page[T]],
        /,
        *,
        key: Callable[[T], Hashable] = item_key,
        max_restarts: int = 3,
        **filters: Any,
    ) -> Iterator[Page[T]]:
        """Every page of ``list_page`` (e.g. ``client.list_users``), restarting on an expired page token
        and skipping items already yielded: ``for page in client.iter_pages(client.list_users): ...``"""
        return walk_pages(
            lambda token: list_page(next_page_token=token, **filters), key=key, max_restarts=max_restarts
        )

    def iter_users(self, *, page_size: int = 300, **filters: Any) -> Iterator[ZoomUser]:
        for page in self.iter_pages(self.list_users, page_size=page_size, **filters):
            yield from page.items

    def iter_meetings(self, *, user_id: str, page_size: int = 300, **filters: Any) -> Iterator[Meeting]:
        for page in self.iter_pages(self.list_meetings, user_id=user_id, page_size=page_size, **filters):
            yield from page.items

    def iter_role_members(self, *, role_id: str, page_size: int = 300) -> Iterator[ZoomRoleMember]:
        for page in self.iter_pages(self.list_role_members, role_id=role_id, page_size=page_size):
            yield from page.items
