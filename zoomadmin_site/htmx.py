"""What every page that swaps a region with htmx asks of the request (search pages, the audit log)."""

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx swap of a region; a history restore (Back button) needs the whole page."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request
