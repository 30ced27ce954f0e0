"""Server-to-Server OAuth: one access token shared by every worker through Django's cache.

The token is kept until ``token_refresh_margin_seconds`` (60 s) before it expires. Exactly one worker
refreshes at a time: it takes a short ``cache.add`` lock, the others wait briefly and re-read the cache.
Zoom's answer lists the granted scopes; they are kept with the token (scopes are frozen into a token, so
after adding one in the Marketplace, ``invalidate()`` and the next token carries it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from django.core.cache.backends.base import BaseCache

from .catalogue import error_for_response
from .config import ZoomConfig
from .errors import ZoomAuthError, ZoomBadResponse, ZoomError
from .recorder import ZoomCall
from .wire import Answer, exchange, zoom_says

logger = logging.getLogger(__name__)

DEFAULT_EXPIRES_IN = 3599  # what real Zoom answers send (docs say 3600)


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    scopes: frozenset[str]
    expires_at: float
    api_url: str = ""

    def usable(self, now: float, margin: float) -> bool:
        return now < self.expires_at - margin

    def to_cache(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "scopes": sorted(self.scopes),
            "expires_at": self.expires_at,
            "api_url": self.api_url,
        }

    @classmethod
    def from_cache(cls, data: object) -> AccessToken | None:
        if not isinstance(data, dict) or not isinstance(data.get("value"), str):
            return None
        return cls(
            value=data["value"],
            scopes=frozenset(data.get("scopes") or ()),
            expires_at=float(data.get("expires_at") or 0),
            api_url=str(data.get("api_url") or ""),
        )


class TokenProvider:
    poll_seconds = 0.05

    def __init__(
        self,
        config: ZoomConfig,
        *,
        http: httpx.Client,
        cache: BaseCache,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        observe: Callable[[ZoomCall], None],
    ) -> None:
        self._config = config
        self._http = http
        self._cache = cache
        self._clock = clock
        self._sleep = sleep
        self._observe = observe
        self._key = f"{config.cache_namespace}:token"
        self._lock_key = f"{config.cache_namespace}:token-lock"
        self._lock_seconds = config.timeout_seconds + config.connect_timeout_seconds + 5

    def current(self) -> AccessToken:
        """A token valid for at least the refresh margin, fetched only if no worker has one. Read from the
        shared cache on every call (no per-process copy), so ``invalidate()`` in one worker reaches all."""
        deadline = self._clock() + self._lock_seconds
        owner = uuid.uuid4().hex
        while True:
            token = self._read_shared()
            if token:
                return token
            if self._cache.add(self._lock_key, owner, timeout=int(self._lock_seconds) + 1):
                try:
                    return self._read_shared() or self._fetch_and_share()
                finally:
                    if self._cache.get(self._lock_key) == owner:
                        self._cache.delete(self._lock_key)
            if self._clock() >= deadline:
                # The refreshing worker died or hangs; a second token is better than a failed request.
                logger.warning("zoom token lock held for %.0f s; fetching a token anyway", self._lock_seconds)
                return self._fetch_and_share()
            self._sleep(self.poll_seconds)

    def invalidate(self, value: str | None = None) -> None:
        """Drop the token (only if it is still ``value``, so a token another worker just fetched stays)."""
        shared = self._read_shared(check_expiry=False)
        if shared and (value is None or shared.value == value):
            self._cache.delete(self._key)

    def _read_shared(self, *, check_expiry: bool = True) -> AccessToken | None:
        token = AccessToken.from_cache(self._cache.get(self._key))
        if (
            token
            and check_expiry
            and not token.usable(self._clock(), self._config.token_refresh_margin_seconds)
        ):
            return None
        return token

    def _fetch_and_share(self) -> AccessToken:
        token = self._fetch()
        ttl = token.expires_at - self._config.token_refresh_margin_seconds - self._clock()
        self._cache.set(self._key, token.to_cache(), timeout=max(1, int(ttl)))
        return token

    def _fetch(self) -> AccessToken:
        # Reference: https://developers.zoom.us/docs/internal-apps/s2s-oauth/
        config = self._config
        request = self._http.build_request(
            "POST",
            config.oauth_url,
            data={"grant_type": "account_credentials", "account_id": config.account_id},
            headers={"Accept": "application/json"},
        )
        auth = httpx.BasicAuth(config.client_id, config.client_secret)
        try:
            answer = exchange(
                self._http, request, observe=self._observe, operation="oauth_token", is_write=False, auth=auth
            )
        except ZoomError as error:
            error.explanation = "While getting an access token: " + error.explanation
            raise
        if answer.status != 200:
            raise error_for_token_response(answer, now=datetime.fromtimestamp(self._clock(), tz=UTC))
        return self._parse(answer.body)

    def _parse(self, body: object) -> AccessToken:
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise ZoomBadResponse(
                "Zoom's token endpoint answered without an access token.",
                remedy="Check ZOOM_OAUTH_URL (normally https://zoom.us/oauth/token).",
                method="POST",
                path=httpx.URL(self._config.oauth_url).path,
            )
        try:
            expires_in = float(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        except (TypeError, ValueError):
            expires_in = DEFAULT_EXPIRES_IN
        return AccessToken(
            value=body["access_token"],
            scopes=frozenset(str(body.get("scope") or "").split()),
            expires_at=self._clock() + expires_in,
            api_url=str(body.get("api_url") or ""),
        )


# (does it match: (error kind, reason text lowercased, code) -> bool, reason, explanation, remedy)
_TOKEN_REFUSALS: list[tuple[Callable[[str, str, int | None], bool], str, str, str]] = [
    (
        lambda kind, text, code: "disabled" in text or "deactivated" in text,
        "app_disabled",
        "The Zoom app is not activated (or was deactivated).",
        "In the Zoom App Marketplace open the Server-to-Server OAuth app → Activation and activate it.",
    ),
    (
        lambda kind, text, code: kind == "invalid_client" or code in {4702, 4704, 4706},
        "invalid_client",
        "Zoom rejected the app credentials (client id or client secret).",
        "Copy Client ID and Client Secret again from the app's App Credentials page in the Zoom App "
        "Marketplace into ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET; a regenerated secret replaces the old one.",
    ),
    (
        lambda kind, text, code: kind == "unsupported_grant_type",
        "unsupported_grant_type",
        "Zoom did not accept the grant type account_credentials.",
        "The app must be a Server-to-Server OAuth app (not a general OAuth app), and ZOOM_OAUTH_URL must be "
        "https://zoom.us/oauth/token.",
    ),
    (
        lambda kind, text, code: kind == "invalid_request" or "account" in text,
        "invalid_request",
        "Zoom rejected the token request; usually the account id is wrong.",
        "Copy Account ID from the app's App Credentials page into ZOOM_ACCOUNT_ID.",
    ),
]


def error_for_token_response(a: Answer, *, now: datetime) -> ZoomError:
    """The error for a failed ``POST /oauth/token`` (its own error shape: ``{"error", "reason"}``)."""
    if a.status == 429 or a.status >= 500:
        error = error_for_response(a, operation="", now=now)
        error.explanation = "While getting an access token: " + error.explanation
        return error
    body = a.body or {}
    kind = str(body.get("error") or "")
    text = str(body.get("reason") or a.message)
    reason, explanation, remedy = (
        "token_refused",
        f"Zoom refused to issue an access token (HTTP {a.status}).",
        "Check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET and that the app is activated.",
    )
    for matches, *words in _TOKEN_REFUSALS:
        if matches(kind, text.lower(), a.code):
            reason, explanation, remedy = words
            break
    return ZoomAuthError(
        explanation + zoom_says(text), remedy=remedy, reason=reason, **{**a.common(), "zoom_message": text}
    )
