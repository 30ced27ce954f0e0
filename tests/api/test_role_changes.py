"""The JSON API's role-change endpoints, on the sandbox: the same rules and audit as the web, through
role_change_request; token authentication only (no session, no CSRF token needed)."""

from __future__ import annotations

import pytest

from zoomadmin_site.api.tokens import api_token_create
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Source

PRIYA = "priya.raman@example.com"  # a Member
NORA = "nora.haddad@example.com"  # an Admin
OWNER = "owner@example.com"
ROLE_CHANGES = "/api/v1/role-changes"
PROMOTE = {"user": PRIYA, "role": "Admin", "reason": "Runs the webinar team"}

pytestmark = pytest.mark.django_db


def test_a_promotion_is_recorded_pending_and_polled(api, zoom_sandbox, alice, alice_token):
    response = api.post(ROLE_CHANGES, PROMOTE, token=alice_token)
    assert response.status_code == 201, response.json()
    body = response.json()
    request = ChangeRequest.objects.get()
    assert (body["id"], body["status"]) == (request.pk, "pending")
    assert (request.source, request.requester) == (Source.API, alice)
    assert body["summary"] == f"Change {PRIYA} from Member to Admin"
    assert body["needs_approval"] is True
    assert [(c["method"], c["path"]) for c in body["plan"]["calls"]] == [("POST", "/roles/1/members")]
    assert {c["key"] for c in body["plan"]["checks"]} >= {"user", "role", "owner", "scopes"}
    assert all(c["outcome"] == "pass" for c in body["plan"]["checks"])
    assert body["links"]["self"].endswith(f"{ROLE_CHANGES}/{request.pk}")
    assert response["Location"] == body["links"]["self"]
    assert zoom_sandbox.user(PRIYA)["role_id"] == "2"

    polled = api.get(f"{ROLE_CHANGES}/{request.pk}", token=alice_token)
    assert polled.status_code == 200
    state = polled.json()
    assert (state["id"], state["status"], state["requester"], state["source"]) == (
        request.pk,
        "pending",
        "alice",
        "api",
    )
    assert state["decisions"] == [] and state["expires_at"] and state["finished_at"] is None
    assert state["reason"] == "Runs the webinar team"


def test_polling_shows_the_managers_decision_and_the_outcome(api, zoom_sandbox, alice, morgan, alice_token):
    from accounts.role_changes import role_change_approve

    pk = api.post(ROLE_CHANGES, PROMOTE, token=alice_token).json()["id"]
    role_change_approve(request_id=pk, actor=morgan, comment="Agreed with her manager")
    state = api.get(f"{ROLE_CHANGES}/{pk}", token=alice_token).json()
    assert state["status"] == "succeeded", state["outcome_reason"]
    assert f"Zoom shows {PRIYA} as Admin" in state["outcome_reason"]
    assert state["finished_at"] and state["decided_at"]
    (decision,) = state["decisions"]
    assert (decision["approver"], decision["decision"], decision["counts"]) == ("morgan", "approve", True)


def test_a_demotion_runs_at_once_and_answers_with_zooms_read_back(api, zoom_sandbox, alice_token):
    body = {"user": NORA, "role": {"role_name": "Member"}, "reason": "Left the IT team"}
    response = api.post(ROLE_CHANGES, body, token=alice_token)
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "succeeded"
    assert f"Zoom shows {NORA} as Member" in answer["outcome_reason"]
    assert zoom_sandbox.user(NORA)["role_id"] == "2"


def test_a_dry_run_answers_200_with_the_plan_and_records_nothing(api, zoom_sandbox, alice_token):
    response = api.post(ROLE_CHANGES, {**PROMOTE, "dry_run": True, "hours": 4}, token=alice_token)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None and body["status"] == "dry_run"
    assert body["plan"]["calls"][0]["path"] == "/roles/1/members"
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="role_change.").exists()


def test_a_time_bound_change_keeps_its_hours_and_role_ids_work(api, zoom_sandbox, alice_token):
    body = {"user": PRIYA, "role": {"role_id": "1"}, "reason": "On call", "hours": 8}
    assert api.post(ROLE_CHANGES, body, token=alice_token).status_code == 201
    assert ChangeRequest.objects.get().duration_hours == 8


# --- refusals -----------------------------------------------------------------------------------------


def test_the_account_owner_is_refused_with_422_and_the_failed_check(api, zoom_sandbox, alice_token):
    response = api.post(ROLE_CHANGES, {**PROMOTE, "user": OWNER}, token=alice_token)
    assert response.status_code == 422
    body = response.json()
    assert "will not send this change" in body["error"] and "portal" in body["error"]
    failed = [c for c in body["checks"] if c["outcome"] == "fail"]
    assert [c["key"] for c in failed] == ["owner"]
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.filter(action="role_change.request", outcome="denied").count() == 1


def test_a_refused_dry_run_is_a_422_too(api, zoom_sandbox, alice_token):
    response = api.post(ROLE_CHANGES, {**PROMOTE, "user": OWNER, "dry_run": True}, token=alice_token)
    assert response.status_code == 422
    assert any(c["key"] == "owner" and c["outcome"] == "fail" for c in response.json()["checks"])


def test_an_unknown_role_is_refused_naming_zooms_roles(api, zoom_sandbox, alice_token):
    response = api.post(ROLE_CHANGES, {**PROMOTE, "role": "Wizard"}, token=alice_token)
    assert response.status_code == 422
    assert "Zoom lists no role “Wizard”" in response.json()["error"]


def test_an_unknown_user_is_refused(api, zoom_sandbox, alice_token):
    response = api.post(ROLE_CHANGES, {**PROMOTE, "user": "nobody@example.com"}, token=alice_token)
    assert response.status_code == 422
    assert "Zoom has no user nobody@example.com" in response.json()["error"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_missing_reason_is_refused(api, zoom_sandbox, alice_token, reason):
    body = {"user": PRIYA, "role": "Admin"} | ({} if reason is None else {"reason": reason})
    response = api.post(ROLE_CHANGES, body, token=alice_token)
    assert response.status_code == 422
    assert response.json()["error"].startswith("Give a reason")
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("not json", "must be a JSON object"),
        ([1, 2], "must be a JSON object"),
        ({"role": "Admin", "reason": "x"}, "Give user"),
        ({"user": "not an email", "role": "Admin", "reason": "x"}, "neither a Zoom user id nor an email"),
        ({"user": PRIYA, "reason": "x"}, "Give role"),
        ({"user": PRIYA, "role": {"name": "Admin"}, "reason": "x"}, "Give role"),
        ({"user": PRIYA, "role": "Admin", "reason": 3}, "reason must be text"),
        ({"user": PRIYA, "role": "Admin", "reason": "x", "hours": 0}, "hours must be a whole number"),
        ({"user": PRIYA, "role": "Admin", "reason": "x", "hours": "8"}, "hours must be a whole number"),
        ({"user": PRIYA, "role": "Admin", "reason": "x", "hours": 10**9}, "hours must be a whole number"),
        ({"user": PRIYA, "role": "Admin", "reason": "x", "dry_run": "yes"}, "dry_run must be true or false"),
        ({"user": PRIYA, "role": "Admin", "reason": "x", "dryrun": True}, "Unknown fields: dryrun"),
    ],
)
def test_a_malformed_body_is_a_400_before_zoom_is_asked(api, alice_token, body, words):
    response = api.post(ROLE_CHANGES, body, token=alice_token)
    assert response.status_code == 400
    assert words in response.json()["error"] and response.json()["checks"] == []
    assert not ChangeRequest.objects.exists()


def test_a_zoom_error_is_a_502_in_plain_words(api, alice_token, monkeypatch):
    from zoomadmin_site.api import views
    from zoomadmin_site.zoom import ZoomError

    def fail(**kwargs):
        raise ZoomError("Zoom is not reachable.", remedy="Try again in a minute.")

    monkeypatch.setattr(views, "role_change_request", fail)
    response = api.post(ROLE_CHANGES, PROMOTE, token=alice_token)
    assert response.status_code == 502
    assert (
        response.json()["error"] == "Zoom could not be asked: Zoom is not reachable. Try again in a minute."
    )


def test_polling_an_unknown_request_is_a_404_in_json(api, alice_token):
    response = api.get(f"{ROLE_CHANGES}/999", token=alice_token)
    assert response.status_code == 404
    assert response.json()["error"] == "There is no role-change request #999."


# --- authentication and permission --------------------------------------------------------------------


def test_no_token_is_a_401_in_json(api, db):
    response = api.post(ROLE_CHANGES, PROMOTE)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["error"]


@pytest.mark.parametrize("header", ["Token za_x", "Bearer ", "Basic YWxpY2U6eA=="])
def test_other_authorization_schemes_are_refused(client, db, header):
    response = client.post(
        ROLE_CHANGES, {}, content_type="application/json", headers={"Authorization": header}
    )
    assert response.status_code == 401


def test_a_revoked_token_is_a_401(api, alice, alice_token):
    from zoomadmin_site.api.models import ApiToken
    from zoomadmin_site.api.tokens import api_token_revoke

    api_token_revoke(token_id=ApiToken.objects.get().pk, actor=alice)
    response = api.get(f"{ROLE_CHANGES}/1", token=alice_token)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_session_cookie_is_not_accepted(alice_client, zoom_sandbox):
    response = alice_client.post(ROLE_CHANGES, PROMOTE, content_type="application/json")
    assert response.status_code == 401
    assert alice_client.get(f"{ROLE_CHANGES}/1").status_code == 401
    assert not ChangeRequest.objects.exists()


def test_no_csrf_token_is_needed_with_an_api_token(zoom_sandbox, alice, alice_token):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        ROLE_CHANGES,
        PROMOTE,
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_token}"},
    )
    assert response.status_code == 201


def test_a_session_with_a_token_acts_as_the_tokens_operator(client, zoom_sandbox, alice_token, morgan):
    client.force_login(morgan)
    response = client.post(
        ROLE_CHANGES,
        PROMOTE,
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_token}"},
    )
    assert response.status_code == 201
    assert ChangeRequest.objects.get().requester_label == "alice"


@pytest.mark.parametrize("name", ["morgan", "audrey", "charlie"])
def test_an_operator_without_request_role_change_gets_a_403_and_an_access_denied_event(api, request, name):
    operator = request.getfixturevalue(name)
    _, raw = api_token_create(operator=operator, name="x", actor=operator)
    response = api.post(ROLE_CHANGES, PROMOTE, token=raw)
    assert response.status_code == 403
    assert "request_role_change" in response.json()["error"]
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_label, event.outcome, event.target_id) == (name, "denied", ROLE_CHANGES)
    assert event.after["permission"] == "request_role_change"
    assert not ChangeRequest.objects.exists()
    # Reading is refused too, but a refused read is not an audit event (as on the web).
    assert api.get(f"{ROLE_CHANGES}/1", token=raw).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_audit_events_name_the_tokens_operator_and_the_request(api, zoom_sandbox, alice_token):
    api.post(ROLE_CHANGES, PROMOTE, token=alice_token)
    event = AuditEvent.objects.get(action="role_change.request")
    assert (event.actor_label, event.outcome, event.reason) == ("alice", "succeeded", "Runs the webinar team")
    assert event.request_id and event.source_ip == "127.0.0.1"


@pytest.mark.parametrize(("method", "path"), [("get", ROLE_CHANGES), ("post", f"{ROLE_CHANGES}/1")])
def test_the_wrong_method_is_a_405_in_json(client, db, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert "error" in response.json()
