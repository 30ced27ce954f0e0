"""Every Zoom failure becomes one ZoomError subclass with a stable reason, an explanation and a remedy in
plain words, and an audit-safe ``to_dict()``."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from zoomadmin_site.zoom import (
    ZoomAuthError,
    ZoomBadResponse,
    ZoomConnectionError,
    ZoomEndpointNotAvailable,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomRequestError,
    ZoomScopeError,
    ZoomServerError,
    ZoomTimeout,
)

from .conftest import OAUTH_URL, zoom_error


@pytest.fixture
def once(make_client, config):
    """A client that does not retry, so each test sees the first answer's error."""
    return make_client(dataclasses.replace(config, max_retries=0))


def _raise(client, call, answer, zoom_api):
    if isinstance(answer, Exception):
        zoom_api.route(host="api.zoom.us").mock(side_effect=answer)
    else:
        zoom_api.route(host="api.zoom.us").mock(return_value=answer)
    with pytest.raises(ZoomError) as caught:
        call(client)
    return caught.value


GET_USER = lambda c: c.get_user(user_id="ghost@example.com")  # noqa: E731
PATCH_MEETING = lambda c: c.update_meeting(meeting_id=97763643886, schedule_for="new.host@example.com")  # noqa: E731
ASSIGN = lambda c: c.assign_role(role_id="2", user_ids=["u1"])  # noqa: E731

CATALOGUE = [
    # call, status, code, message, class, reason, retryable, words the explanation must contain
    (
        GET_USER,
        404,
        1001,
        "User does not exist: ghost@example.com.",
        ZoomNotFound,
        "user_not_found",
        False,
        ["no such user"],
    ),
    (
        GET_USER,
        400,
        1010,
        "User not found on this account: abc.",
        ZoomRequestError,
        "user_not_in_account",
        False,
        ["not part of this Zoom account"],
    ),
    (
        ASSIGN,
        400,
        1034,
        "Provided `role_id` does not exist.",
        ZoomNotFound,
        "role_not_found",
        False,
        ["role does not exist"],
    ),
    (
        GET_USER,
        400,
        1120,
        "A valid invitation to join the Zoom account was not found for this user.",
        ZoomRequestError,
        "invitation_expired",
        False,
        ["invitation", "expired"],
    ),
    (
        ASSIGN,
        400,
        300,
        "Can't delete or add members for Normal/Owner roles.",
        ZoomRequestError,
        "system_role_members",
        False,
        ["Owner or Member role"],
    ),
    (
        PATCH_MEETING,
        400,
        300,
        "The value that you entered for the schedule_for field is invalid. Enter a valid "
        "value and try again.",
        ZoomRequestError,
        "schedule_for_invalid",
        False,
        ["schedule_for"],
    ),
    (
        PATCH_MEETING,
        400,
        3000,
        "You cannot schedule a meeting for new.host@example.com",
        ZoomRequestError,
        "cannot_schedule_for",
        False,
        ["scheduler of record", "new.host@example.com", "assistant"],
    ),
    (
        PATCH_MEETING,
        400,
        3000,
        "You cannot update or delete meetings that have started using this method.",
        ZoomRequestError,
        "meeting_started",
        False,
        ["already started"],
    ),
    (
        PATCH_MEETING,
        400,
        3000,
        'Instant meetings do not support the "schedule_for" parameter.',
        ZoomRequestError,
        "instant_meeting",
        False,
        ["Instant meetings"],
    ),
    (
        PATCH_MEETING,
        400,
        3000,
        "Cannot access meeting information.",
        ZoomRequestError,
        "meeting_refused",
        False,
        ["refused to let this app change or read the meeting", "Cannot access meeting information."],
    ),
    (
        PATCH_MEETING,
        404,
        3001,
        "Meeting 97763643886 is not found or has expired.",
        ZoomNotFound,
        "meeting_not_found",
        False,
        ["does not exist or has expired"],
    ),
    (
        PATCH_MEETING,
        400,
        3003,
        "You are not the meeting host.",
        ZoomRequestError,
        "not_meeting_host",
        False,
        ["not this meeting's host"],
    ),
    (
        GET_USER,
        400,
        3161,
        "Meeting hosting and scheduling capabilities are not allowed for your user account.",
        ZoomRequestError,
        "hosting_not_allowed",
        False,
        ["hosting"],
    ),
    (
        GET_USER,
        400,
        200,
        "The user must either be a Licensed user or an On-prem user : u1.",
        ZoomRequestError,
        "zoom_refused",
        False,
        ["Licensed user"],
    ),
    (
        GET_USER,
        403,
        0,
        "Access to the Zoom REST API has been denied for this account",
        ZoomAuthError,
        "forbidden",
        False,
        ["denied"],
    ),
]


@pytest.mark.parametrize(
    ("call", "status", "code", "message", "cls", "reason", "retryable", "words"),
    CATALOGUE,
    ids=[f"{row[1]}-{row[2]}-{row[5]}" for row in CATALOGUE],
)
def test_zoom_code_maps_to_class_reason_and_plain_explanation(
    zoom_api, once, call, status, code, message, cls, reason, retryable, words
):
    error = _raise(once, call, zoom_error(status, code, message), zoom_api)

    assert type(error) is cls
    assert (error.reason, error.retryable, error.status, error.code) == (reason, retryable, status, code)
    assert error.zoom_message == message
    assert error.tracking_id == f"v=2.0;clid=us02;rid=WEB_{code}"
    for word in words:
        assert word in error.explanation
    assert error.remedy


def test_validation_error_lists_zooms_field_errors(zoom_api, once):
    answer = zoom_error(
        400, 300, "Validation Failed.", errors=[{"field": "settings.audio", "message": "Invalid"}]
    )

    error = _raise(once, lambda c: c.update_meeting(meeting_id=1, agenda="x"), answer, zoom_api)

    assert error.reason == "validation"
    assert error.errors[0].field == "settings.audio"
    assert "settings.audio: Invalid" in error.explanation


def test_expired_page_token_is_its_own_reason(zoom_api, once):
    answer = zoom_error(400, 300, "The next page token is invalid or expired.")

    error = _raise(once, lambda c: c.list_users(next_page_token="old"), answer, zoom_api)

    assert error.reason == "page_token_expired" and not error.retryable


@pytest.mark.parametrize(
    ("code", "message", "scopes"),
    [
        (
            4711,
            "Invalid access token, does not contain scopes:[role:write:member:admin, role:write:admin].",
            ("role:write:member:admin", "role:write:admin"),
        ),
        (4700, "Invalid access token, does not contain role:read:admin scope.", ("role:read:admin",)),
        (
            104,
            "Invalid access token, does not contain scopes:[phone:read:list_users:admin]",
            ("phone:read:list_users:admin",),
        ),
    ],
)
def test_missing_scope_errors_name_the_scopes_from_zooms_message(zoom_api, once, code, message, scopes):
    error = _raise(once, ASSIGN, zoom_error(400, code, message), zoom_api)

    assert isinstance(error, ZoomScopeError)
    assert error.missing_scopes == scopes
    assert f"`{scopes[0]}`" in error.explanation
    assert "Marketplace" in error.remedy and "new token" in error.remedy


def test_scope_error_without_names_falls_back_to_the_operations_granular_scope(zoom_api, once):
    error = _raise(once, ASSIGN, zoom_error(400, 4711, "Invalid access token."), zoom_api)

    assert error.missing_scopes == ("role:write:member:admin",)


class TestEndpointNotRecognized:
    """Code 2300 (zoom-api.md §1.1): not a permission or data problem; name the likely causes."""

    def test_is_not_a_not_found(self, zoom_api, once):
        error = _raise(once, ASSIGN, zoom_error(404, 2300, "This API endpoint is not recognized."), zoom_api)

        assert isinstance(error, ZoomEndpointNotAvailable) and not isinstance(error, ZoomNotFound)
        for cause in ("method", "app type", "plan", "master", "ZOOM_API_BASE_URL"):
            assert cause in error.explanation + error.remedy
        assert error.path == "/v2/roles/2/members" and error.method == "POST"

    def test_names_a_doubled_v2_prefix_when_that_is_what_was_sent(self, zoom_api, make_client, config):
        doubled = make_client(dataclasses.replace(config, api_base_url="https://api.zoom.us/v2/v2"))

        error = _raise(
            doubled, ASSIGN, zoom_error(404, 2300, "This API endpoint is not recognized."), zoom_api
        )

        assert "/v2 prefix is doubled" in error.explanation
        assert "/v2/v2/roles/2/members" in error.explanation

    def test_names_the_wrong_host(self, zoom_api, make_client, config):
        wrong_host = make_client(dataclasses.replace(config, api_base_url="https://zoom.us/v2"))
        zoom_api.route(host="zoom.us", path__startswith="/v2").mock(
            return_value=zoom_error(404, 2300, "This API endpoint is not recognized.")
        )

        with pytest.raises(ZoomEndpointNotAvailable) as caught:
            ASSIGN(wrong_host)

        assert "api.zoom.us" in caught.value.explanation


class TestRateLimits:
    def test_per_second_429_is_retryable_and_honours_retry_after(self, zoom_api, once):
        answer = zoom_error(
            429,
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
            headers={"Retry-After": "2"},
        )

        error = _raise(once, GET_USER, answer, zoom_api)

        assert isinstance(error, ZoomRateLimited)
        assert (error.limit_kind, error.retryable, error.retry_after) == ("per_second", True, 2.0)

    def test_per_second_429_without_retry_after_uses_x_ratelimit_reset(self, zoom_api, once, clock):
        reset = datetime.fromtimestamp(int(clock.now) + 3, tz=UTC)
        answer = zoom_error(
            429,
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
            headers={"X-RateLimit-Reset": str(int(reset.timestamp()))},
        )

        error = _raise(once, GET_USER, answer, zoom_api)

        assert isinstance(error, ZoomRateLimited) and error.limit_kind == "per_second"
        assert error.reset_at == reset and error.retry_after == pytest.approx(2.75)

    def test_daily_429_is_not_retryable_and_says_when_it_resets(self, zoom_api, once):
        answer = zoom_error(
            429,
            429,
            "You have reached the maximum daily rate limit for this API. Refer to the "
            "response header for details on when you can make another request.",
            headers={"X-RateLimit-Type": "Daily-limit", "Retry-After": "2027-01-15T00:00:00Z"},
        )

        error = _raise(once, GET_USER, answer, zoom_api)

        assert (error.limit_kind, error.retryable) == ("daily", False)
        assert error.reset_at == datetime(2027, 1, 15, tzinfo=UTC)
        assert "2027-01-15 00:00 UTC" in error.explanation

    def test_per_user_meeting_limit_resets_at_the_next_utc_midnight(self, zoom_api, once, clock):
        answer = zoom_error(
            429,
            429,
            "You have exceeded the daily rate limit (100) of Meeting Create/Update API "
            "requests permitted for this particular user. You may resume these requests at GMT "
            "00:00:00.",
        )

        error = _raise(once, PATCH_MEETING, answer, zoom_api)

        now = datetime.fromtimestamp(clock.now, tz=UTC)
        assert error.limit_kind == "meeting_user_daily" and error.is_daily and not error.retryable
        assert error.reset_at == datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        assert "100 meeting create/update requests per user per day" in error.explanation

    def test_old_style_maximum_meetings_message_under_code_300_is_the_same_daily_limit(self, zoom_api, once):
        answer = zoom_error(
            400, 300, "A maximum of 100 meetings can be created/updated for a single user in one day."
        )

        error = _raise(once, PATCH_MEETING, answer, zoom_api)

        assert isinstance(error, ZoomRateLimited) and error.limit_kind == "meeting_user_daily"

    def test_a_429_without_any_headers_or_body_is_still_a_rate_limit(self, zoom_api, once):
        error = _raise(once, GET_USER, httpx.Response(429), zoom_api)

        assert isinstance(error, ZoomRateLimited) and error.limit_kind == "per_second"


def test_server_error_on_a_write_warns_that_the_outcome_is_unknown(zoom_api, once):
    error = _raise(once, PATCH_MEETING, httpx.Response(502, text="Bad gateway"), zoom_api)

    assert isinstance(error, ZoomServerError) and error.retryable and error.outcome_unknown
    assert "check the current state in Zoom" in error.remedy


def test_server_error_on_a_read_is_retryable_without_caveat(zoom_api, once):
    error = _raise(once, GET_USER, zoom_error(500, 0, "Internal error"), zoom_api)

    assert isinstance(error, ZoomServerError) and error.retryable and not error.outcome_unknown


def test_read_timeout_on_a_write_is_an_unknown_outcome(zoom_api, once):
    error = _raise(once, PATCH_MEETING, httpx.ReadTimeout("timed out"), zoom_api)

    assert isinstance(error, ZoomTimeout) and error.outcome_unknown
    assert "15 seconds" in error.explanation
    assert error.path == "/v2/meetings/97763643886"


def test_connection_refused_on_a_write_is_known_not_to_have_reached_zoom(zoom_api, once):
    error = _raise(once, PATCH_MEETING, httpx.ConnectError("Connection refused"), zoom_api)

    assert isinstance(error, ZoomConnectionError) and not error.outcome_unknown
    assert "never received" in error.remedy


def test_non_json_error_answer_is_a_bad_response_naming_the_likely_middlebox(zoom_api, once):
    answer = httpx.Response(400, text="<html>Blocked by policy</html>", headers={"content-type": "text/html"})

    error = _raise(once, GET_USER, answer, zoom_api)

    assert isinstance(error, ZoomBadResponse) and "proxy" in error.explanation


def test_to_dict_is_json_ready_and_free_of_secrets(zoom_api, once):
    error = _raise(
        once,
        PATCH_MEETING,
        zoom_error(400, 3000, "You cannot schedule a meeting for x@example.com."),
        zoom_api,
    )

    record = error.to_dict()

    text = json.dumps(record)
    assert "tok-1" not in text and "secret-1" not in text
    assert record["method"] == "PATCH" and record["path"] == "/v2/meetings/97763643886"
    assert record["code"] == 3000 and record["reason"] == "cannot_schedule_for"
    assert record["tracking_id"] and record["explanation"] and record["remedy"]


class TestTokenEndpointErrors:
    @pytest.mark.parametrize(
        ("body", "reason", "remedy_word"),
        [
            (
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
                "invalid_client",
                "ZOOM_CLIENT_SECRET",
            ),
            (
                {"reason": "The app has been disabled by the developer", "error": "invalid_client"},
                "app_disabled",
                "Activation",
            ),
            (
                {"reason": "unsupported grant type", "error": "unsupported_grant_type"},
                "unsupported_grant_type",
                "Server-to-Server",
            ),
            (
                {"reason": "Invalid account_id", "error": "invalid_request"},
                "invalid_request",
                "ZOOM_ACCOUNT_ID",
            ),
        ],
    )
    def test_token_refusal_becomes_an_auth_error_with_a_remedy(
        self, zoom_api, once, body, reason, remedy_word
    ):
        zoom_api["token"].mock(return_value=httpx.Response(400, json=body))

        with pytest.raises(ZoomAuthError) as caught:
            once.get_user(user_id="me")

        assert caught.value.reason == reason
        assert remedy_word in caught.value.remedy
        assert body["reason"] in caught.value.explanation
        assert "secret-1" not in json.dumps(caught.value.to_dict())

    def test_token_endpoint_outage_is_a_retryable_server_error(self, zoom_api, once):
        zoom_api["token"].mock(return_value=httpx.Response(503))

        with pytest.raises(ZoomServerError) as caught:
            once.get_user(user_id="me")

        assert caught.value.retryable and "access token" in caught.value.explanation

    def test_token_answer_without_a_token_is_a_bad_response(self, zoom_api, once):
        zoom_api["token"].mock(return_value=httpx.Response(200, json={"token_type": "bearer"}))

        with pytest.raises(ZoomBadResponse):
            once.get_user(user_id="me")

    def test_token_endpoint_unreachable(self, zoom_api, once):
        zoom_api["token"].mock(side_effect=httpx.ConnectError("Name or service not known"))

        with pytest.raises(ZoomConnectionError) as caught:
            once.get_user(user_id="me")

        assert "access token" in caught.value.explanation and caught.value.path == "/oauth/token"
        assert str(caught.value.path) in OAUTH_URL


def test_cannot_schedule_for_on_create_names_the_path_user_and_the_remedy(zoom_api, once):
    answer = zoom_error(400, 3000, "You cannot schedule a meeting for weYlvJUTRtmzWbX7hwD4Kg.")

    error = _raise(
        once, lambda c: c.create_meeting(topic="x", schedule_for="weYlvJUTRtmzWbX7hwD4Kg"), answer, zoom_api
    )

    assert error.reason == "cannot_schedule_for"
    assert "being created under" in error.explanation
    assert "weYlvJUTRtmzWbX7hwD4Kg's assistants" in error.explanation
    assert "re-create the meeting for weYlvJUTRtmzWbX7hwD4Kg" in error.remedy
