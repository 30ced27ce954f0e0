"""The call log keeps what the sandbox answered, under a size policy (calllog.py): whole answers for writes
and errors, a marked 2 KB preview for successful GETs, nothing secret from the token endpoint."""

from __future__ import annotations

import json
import sqlite3

from zoomadmin_site.sandbox import SCENARIOS, Sandbox, calllog, make_app

from .conftest import api_client, get_token

HOST, NEW = SCENARIOS["old_host"]["email"], SCENARIOS["new_host"]["email"]
BLOCKED = SCENARIOS["transfer_blocked"]["meeting_id"]


def test_write_answers_are_logged_whole(seeded, zoom):
    created = zoom.post(
        f"/users/{HOST}/meetings", json={"topic": "Log", "start_time": "2026-03-09T10:00:00Z"}
    )
    moved = zoom.patch(f"/meetings/{created.json()['id']}", json={"topic": "Renamed"})
    refused = zoom.patch(f"/meetings/{BLOCKED}", json={"schedule_for": NEW})
    post, patch, failed = seeded.calls(writes_only=True)
    assert (post.answer, post.answer_truncated) == (created.json(), False)
    assert moved.status_code == 204 and patch.answer is None
    assert failed.answer == refused.json()
    assert failed.answer == {"code": 3000, "message": f"You cannot schedule a meeting for {NEW}."}


def test_error_answers_to_reads_are_logged_whole(seeded, zoom):
    answer = zoom.get("/users/nobody@example.com").json()
    (call,) = seeded.calls(method="GET")
    assert call.answer == answer and answer["code"] == 1001 and not call.answer_truncated


def test_small_read_answers_are_logged_whole(seeded, zoom):
    answer = zoom.get("/roles").json()
    (call,) = seeded.calls(method="GET")
    assert len(json.dumps(answer)) < calllog.GET_PREVIEW_BYTES
    assert (call.answer, call.answer_truncated) == (answer, False)


def test_large_read_answers_keep_only_a_marked_preview(seeded, zoom):
    response = zoom.get("/users", params={"page_size": 300})
    (call,) = seeded.calls(method="GET")
    assert len(response.content) > calllog.GET_PREVIEW_BYTES
    assert call.answer_truncated is True
    assert isinstance(call.answer, str) and len(call.answer.encode()) == calllog.GET_PREVIEW_BYTES
    assert response.text.startswith(call.answer)


def test_token_answers_are_logged_with_the_access_token_masked(sandbox, app):
    token = get_token(app).json()
    (call,) = sandbox.calls(path="/oauth/token")
    assert call.answer == {**token, "access_token": "***"}
    assert token["access_token"] not in repr(call)


def test_read_previews_older_than_the_preview_window_are_dropped_but_writes_keep_theirs(
    seeded, zoom, monkeypatch
):
    monkeypatch.setattr(calllog, "GET_PREVIEW_KEEP", 3)
    monkeypatch.setattr(calllog, "PRUNE_EVERY", 1)
    since = seeded.last_call_id()  # the token request
    zoom.get("/roles")
    zoom.patch("/users/me", json={"dept": "Ops"})
    zoom.get("/users/nobody@example.com")
    for _ in range(4):
        zoom.get("/users/me")
    old_read, write, old_error, *recent = seeded.calls(since_id=since)
    assert old_read.answer is None
    assert write.method == "PATCH" and write.answer is None and write.status == 204
    assert old_error.answer["code"] == 1001
    assert [call.answer is not None for call in recent] == [False, True, True, True]


def test_a_state_file_from_before_the_answer_columns_is_upgraded_in_place(state_path):
    Sandbox(state_path)
    with sqlite3.connect(state_path) as conn:
        conn.execute("ALTER TABLE calls DROP COLUMN answer_truncated")
        conn.execute("ALTER TABLE calls DROP COLUMN answer")
    with api_client(make_app(state_path)) as client:
        me = client.get("/users/me").json()
    assert Sandbox(state_path).calls(method="GET")[0].answer == me
