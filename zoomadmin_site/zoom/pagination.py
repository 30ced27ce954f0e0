"""Walking ``next_page_token`` to the end of a Zoom listing.

Zoom's page tokens expire after 15 minutes (400, code 300 "The next page token is invalid or
expired."). A long walk then starts again from the first page and skips what it already yielded, at most
``max_restarts`` times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace

from .errors import ZoomBadResponse, ZoomRequestError
from .models import Page

logger = logging.getLogger(__name__)


def item_key(item: object) -> Hashable:
    """De-duplication key: the id, or the email for pending users (who have no id)."""
    return getattr(item, "id", None) or getattr(item, "email", None) or None


def walk_pages[T](
    fetch: Callable[[str | None], Page[T]],
    *,
    key: Callable[[T], Hashable] = item_key,
    max_restarts: int = 3,
) -> Iterator[Page[T]]:
    """Yield every page of a listing; ``fetch(token)`` gets one page (``None``: the first)."""
    seen: set[Hashable] = set()
    restarts = 0
    token: str | None = None
    while True:
        try:
            page = fetch(token)
        except ZoomRequestError as error:
            if error.reason != "page_token_expired" or token is None or restarts >= max_restarts:
                raise
            restarts += 1
            token = None
            logger.info("zoom page token expired; restarting the listing (%d/%d)", restarts, max_restarts)
            continue
        fresh = []
        for item in page.items:
            item_id = key(item)
            if item_id is not None and item_id in seen:
                continue
            seen.add(item_id)
            fresh.append(item)
        yield replace(page, items=tuple(fresh))
        if not page.next_page_token:
            return
        if page.next_page_token == token:
            raise ZoomBadResponse("Zoom returned the same page token twice; the listing would never end.")
        token = page.next_page_token
