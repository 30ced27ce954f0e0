"""Configuration from settings, the per-process client factory (sandbox and live), and how callers
capture the Zoom calls made for the audit log."""

from __future__ import annotations

import json
import sys
import types

import httpx
import pytest

from zoomadmin_site.zoom import (
    ZoomConfig,
    ZoomNotFound,
    ZoomTimeout,
    get_zoom_client,
    record_zoom_calls,
    reset_zoom_clients,
)

from .conftest import zoom_error


@pytest.fixture(autouse=True)
def fresh_factory():
    reset_zoom_clients()
    yield
    reset_zoom_clients()


@pytest.fixture
def live_settings(settings):
    settings.ZOOM_MODE = "live"
    settings.ZOOM_ACCOUNT_ID = "live-acct"
    settings.ZOOM_CLIENT_ID = "live-client"
    settings.ZOOM_CLIENT_SECRET = "live-secret"
    settings.ZOOM_API_BASE_URL = "https://api-eu.zoom.us/v2/"
    settings.ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
    settings.ZOOM_MAX_RETRIES = 2
    return settings


def test_live_config_uses_the_configured_urls_and_credentials(live_settings):
    config = ZoomConfig.from_settings()

    assert (config.mode, config.account_id, config.client_id, config.client_secret) == (
        "live",
        "live-acct",
        "live-client",
        "live-secret",
    )
    assert config.api_base_url == "https://api-eu.zoom.us/v2"  # trailing slash dropped: no "//users"
    assert config.max_retries == 2 and config.timeout_seconds == live_settings.ZOOM_TIMEOUT_SECONDS


def test_sandbox_config_uses_the_simulators_fixed_credentials_and_zooms_urls(settings):
    settings.ZOOM_MODE = "sandbox"
    settings.ZOOM_CLIENT_SECRET = "ignored-in-sandbox"

    config = ZoomConfig.from_settings()

    assert (config.account_id, config.client_id, config.client_secret) == (
        "sandbox",
        "sandbox-client",
        "sandbox-secret",
    )
    assert (config.api_base_url, config.oauth_url) == (
        "https://api.zoom.us/v2",
        "https://zoom.us/oauth/token",
    )


def test_proposed_settings_are_used_once_defined(live_settings):
    live_settings.ZOOM_BACKGROUND_SHARE = 0.5
    live_settings.ZOOM_MAX_RETRY_WAIT_SECONDS = 12

    config = ZoomConfig.from_settings()

    assert (config.background_share, config.max_retry_wait_seconds) == (0.5, 12)


def test_config_repr_hides_the_client_secret(live_settings):
    assert "live-secret" not in repr(ZoomConfig.from_settings())


def test_sandbox_and_live_tokens_never_share_a_cache_key(live_settings):
    live = ZoomConfig.from_settings()
    live_settings.ZOOM_MODE = "sandbox"

    assert live.cache_namespace != ZoomConfig.from_settings().cache_namespace


def test_get_zoom_client_is_one_client_per_process_and_configuration(live_settings, zoom_cache):
    first = get_zoom_client()

    assert get_zoom_client() is first
    live_settings.ZOOM_MAX_RETRIES = 3
    assert get_zoom_client() is not first


def _fake_sandbox_app(environ, start_response):
    """Stands in for zoomadmin_site.sandbox.make_app(): a token and one user."""
    if environ["PATH_INFO"] == "/oauth/token":
        body = {"access_token": "sandbox-token", "expires_in": 3599, "scope": "user:read:user:admin"}
    else:
        body = {"id": "creator", "email": "api@sandbox.example.com", "path": environ["PATH_INFO"]}
    start_response("200 OK", [("Content-Type", "application/json"), ("x-zm-trackingid", "sbx-1")])
    return [json.dumps(body).encode()]


def test_sandbox_mode_talks_to_the_simulator_in_process(settings, zoom_cache, monkeypatch, tmp_path):
    settings.ZOOM_MODE = "sandbox"
    settings.ZOOM_SANDBOX_STATE = tmp_path / "sandbox.sqlite3"
    made: list[tuple] = []

    def make_app(state_path, *, account_id, client_id, client_secret):
        made.append((state_path, account_id, client_id, client_secret))
        return _fake_sandbox_app

    monkeypatch.setitem(sys.modules, "zoomadmin_site.sandbox", types.SimpleNamespace(make_app=make_app))

    user = get_zoom_client().get_user(user_id="me")

    assert user.id == "creator"
    assert made == [(tmp_path / "sandbox.sqlite3", "sandbox", "sandbox-client", "sandbox-secret")]


class TestCallRecorder:
    def test_collects_every_call_of_the_block_with_status_code_message_and_tracking_id(
        self, zoom_api, client
    ):
        zoom_api.patch("https://api.zoom.us/v2/meetings/5").mock(
            return_value=zoom_error(404, 3001, "Meeting 5 is not found or has expired.")
        )

        with record_zoom_calls() as calls, pytest.raises(ZoomNotFound):
            client.update_meeting(meeting_id=5, schedule_for="h@example.com")

        token_call, api_call = calls
        assert (token_call.method, token_call.path, token_call.status) == ("POST", "/oauth/token", 200)
        assert api_call.to_dict() | {"elapsed_ms": 0} == {
            "method": "PATCH",
            "path": "/v2/meetings/5",
            "status": 404,
            "code": 3001,
            "message": "Meeting 5 is not found or has expired.",
            "tracking_id": "v=2.0;clid=us02;rid=WEB_3001",
            "elapsed_ms": 0,
            "attempt": 1,
            "operation": "update_meeting",
            "error": "",
        }

    def test_records_calls_that_got_no_answer(self, zoom_api, client):
        zoom_api["token"].mock(
            return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 3599})
        )
        zoom_api.delete("https://api.zoom.us/v2/meetings/5").mock(side_effect=httpx.ReadTimeout("slow"))

        with record_zoom_calls() as calls, pytest.raises(ZoomTimeout):
            client.delete_meeting(meeting_id=5)

        assert (calls[-1].status, calls[-1].error) == (None, "timeout")

    def test_nested_blocks_each_see_their_own_calls(self, zoom_api, client):
        zoom_api.get("https://api.zoom.us/v2/roles").respond(200, json={"roles": []})
        client.list_roles()  # token fetched outside both blocks

        with record_zoom_calls() as outer:
            client.list_roles()
            with record_zoom_calls() as inner:
                client.list_roles()

        assert len(outer) == 2 and len(inner) == 1

    def test_an_on_call_hook_sees_every_call(self, zoom_api, make_client, config):
        seen = []
        hooked = make_client(config, on_call=seen.append)
        zoom_api.get("https://api.zoom.us/v2/roles").respond(200, json={"roles": []})

        hooked.list_roles()

        assert [c.operation for c in seen] == ["oauth_token", "list_roles"]
