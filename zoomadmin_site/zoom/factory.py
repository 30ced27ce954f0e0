"""``get_zoom_client()``: the process-wide client for the current settings.

Sandbox mode talks to the in-process Zoom simulator through ``httpx.WSGITransport`` with the simulator's
fixed credentials; live mode uses a normal HTTPS transport and the configured URLs and credentials.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from django.conf import settings

from .client import ZoomClient
from .config import SANDBOX_ACCOUNT_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, ZoomConfig

_lock = threading.Lock()
_clients: dict[tuple[ZoomConfig, str], ZoomClient] = {}


def get_zoom_client() -> ZoomClient:
    """One client per process and configuration (thread-safe; the token and rate budget are shared
    with other processes through Django's cache)."""
    config = ZoomConfig.from_settings()
    key = (config, str(settings.ZOOM_SANDBOX_STATE) if config.mode == "sandbox" else "")
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = build_zoom_client(config)
    return client


def build_zoom_client(config: ZoomConfig, **options: Any) -> ZoomClient:
    """A new client (not cached). ``options`` go to ZoomClient: clock, sleep, on_call, cache, ..."""
    if config.mode == "sandbox" and "transport" not in options:
        from zoomadmin_site.sandbox import make_app  # the simulator is only imported when used

        app = make_app(
            settings.ZOOM_SANDBOX_STATE,
            account_id=SANDBOX_ACCOUNT_ID,
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
        )
        options["transport"] = httpx.WSGITransport(app=app)
    return ZoomClient(config, **options)


def reset_zoom_clients() -> None:
    """Close and forget the cached clients (tests, or after changing settings at runtime)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
