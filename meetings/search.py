"""What meeting search reads: the text index over the meeting mirror (see zoomadmin_site/search/index.py)."""

from __future__ import annotations

from zoomadmin_site.search.index import SearchIndexSpec

MEETING_SEARCH = SearchIndexSpec(
    table="meetings_zoommeeting",
    columns=("topic", "meeting_id", "host_name", "host_email"),
    pg_expression=(
        '("topic" || \' \' || CAST("meeting_id" AS text) || \' \' || "host_name" || \' \' || "host_email")'
    ),
    walk_orders=(("start_sort",),),  # the Meetings page's default order: upcoming first
)
