"""Secrets never reach the audit log."""

from __future__ import annotations

import pytest

from zoomadmin_site.audit.redaction import REDACTED, redact, redact_text

ZOOM_MEETING = {
    "id": 85746065432,
    "topic": "Board meeting",
    "password": "s3cret-pass",
    "h323_password": "123456",
    "pstn_password": "654321",
    "encrypted_password": "EnCrYpTeD",
    "start_url": "https://zoom.us/s/85746065432?zak=eyJ0eXAiOiJKV1Qi.zak.token",
    "join_url": "https://zoom.us/j/85746065432?pwd=Zm9vYmFy&from=addon",
    "settings": {"approval_type": 2, "Authorization": "Bearer abc.def"},
}


@pytest.mark.parametrize(
    "key",
    [
        "access_token",
        "ACCESS_TOKEN",
        "token",
        "client_secret",
        "Client_Secret",
        "secret",
        "password",
        "Password",
        "authorization",
        "Authorization",
        "start_url",
        "zak",
        "h323_password",
        "pstn_password",
        "encrypted_password",
        "refresh_token",
    ],
)
def test_redact_replaces_values_of_secret_keys_case_insensitively(key):
    assert redact({key: "hunter2", "other": "kept"}) == {key: REDACTED, "other": "kept"}


def test_redact_reaches_secrets_at_any_depth_in_dicts_and_lists():
    redacted = redact({"before": [{"meeting": ZOOM_MEETING}], "calls": [[{"token": "t0k"}]]})
    meeting = redacted["before"][0]["meeting"]
    for key in ("password", "h323_password", "pstn_password", "encrypted_password", "start_url"):
        assert meeting[key] == REDACTED
    assert meeting["settings"]["Authorization"] == REDACTED
    assert redacted["calls"][0][0]["token"] == REDACTED
    assert meeting["topic"] == "Board meeting"
    assert meeting["id"] == 85746065432


def test_redact_strips_pwd_from_join_urls_but_keeps_the_link_usable_for_reading():
    assert redact({"join_url": ZOOM_MEETING["join_url"]}) == {
        "join_url": f"https://zoom.us/j/85746065432?pwd={REDACTED}&from=addon"
    }
    assert redact_text("see https://zoom.us/j/1?pwd=abc") == f"see https://zoom.us/j/1?pwd={REDACTED}"


def test_redact_strips_tokens_hidden_in_other_strings():
    assert "eyJ0eXAi" not in redact_text("opened https://zoom.us/s/1?zak=eyJ0eXAi.x.y for the host")
    assert redact_text("Authorization: Bearer eyJhbGciOi.abc.def") == f"Authorization: Bearer {REDACTED}"


def test_redact_leaves_ordinary_values_and_empty_secrets_alone():
    value = {"role_id": "2", "count": 3, "ok": True, "none": None, "password": "", "nested": {"a": [1, "b"]}}
    assert redact(value) == value


def test_redact_does_not_change_its_input():
    original = {"password": "x", "list": [{"token": "y"}]}
    redact(original)
    assert original == {"password": "x", "list": [{"token": "y"}]}
