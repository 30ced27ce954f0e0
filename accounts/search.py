"""What user search reads: the text index over the user mirror (see zoomadmin_site/search/index.py)."""

from __future__ import annotations

from zoomadmin_site.search.index import SearchIndexSpec

USER_SEARCH = SearchIndexSpec(
    table="accounts_zoomuser",
    columns=("display_name", "first_name", "last_name", "email", "dept", "zoom_id"),
    pg_expression=(
        "(\"display_name\" || ' ' || \"first_name\" || ' ' || \"last_name\" || ' ' || \"email\" || ' ' || "
        "\"dept\" || ' ' || COALESCE(\"zoom_id\", ''))"
    ),
)
