"""Reads retry on transient failures with Retry-After, X-RateLimit-Reset or backoff; writes are never
retried blindly; a refused token (401 / code 124) is replaced and the request sent once more, and a
failure to get a token is retried, for reads and writes (neither lets a write reach Zoom)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from zoomadmin_site.zoom import (
    ZoomAuthError,
    ZoomConnectionError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomServerError,
    ZoomTimeout,
    record_zoom_calls,
)

from .conftest import token_response, zoom_error

USER = httpx.Response(200, json={"id": "u1", "email": "a@example.com"})
PER_SECOND = "You have reached the maximum per-second rate limit for this API. Try again later."


def _user_route(zoom_api, *answers):
    return zoom_api.get("https://api.zoom.us/v2/users/u1").mock(side_effect=list(answers))


class TestReadsAreRetried:
    def test_after_429_with_retry_after_in_seconds(self, zoom_api, client, clock):
        route = _user_route(zoom_api, zoom_error(429, 429, PER_SECOND, headers={"Retry-After": "3"}), USER)

        assert client.get_user(user_id="u1").id == "u1"

        assert route.call_count == 2
        assert clock.sleeps == [3.0]

    def test_after_429_with_retry_after_as_http_date(self, zoom_api, client, clock):
        moment = datetime.fromtimestamp(clock.now, tz=UTC).replace(microsecond=0) + timedelta(seconds=5)
        route = _user_route(
            zoom_api,
            zoom_error(429, 429, PER_SECOND, headers={"Retry-After": format_datetime(moment, usegmt=True)}),
            USER,
        )

        client.get_user(user_id="u1")

        assert route.call_count == 2
        assert clock.sleeps == [pytest.approx(4.75)]  # the fake clock starts a quarter second into a second

    def test_after_429_with_retry_after_as_iso_timestamp(self, zoom_api, client, clock):
        moment = datetime.fromtimestamp(clock.now + 2, tz=UTC)
        _user_route(
            zoom_api, zoom_error(429, 429, PER_SECOND, headers={"Retry-After": moment.isoformat()}), USER
        )

        client.get_user(user_id="u1")

        assert clock.sleeps == [pytest.approx(2.0)]

    def test_after_429_with_only_a_qps_hint_waits_one_second(self, zoom_api, client, clock):
        _user_route(zoom_api, zoom_error(429, 429, PER_SECOND, headers={"X-RateLimit-Type": "QPS"}), USER)

        client.get_user(user_id="u1")

        assert clock.sleeps == [1.0]

    def test_after_429_with_only_x_ratelimit_reset_as_epoch_seconds(self, zoom_api, client, clock):
        reset = str(int(clock.now) + 4)  # the fake clock starts a quarter second into a second
        route = _user_route(
            zoom_api, zoom_error(429, 429, PER_SECOND, headers={"X-RateLimit-Reset": reset}), USER
        )

        client.get_user(user_id="u1")

        assert route.call_count == 2
        assert clock.sleeps == [pytest.approx(3.75)]

    def test_retry_after_wins_over_x_ratelimit_reset(self, zoom_api, client, clock):
        headers = {"Retry-After": "2", "X-RateLimit-Reset": str(int(clock.now) + 9)}
        _user_route(zoom_api, zoom_error(429, 429, PER_SECOND, headers=headers), USER)

        client.get_user(user_id="u1")

        assert clock.sleeps == [2.0]

    def test_without_any_hint_backs_off_exponentially_with_jitter(self, zoom_api, client, clock):
        _user_route(zoom_api, httpx.Response(503), httpx.Response(503), httpx.Response(503), USER)

        client.get_user(user_id="u1")

        first, second, third = clock.sleeps
        assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0 and 1.0 <= third <= 2.0

    @pytest.mark.parametrize(
        "failure",
        [
            httpx.Response(500),
            httpx.ReadTimeout("slow"),
            httpx.ConnectError("refused"),
            httpx.RemoteProtocolError("x"),
        ],
        ids=["5xx", "read-timeout", "connect-error", "dropped-connection"],
    )
    def test_after_server_errors_timeouts_and_connection_errors(self, zoom_api, client, failure):
        route = _user_route(zoom_api, failure, USER)

        assert client.get_user(user_id="u1").id == "u1"
        assert route.call_count == 2

    def test_up_to_max_retries_then_the_last_error_is_raised(self, zoom_api, client, clock):
        route = _user_route(zoom_api, *[httpx.Response(502)] * 10)

        with pytest.raises(ZoomServerError):
            client.get_user(user_id="u1")

        assert route.call_count == 5  # the first attempt and ZOOM_MAX_RETRIES=4 retries
        assert len(clock.sleeps) == 4

    def test_never_waiting_longer_in_total_than_the_cap(self, zoom_api, client, clock):
        route = _user_route(zoom_api, zoom_error(429, 429, PER_SECOND, headers={"Retry-After": "60"}), USER)

        with pytest.raises(ZoomRateLimited) as caught:
            client.get_user(user_id="u1")

        assert route.call_count == 1 and clock.sleeps == []
        assert caught.value.retry_after == 60.0

    def test_but_not_after_a_daily_limit(self, zoom_api, client, clock):
        route = _user_route(
            zoom_api,
            zoom_error(
                429,
                429,
                "You have reached the maximum daily rate limit for this API.",
                headers={"X-RateLimit-Type": "Daily-limit"},
            ),
            USER,
        )

        with pytest.raises(ZoomRateLimited) as caught:
            client.get_user(user_id="u1")

        assert route.call_count == 1 and clock.sleeps == []
        assert caught.value.is_daily and caught.value.reset_at is not None

    def test_but_not_after_a_business_error(self, zoom_api, client):
        route = _user_route(zoom_api, zoom_error(404, 1001, "User does not exist: u1."), USER)

        with pytest.raises(ZoomNotFound):
            client.get_user(user_id="u1")

        assert route.call_count == 1

    def test_every_attempt_is_recorded_for_the_audit_log(self, zoom_api, client):
        _user_route(zoom_api, zoom_error(500, 0, "oops"), USER)

        with record_zoom_calls() as calls:
            client.get_user(user_id="u1")

        api_calls = [c for c in calls if c.operation == "get_user"]
        assert [(c.status, c.attempt) for c in api_calls] == [(500, 1), (200, 2)]


WRITES = [
    pytest.param(
        lambda c: c.create_meeting(topic="x"),
        "POST",
        "https://api.zoom.us/v2/users/me/meetings",
        id="create_meeting",
    ),
    pytest.param(
        lambda c: c.update_meeting(meeting_id=1, schedule_for="h@example.com"),
        "PATCH",
        "https://api.zoom.us/v2/meetings/1",
        id="update_meeting",
    ),
    pytest.param(
        lambda c: c.update_user_status(user_id="u1", action="deactivate"),
        "PUT",
        "https://api.zoom.us/v2/users/u1/status",
        id="update_user_status",
    ),
    pytest.param(
        lambda c: c.unassign_role(role_id="1", member_id="u1"),
        "DELETE",
        "https://api.zoom.us/v2/roles/1/members/u1",
        id="unassign_role",
    ),
]


class TestWritesAreNeverRetriedBlindly:
    @pytest.mark.parametrize(("call", "method", "url"), WRITES)
    @pytest.mark.parametrize(
        ("failure", "error"),
        [
            (httpx.Response(500), ZoomServerError),
            (httpx.ReadTimeout("slow"), ZoomTimeout),
            (httpx.ConnectError("refused"), ZoomConnectionError),
            (zoom_error(429, 429, PER_SECOND, headers={"Retry-After": "1"}), ZoomRateLimited),
        ],
        ids=["5xx", "timeout", "connect-error", "429"],
    )
    def test_on_any_failure(self, zoom_api, client, clock, call, method, url, failure, error):
        route = zoom_api.request(method, url).mock(side_effect=[failure, httpx.Response(204)])

        with pytest.raises(error):
            call(client)

        assert route.call_count == 1 and clock.sleeps == []


class TestTokenFailureBeforeAWriteIsRetried:
    """The token comes before the write is sent: a token endpoint that times out or answers 5xx has not
    let the write reach Zoom, so getting the token is retried; the write still goes out exactly once."""

    @pytest.mark.parametrize(("call", "method", "url"), WRITES)
    @pytest.mark.parametrize(
        "failure",
        [httpx.ReadTimeout("slow"), httpx.Response(503), httpx.ConnectError("refused")],
        ids=["timeout", "5xx", "connect-error"],
    )
    def test_the_token_is_fetched_again_and_the_write_sent_once(
        self, zoom_api, client, clock, call, method, url, failure
    ):
        zoom_api["token"].mock(side_effect=[failure, token_response("tok-2")])
        answer = httpx.Response(201, json={"id": 5}) if method == "POST" else httpx.Response(204)
        route = zoom_api.request(method, url).mock(return_value=answer)

        call(client)

        assert zoom_api["token"].call_count == 2 and len(clock.sleeps) == 1
        assert route.call_count == 1
        assert route.calls.last.request.headers["authorization"] == "Bearer tok-2"

    def test_until_max_retries_then_the_token_error_is_raised_and_nothing_was_written(self, zoom_api, client):
        zoom_api["token"].mock(return_value=httpx.Response(503))
        route = zoom_api.post("https://api.zoom.us/v2/users/me/meetings").mock(
            return_value=httpx.Response(201, json={"id": 5})
        )

        with pytest.raises(ZoomServerError) as caught:
            client.create_meeting(topic="x")

        assert zoom_api["token"].call_count == 5 and route.call_count == 0
        assert "access token" in caught.value.explanation and not caught.value.outcome_unknown


class TestRefusedTokenIsReplacedOnce:
    @pytest.fixture
    def two_tokens(self, zoom_api):
        zoom_api["token"].mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
        return zoom_api["token"]

    @staticmethod
    def _only_tok_2(answer):
        def respond(request):
            if request.headers["authorization"] == "Bearer tok-2":
                return answer
            return zoom_error(401, 124, "Access token is expired.")

        return respond

    def test_for_a_read(self, zoom_api, client, two_tokens):
        route = zoom_api.get("https://api.zoom.us/v2/users/u1").mock(side_effect=self._only_tok_2(USER))

        assert client.get_user(user_id="u1").id == "u1"

        assert two_tokens.call_count == 2 and route.call_count == 2

    @pytest.mark.parametrize(("call", "method", "url"), WRITES)
    def test_for_a_write_because_the_refused_request_did_not_run(
        self, zoom_api, client, two_tokens, call, method, url
    ):
        answer = httpx.Response(201, json={"id": 5}) if method == "POST" else httpx.Response(204)
        route = zoom_api.request(method, url).mock(side_effect=self._only_tok_2(answer))

        call(client)

        assert two_tokens.call_count == 2 and route.call_count == 2
        assert route.calls.last.request.headers["authorization"] == "Bearer tok-2"

    def test_also_when_zoom_sends_code_124_with_http_400(self, zoom_api, client, two_tokens):
        def respond(request):
            if request.headers["authorization"] == "Bearer tok-2":
                return USER
            return zoom_error(400, 124, "Invalid access token.")

        zoom_api.get("https://api.zoom.us/v2/users/u1").mock(side_effect=respond)

        assert client.get_user(user_id="u1").id == "u1"

    def test_only_once_then_an_auth_error(self, zoom_api, make_client, config, two_tokens):
        client = make_client(dataclasses.replace(config, max_retries=0))
        route = zoom_api.get("https://api.zoom.us/v2/users/u1").mock(
            return_value=zoom_error(401, 124, "Invalid access token.")
        )

        with pytest.raises(ZoomAuthError) as caught:
            client.get_user(user_id="u1")

        assert two_tokens.call_count == 2 and route.call_count == 2
        assert caught.value.reason == "token_rejected"
