"""Zoom client configuration, built from Django settings (the ZOOM_* names in settings.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

SANDBOX_API_BASE_URL = "https://api.zoom.us/v2"
SANDBOX_OAUTH_URL = "https://zoom.us/oauth/token"
SANDBOX_ACCOUNT_ID = "sandbox"
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - the simulator's fixed demo credential


@dataclass(frozen=True)
class ZoomConfig:
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    api_base_url: str = "https://api.zoom.us/v2"
    oauth_url: str = "https://zoom.us/oauth/token"
    mode: str = "live"
    timeout_seconds: float = 15.0
    connect_timeout_seconds: float = 5.0
    max_retries: int = 4
    max_retry_wait_seconds: float = 30.0
    rate_limit_per_second: float = 20.0
    background_share: float = 0.7
    rate_limit_max_wait_seconds: float = 10.0
    token_refresh_margin_seconds: float = 60.0
    cache_alias: str = "default"

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_base_url", self.api_base_url.rstrip("/"))
        if not 0 < self.background_share <= 1:
            raise ValueError("background_share must be in (0, 1].")

    @property
    def cache_namespace(self) -> str:
        """Cache keys are per (token endpoint, account, app): sandbox and live tokens never mix, and a
        rotated client id never reuses the old token. Hashed to keep keys short and free of ids."""
        raw = f"{self.oauth_url}|{self.account_id}|{self.client_id}"
        return "zoom:" + hashlib.sha256(raw.encode()).hexdigest()[:16]

    @classmethod
    def from_settings(cls, **overrides: Any) -> ZoomConfig:
        """Live mode uses the configured URLs and credentials; sandbox mode the simulator's fixed ones."""
        sandbox = settings.ZOOM_MODE == "sandbox"
        config = cls(
            mode=settings.ZOOM_MODE,
            account_id=SANDBOX_ACCOUNT_ID if sandbox else settings.ZOOM_ACCOUNT_ID,
            client_id=SANDBOX_CLIENT_ID if sandbox else settings.ZOOM_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET if sandbox else settings.ZOOM_CLIENT_SECRET,
            api_base_url=SANDBOX_API_BASE_URL if sandbox else settings.ZOOM_API_BASE_URL,
            oauth_url=SANDBOX_OAUTH_URL if sandbox else settings.ZOOM_OAUTH_URL,
            timeout_seconds=settings.ZOOM_TIMEOUT_SECONDS,
            connect_timeout_seconds=settings.ZOOM_CONNECT_TIMEOUT_SECONDS,
            max_retries=settings.ZOOM_MAX_RETRIES,
            rate_limit_per_second=settings.ZOOM_RATE_LIMIT_PER_SECOND,
            # Proposed settings; the defaults apply until settings.py defines them.
            max_retry_wait_seconds=getattr(settings, "ZOOM_MAX_RETRY_WAIT_SECONDS", 30.0),
            background_share=getattr(settings, "ZOOM_BACKGROUND_SHARE", 0.7),
            rate_limit_max_wait_seconds=getattr(settings, "ZOOM_RATE_LIMIT_MAX_WAIT_SECONDS", 10.0),
            cache_alias=getattr(settings, "ZOOM_CACHE_ALIAS", "default"),
        )
        return replace(config, **overrides) if overrides else config
