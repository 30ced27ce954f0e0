"""The meetings a user hosts, for the user page: a tag, so that the accounts app (below meetings) never
imports meetings; its template loads this library by name."""

from __future__ import annotations

from typing import Any

from django import template

from meetings.selectors import meeting_list_upcoming_for_host

register = template.Library()


@register.inclusion_tag("meetings/_hosted_by.html")
def upcoming_meetings_hosted(zoom_user: Any) -> dict[str, Any]:
    """The host's next meetings and a link to all of them (none for a pending user, who has no id)."""
    meetings, more = (
        meeting_list_upcoming_for_host(host_zoom_id=zoom_user.zoom_id) if zoom_user.zoom_id else ([], False)
    )
    return {"zoom_user": zoom_user, "upcoming_meetings": meetings, "more_meetings": more}
