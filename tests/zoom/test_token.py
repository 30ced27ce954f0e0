"""The Server-to-Server token: one per account and app, shared by every worker through the cache,
refreshed 60 s before it expires, by exactly one worker at a time; its scopes are kept and explained."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest

from zoomadmin_site.zoom import REQUIRED_SCOPES, ZoomClient, describe_missing_scopes

from .conftest import token_response

USER = {"id": "u1", "email": "a@example.com"}


@pytest.fixture
def users_api(zoom_api):
    return zoom_api.get("https://api.zoom.us/v2/users/u1").respond(200, json=USER)


def test_many_calls_need_one_token_request(zoom_api, users_api, client):
    for _ in range(5):
        client.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1
    assert users_api.call_count == 5


def test_workers_share_the_token_through_the_cache(zoom_api, users_api, make_client, config):
    first, second = make_client(config), make_client(config)

    first.get_user(user_id="u1")
    second.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1
    assert users_api.calls.last.request.headers["authorization"] == "Bearer tok-1"


def test_token_is_refreshed_sixty_seconds_before_it_expires(zoom_api, users_api, client, clock):
    zoom_api["token"].mock(side_effect=[token_response("tok-1", expires_in=3599), token_response("tok-2")])
    client.get_user(user_id="u1")

    clock.now += 3599 - 61
    client.get_user(user_id="u1")
    assert zoom_api["token"].call_count == 1

    clock.now += 2
    client.get_user(user_id="u1")
    assert zoom_api["token"].call_count == 2
    assert users_api.calls.last.request.headers["authorization"] == "Bearer tok-2"


def test_missing_expires_in_is_taken_as_zooms_usual_3599_seconds(zoom_api, users_api, client, clock):
    zoom_api["token"].mock(return_value=httpx.Response(200, json={"access_token": "tok-1", "scope": ""}))
    client.get_user(user_id="u1")

    clock.now += 3599 - 61
    client.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1


def test_invalidate_token_makes_the_next_call_fetch_a_new_one(zoom_api, users_api, client):
    zoom_api["token"].mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    client.get_user(user_id="u1")

    client.invalidate_token()
    client.get_user(user_id="u1")

    assert users_api.calls.last.request.headers["authorization"] == "Bearer tok-2"


def test_getting_a_new_token_in_one_worker_reaches_every_worker(zoom_api, users_api, make_client, config):
    """After scopes are added in the Marketplace, one click on "get a new token" must be enough."""
    zoom_api["token"].mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    clicked, other = make_client(config), make_client(config)
    other.get_user(user_id="u1")

    clicked.invalidate_token()
    other.get_user(user_id="u1")

    assert users_api.calls.last.request.headers["authorization"] == "Bearer tok-2"


def test_a_late_invalidation_does_not_drop_the_token_another_worker_just_fetched(
    zoom_api, users_api, make_client, config
):
    zoom_api["token"].mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    slow, fast = make_client(config), make_client(config)
    slow.get_user(user_id="u1")
    fast.invalidate_token()
    fast.get_user(user_id="u1")  # fetches tok-2

    slow._session.tokens.invalidate("tok-1")  # slow worker finally reacts to its 401 for tok-1
    slow.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 2
    assert users_api.calls.last.request.headers["authorization"] == "Bearer tok-2"


def test_concurrent_workers_make_exactly_one_token_request(zoom_api, zoom_cache, config):
    """Eight workers ask for a token at once; the first takes the lock and fetches, and the token endpoint
    answers only after all others are seen waiting on the lock."""
    workers = 8
    waiting: set[int] = set()
    everyone_waits = threading.Event()

    def waiter_sleep(seconds: float) -> None:
        waiting.add(threading.get_ident())
        if len(waiting) >= workers - 1:
            everyone_waits.set()
        time.sleep(0.001)

    def slow_token(request: httpx.Request) -> httpx.Response:
        assert everyone_waits.wait(timeout=5), "the other workers never waited on the lock"
        return token_response("tok-shared")

    zoom_api["token"].mock(side_effect=slow_token)
    clients = [ZoomClient(config, cache=zoom_cache, sleep=waiter_sleep) for _ in range(workers)]
    start = threading.Barrier(workers)
    tokens: list[str] = []

    def work(client: ZoomClient) -> None:
        start.wait()
        tokens.append(client._session.tokens.current().value)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert zoom_api["token"].call_count == 1
    assert tokens == ["tok-shared"] * workers
    for client in clients:
        client.close()


def test_a_worker_that_died_holding_the_lock_does_not_block_the_others_for_long(
    zoom_api, users_api, client, config, zoom_cache, clock
):
    zoom_cache.set(f"{config.cache_namespace}:token-lock", "dead-worker", timeout=60)
    started = clock.now

    client.get_user(user_id="u1")

    assert zoom_api["token"].call_count == 1
    assert 20 <= clock.now - started <= 30  # waited for the lock's lifetime, then fetched anyway


def test_the_cached_token_never_contains_the_client_secret(zoom_api, users_api, client, config, zoom_cache):
    client.get_user(user_id="u1")

    cached = zoom_cache.get(f"{config.cache_namespace}:token")
    assert cached["value"] == "tok-1"
    assert "secret-1" not in repr(cached)


def test_granted_scopes_come_from_the_token(zoom_api, client):
    zoom_api["token"].mock(return_value=token_response(scope="user:read:user:admin role:read:admin"))

    assert client.granted_scopes() == frozenset({"user:read:user:admin", "role:read:admin"})


def test_missing_scopes_names_the_granular_scope_to_add(zoom_api, client):
    zoom_api["token"].mock(
        return_value=token_response(scope="user:read:user:admin role:read:list_roles:admin")
    )

    missing = client.missing_scopes("get_user", "list_roles", "assign_role", "update_meeting")

    assert missing == ["role:write:member:admin", "meeting:update:meeting:admin"]
    sentence = describe_missing_scopes(missing)
    assert "`role:write:member:admin`" in sentence and "Marketplace" in sentence and "next token" in sentence


def test_a_classic_scope_satisfies_its_granular_counterpart(zoom_api, client):
    zoom_api["token"].mock(return_value=token_response(scope="role:write:admin meeting:write:admin"))

    assert client.missing_scopes("assign_role", "unassign_role", "create_meeting", "update_meeting") == []


def test_every_endpoint_method_declares_its_scopes():
    endpoint_methods = {
        name
        for name in dir(ZoomClient)
        if not name.startswith(("_", "iter_"))
        and name not in {"close", "granted_scopes", "missing_scopes", "invalidate_token"}
    }

    assert endpoint_methods == set(REQUIRED_SCOPES)


def test_debug_log_names_each_call_but_never_a_token_or_secret(zoom_api, users_api, client, caplog):
    with caplog.at_level(logging.DEBUG, logger="zoomadmin_site.zoom"):
        client.get_user(user_id="u1")

    assert "POST /oauth/token -> 200" in caplog.text
    assert "GET /v2/users/u1 -> 200" in caplog.text
    assert "tok-1" not in caplog.text and "secret-1" not in caplog.text and "Basic" not in caplog.text
