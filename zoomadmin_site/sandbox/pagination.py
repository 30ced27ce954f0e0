"""``page_size`` clamping and ``next_page_token`` paging (zoom-api.md §3 "Pagination").

Tokens are opaque strings stored in the state file with the query they belong to and a cursor; they live
15 simulated minutes and may be reused while alive. An unknown, expired or mismatched token answers
400/300 "The next page token is invalid or expired.". The last page carries ``next_page_token: ""``.
"""

from __future__ import annotations

import math
from typing import Any

from .context import Ctx
from .errors import BAD_PAGE_TOKEN, ZoomError

TOKEN_TTL_S = 15 * 60
DEFAULT_PAGE_SIZE = 30


def page_size(raw: str | None, maximum: int) -> int:
    """Clamp like Zoom: above the maximum → the maximum; missing, negative, zero or not a number → 30."""
    try:
        size = int(raw or "")
    except ValueError:
        return DEFAULT_PAGE_SIZE
    if size < 1:
        return DEFAULT_PAGE_SIZE
    return min(size, maximum)


def cursor(ctx: Ctx, scope: str) -> str | None:
    """The cursor for the request's ``next_page_token`` (None when there is no token)."""
    token = ctx.query.get("next_page_token", "")
    if not token:
        return None
    row = ctx.conn.execute(
        "SELECT scope, cursor, expires_ts FROM page_tokens WHERE token = ?", (token,)
    ).fetchone()
    if row is None or row["scope"] != scope or row["expires_ts"] < ctx.now:
        raise ZoomError(400, 300, BAD_PAGE_TOKEN)
    return str(row["cursor"])


def issue(ctx: Ctx, scope: str, position: str) -> str:
    token = ctx.draw.token(35)
    ctx.conn.execute(
        "INSERT OR REPLACE INTO page_tokens(token, scope, cursor, expires_ts) VALUES (?, ?, ?, ?)",
        (token, scope, position, ctx.now + TOKEN_TTL_S),
    )
    if ctx.draw.integer() % 50 == 0:  # occasional cleanup keeps the table small
        ctx.conn.execute("DELETE FROM page_tokens WHERE expires_ts < ?", (ctx.now,))
    return token


def envelope(
    ctx: Ctx, *, key: str, items: list[dict[str, Any]], size: int, total: int, next_token: str
) -> dict[str, Any]:
    try:
        number = max(1, int(ctx.query.get("page_number", "1")))
    except ValueError:
        number = 1
    return {
        "page_count": math.ceil(total / size) if size else 0,
        "page_number": number,
        "page_size": size,
        "total_records": total,
        "next_page_token": next_token,
        key: items,
    }


def start_offset(ctx: Ctx, size: int) -> int:
    """Offset for the deprecated ``page_number`` parameter when no token is given."""
    try:
        number = int(ctx.query.get("page_number", "1"))
    except ValueError:
        return 0
    return max(0, number - 1) * size
