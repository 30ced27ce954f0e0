"""The whole client against the Zoom sandbox: in process (sandbox mode, httpx.WSGITransport) and served on
a real port through the live code path (plain HTTP transport, configured URLs and credentials)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from zoomadmin_site.sandbox import (
    API_USER_EMAIL,
    API_USER_ID,
    SCENARIOS,
    Sandbox,
    make_app,
    make_threaded_server,
)
from zoomadmin_site.zoom import (
    ZoomConfig,
    ZoomEndpointNotAvailable,
    ZoomNotFound,
    ZoomRequestError,
    ZoomScopeError,
    build_zoom_client,
    get_zoom_client,
    record_zoom_calls,
    reset_zoom_clients,
)

OLD_HOST = SCENARIOS["old_host"]["email"]
NEW_HOST = SCENARIOS["new_host"]["email"]


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    sandbox = Sandbox(tmp_path / "zoom-sandbox.sqlite3")
    sandbox.seed_demo(users=40, meetings=120, seed=7)
    sandbox.set_rate_limits(False)  # the fake sleep below would turn Zoom's 429 into a busy loop
    return sandbox


@pytest.fixture
def in_process(sandbox, settings, zoom_cache, clock):
    settings.ZOOM_MODE = "sandbox"
    settings.ZOOM_SANDBOX_STATE = sandbox.state_path
    config = ZoomConfig.from_settings(rate_limit_per_second=1000)
    client = build_zoom_client(config, cache=zoom_cache, sleep=clock.sleep)
    yield client
    client.close()


class TestInProcess:
    def test_lists_every_active_user_across_pages(self, in_process, sandbox):
        pages = list(in_process.iter_pages(in_process.list_users, page_size=7))

        ids = [user.id for page in pages for user in page.items]
        assert len(pages) > 1 and all(page.total_records == len(ids) for page in pages)
        assert len(ids) == len(set(ids)) == sandbox.user_count("active")

    def test_pending_users_are_listed_without_ids(self, in_process):
        pending = list(in_process.iter_users(status="pending"))

        assert SCENARIOS["pending_user"]["email"] in {u.email for u in pending}
        assert all(u.status == "pending" for u in pending)

    def test_gets_a_user_by_email_and_me(self, in_process):
        assert in_process.get_user(user_id=OLD_HOST).id == SCENARIOS["old_host"]["id"]
        me = in_process.get_user(user_id="me")
        assert (me.id, me.email, me.role_name) == (API_USER_ID, API_USER_EMAIL, "Admin")

    def test_unknown_user_is_not_found(self, in_process):
        with pytest.raises(ZoomNotFound) as caught:
            in_process.get_user(user_id="nobody@example.com")

        assert caught.value.code == 1001 and caught.value.tracking_id

    def test_roles_and_role_members(self, in_process):
        roles = {role.id: role for role in in_process.list_roles()}

        assert {"0", "1", "2", SCENARIOS["help_desk_role"]["id"]} <= set(roles)
        assert in_process.get_role(role_id="1").name == "Admin"
        members = list(in_process.iter_role_members(role_id=SCENARIOS["help_desk_role"]["id"], page_size=1))
        assert SCENARIOS["help_desk_role"]["member_email"] in {m.email for m in members}

    def test_assigning_and_unassigning_the_admin_role(self, in_process):
        member = SCENARIOS["promote_member"]

        added = in_process.assign_role(role_id="1", user_ids=[member["id"]])
        assert member["id"] in added.ids
        assert in_process.get_user(user_id=member["email"]).role_id == "1"

        in_process.unassign_role(role_id="1", member_id=member["id"])
        assert in_process.get_user(user_id=member["email"]).role_id == "2"

    def test_member_role_cannot_be_assigned_directly(self, in_process):
        with pytest.raises(ZoomRequestError) as caught:
            in_process.assign_role(role_id="2", emails=[SCENARIOS["admin"]["email"]])

        assert caught.value.reason == "system_role_members"

    def test_doubled_v2_base_url_is_explained(self, sandbox, zoom_cache, settings):
        settings.ZOOM_MODE = "sandbox"
        settings.ZOOM_SANDBOX_STATE = sandbox.state_path
        config = ZoomConfig.from_settings(api_base_url="https://api.zoom.us/v2/v2")
        client = build_zoom_client(config, cache=zoom_cache)

        with pytest.raises(ZoomEndpointNotAvailable) as caught:
            client.assign_role(role_id="1", user_ids=[SCENARIOS["promote_member"]["id"]])

        assert "/v2 prefix is doubled" in caught.value.explanation
        client.close()

    def test_scheduling_for_a_host_and_moving_the_meeting_to_a_new_host(self, in_process, sandbox):
        start = sandbox.now() + timedelta(days=3)

        created = in_process.create_meeting(
            topic="Client test", start_time=start, duration=30, schedule_for=OLD_HOST
        )
        meeting = in_process.get_meeting(meeting_id=created.id)
        assert (meeting.host_email, meeting.scheduler_of_record) == (OLD_HOST, API_USER_ID)
        assert meeting.start_time == start.replace(microsecond=0)

        in_process.update_meeting(meeting_id=created.id, schedule_for=NEW_HOST)
        assert in_process.get_meeting(meeting_id=str(created.id)).host_email == NEW_HOST

        in_process.delete_meeting(meeting_id=created.id)
        with pytest.raises(ZoomNotFound):
            in_process.get_meeting(meeting_id=created.id)

    def test_transfer_blocked_when_the_scheduler_of_record_may_not_schedule_for_the_new_host(
        self, in_process
    ):
        blocked = SCENARIOS["transfer_blocked"]

        with record_zoom_calls() as calls, pytest.raises(ZoomRequestError) as caught:
            in_process.update_meeting(meeting_id=blocked["meeting_id"], schedule_for=NEW_HOST)

        error = caught.value
        assert (error.status, error.code, error.reason) == (400, 3000, "cannot_schedule_for")
        assert "scheduler of record" in error.explanation and NEW_HOST in error.explanation
        assert (calls[-1].method, calls[-1].status, calls[-1].code) == ("PATCH", 400, 3000)
        assert calls[-1].tracking_id == error.tracking_id

    def test_transfer_works_when_created_by_the_api_user_for_the_host(self, in_process):
        works = SCENARIOS["transfer_works"]

        in_process.update_meeting(meeting_id=works["meeting_id"], schedule_for=NEW_HOST)

        assert in_process.get_meeting(meeting_id=works["meeting_id"]).host_email == NEW_HOST

    def test_started_meeting_cannot_be_moved(self, in_process):
        with pytest.raises(ZoomRequestError) as caught:
            in_process.update_meeting(
                meeting_id=SCENARIOS["started_meeting"]["meeting_id"], schedule_for=NEW_HOST
            )

        assert caught.value.reason == "meeting_started"

    def test_lists_a_hosts_meetings_and_assistants(self, in_process):
        meetings = list(in_process.iter_meetings(user_id=OLD_HOST, type="scheduled"))
        assistants = in_process.list_assistants(user_id=NEW_HOST)
        schedulers = in_process.list_schedulers(user_id=API_USER_ID)

        assert SCENARIOS["transfer_blocked"]["meeting_id"] in {m.id for m in meetings}
        assert SCENARIOS["host_assistant"]["email"] in {a.email for a in assistants}
        assert NEW_HOST in {s.email for s in schedulers}

    def test_an_expired_token_is_replaced_transparently(self, in_process, sandbox):
        in_process.get_user(user_id="me")
        sandbox.expire_tokens()

        with record_zoom_calls() as calls:
            assert in_process.get_user(user_id="me").id == API_USER_ID

        assert [(c.operation, c.status, c.code) for c in calls] == [
            ("get_user", 401, 124),
            ("oauth_token", 200, None),
            ("get_user", 200, None),
        ]

    def test_missing_scope_is_named_and_a_new_token_carries_it_once_added(self, in_process, sandbox):
        full = sandbox.scopes()
        sandbox.set_scopes([s for s in full if s != "role:write:member:admin"])
        in_process.invalidate_token()

        assert in_process.missing_scopes("assign_role", "get_user") == ["role:write:member:admin"]
        with pytest.raises(ZoomScopeError) as caught:
            in_process.assign_role(role_id="1", user_ids=[SCENARIOS["promote_member"]["id"]])
        assert "role:write:member:admin" in caught.value.missing_scopes

        sandbox.set_scopes(full)
        in_process.invalidate_token()
        assert in_process.missing_scopes("assign_role") == []


def test_the_live_code_path_against_the_sandbox_served_on_a_real_port(sandbox, settings, zoom_cache):
    server = make_threaded_server(make_app(sandbox.state_path), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.ZOOM_MODE = "live"
    settings.ZOOM_ACCOUNT_ID = "sandbox"
    settings.ZOOM_CLIENT_ID = "sandbox-client"
    settings.ZOOM_CLIENT_SECRET = "sandbox-secret"
    settings.ZOOM_API_BASE_URL = f"{base}/v2"
    settings.ZOOM_OAUTH_URL = f"{base}/oauth/token"
    reset_zoom_clients()
    try:
        client = get_zoom_client()
        users = list(client.iter_users(page_size=10))
        created = client.create_meeting(
            topic="Served test",
            start_time=sandbox.now() + timedelta(days=2),
            duration=45,
            schedule_for=OLD_HOST,
        )
        client.update_meeting(meeting_id=created.id, schedule_for=NEW_HOST)
        moved = client.get_meeting(meeting_id=created.id)
        with pytest.raises(ZoomRequestError) as blocked:
            client.update_meeting(
                meeting_id=SCENARIOS["transfer_blocked"]["meeting_id"], schedule_for=NEW_HOST
            )
    finally:
        reset_zoom_clients()
        server.shutdown()
        server.server_close()

    assert len(users) == sandbox.user_count("active")
    assert (moved.host_email, moved.scheduler_of_record) == (NEW_HOST, API_USER_ID)
    assert blocked.value.code == 3000
    served = sandbox.calls(route="PATCH /meetings/{meetingId}")
    assert [c.status for c in served][-2:] == [204, 400]
