"""Independent Zoom reads of a preflight, made at the same time: a preflight costs about one call's
latency, not the sum of them."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections

from zoomadmin_site.zoom import ZoomError


def read_in_thread(read: Callable[[], Any]) -> Any:
    """One read in a worker thread: its value or the ZoomError it raised; the thread's database
    connections closed (the Zoom client reads its token and rate budget from the shared cache)."""
    try:
        return read()
    except ZoomError as error:
        return error
    finally:
        connections.close_all()


def parallel_reads(reads: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each read in its own thread; the result per name is the value, or the ZoomError it raised.

    Each thread runs in a copy of the caller's context, so Zoom calls are recorded by the caller's
    `record_zoom_calls()` and carry its priority; it closes the database connections it opened (the
    Zoom client reads its token and rate budget from the shared cache)."""

    if len(reads) <= 1:
        return {name: _inline(read) for name, read in reads.items()}
    with ThreadPoolExecutor(max_workers=len(reads), thread_name_prefix="preflight") as pool:
        futures = {
            name: pool.submit(contextvars.copy_context().run, read_in_thread, read)
            for name, read in reads.items()
        }
        return {name: future.result() for name, future in futures.items()}


def _inline(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except ZoomError as error:
        return error
