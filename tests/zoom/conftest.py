"""Fixtures for the Zoom client tests: an isolated cache, a fake clock whose sleep only moves time, a
client on fixed test credentials, and a respx router that answers the token endpoint."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest
import respx

from zoomadmin_site.zoom import ZoomClient, ZoomConfig

API = "https://api.zoom.us/v2"
OAUTH_URL = "https://zoom.us/oauth/token"
ALL_SCOPES = (
    "user:read:list_users:admin user:read:user:admin user:update:user:admin user:update:status:admin "
    "user:read:list_assistants:admin user:write:assistant:admin user:delete:assistant:admin "
    "user:read:list_schedulers:admin user:delete:scheduler:admin meeting:read:list_meetings:admin "
    "meeting:read:meeting:admin meeting:write:meeting:admin meeting:update:meeting:admin "
    "meeting:delete:meeting:admin role:read:list_roles:admin role:read:role:admin "
    "role:read:list_members:admin role:write:member:admin role:delete:member:admin"
)


class FakeClock:
    """Wall-clock stand-in: ``sleep`` records the wait and moves time forward instead of sleeping."""

    def __init__(self, start: float = 1_800_000_000.25) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def token_response(
    token: str = "tok-1",  # noqa: S107 - a fake token for the mocked token endpoint
    *,
    expires_in: int = 3599,
    scope: str = ALL_SCOPES,
) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": scope,
            "api_url": "https://api.zoom.us",
        },
    )


def zoom_error(status: int, code: int, message: str, **extra: Any) -> httpx.Response:
    headers = {"x-zm-trackingid": f"v=2.0;clid=us02;rid=WEB_{code}", **extra.pop("headers", {})}
    return httpx.Response(status, json={"code": code, "message": message, **extra}, headers=headers)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


@pytest.fixture
def zoom_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "zoom-client-tests",
        }
    }
    from django.core.cache import caches

    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> ZoomConfig:
    return ZoomConfig(
        account_id="acct-1",
        client_id="client-1",
        client_secret="secret-1",
        api_base_url=API,
        oauth_url=OAUTH_URL,
        max_retries=4,
        max_retry_wait_seconds=30,
        rate_limit_per_second=1000,
    )


@pytest.fixture
def make_client(zoom_cache, clock):
    """Build clients that share the test cache and clock (like two workers sharing Redis)."""
    clients: list[ZoomClient] = []

    def make(config: ZoomConfig, **options: Any) -> ZoomClient:
        options = {
            "clock": clock,
            "sleep": clock.sleep,
            "rng": random.Random(7),
            "cache": zoom_cache,
            **options,
        }
        client = ZoomClient(config, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client, config) -> ZoomClient:
    return make_client(config)


@pytest.fixture
def zoom_api():
    """respx router; the token endpoint (route "token") answers a fresh token unless a test re-mocks it."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(OAUTH_URL, name="token").mock(return_value=token_response())
        yield router
