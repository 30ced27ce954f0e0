"""Every outcome of the role-change preflight, on the sandbox: what Zoom shows decides each check, and a
failing check says why and what to do, in words."""

from __future__ import annotations

import pytest

from accounts.role_changes import ROLES_API_2300, role_change_preflight, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest
from zoomadmin_site.changes.services import ChangeRefused
from zoomadmin_site.sandbox.knobs import DEFAULT_SCOPES

from .support import ADMIN, GRACE, HELP_DESK, MEMBER, NORA, OLIVIA, OWNER, PRIYA, role_writes

pytestmark = pytest.mark.django_db


def failed(plan) -> dict[str, str]:
    return {check.key: f"{check.reason} {check.remedy}" for check in plan.failures}


def test_a_user_zoom_does_not_know_fails_with_1001_and_nothing_is_planned(zoom_sandbox, alice):
    plan = role_change_preflight(user_key="nobody@example.com", role=ADMIN, actor=alice)
    assert "Zoom has no user nobody@example.com now (code 1001)" in failed(plan)["user"]
    assert plan.calls == []


@pytest.mark.parametrize("email,status", [(GRACE, "inactive"), (OLIVIA, "pending")])
def test_a_user_who_is_not_active_fails(zoom_sandbox, alice, email, status):
    plan = role_change_preflight(user_key=email, role=ADMIN, actor=alice)
    reason = failed(plan)["user"]
    assert f"{email} is {status} in Zoom" in reason and "Activate the user" in reason


def test_a_role_zoom_does_not_list_fails_and_names_the_roles_it_has(zoom_sandbox, alice):
    plan = role_change_preflight(user_key=PRIYA, role={"role_name": "Janitor"}, actor=alice)
    reason = failed(plan)["role"]
    assert "Zoom lists no role “Janitor”" in reason and "Admin" in reason and "Help Desk" in reason
    assert plan.calls == []


def test_a_user_already_in_the_role_fails_with_nothing_to_do(zoom_sandbox, alice):
    plan = role_change_preflight(user_key=NORA, role=ADMIN, actor=alice)
    assert "is already Admin in Zoom" in failed(plan)["already"]


@pytest.mark.parametrize(
    "email,role",
    [(OWNER, ADMIN), (PRIYA, {"role_name": "Owner"})],
    ids=["owner-is-the-user", "owner-is-the-target-role"],
)
def test_the_owner_on_either_side_fails_pointing_to_zoom_s_portal(zoom_sandbox, alice, email, role):
    plan = role_change_preflight(user_key=email, role=role, actor=alice)
    assert "Change the owner in Zoom's portal" in failed(plan)["owner"]


def test_a_demotion_to_member_is_a_delete_from_the_current_role_and_needs_no_approval(zoom_sandbox, alice):
    plan = role_change_preflight(user_key=NORA, role=MEMBER, actor=alice)
    assert not plan.blocked, failed(plan)
    user_id = zoom_sandbox.user(NORA)["id"]
    assert [(c.method, c.path) for c in plan.calls] == [("DELETE", f"/roles/1/members/{user_id}")]
    assert not plan.needs_approval and "needs no approval" in plan.approval_reason


def test_a_promotion_is_a_post_to_the_new_role_with_the_user_as_member(zoom_sandbox, alice):
    plan = role_change_preflight(user_key=PRIYA, role=HELP_DESK, actor=alice)
    assert not plan.blocked, failed(plan)
    (call,) = plan.calls
    user_id = zoom_sandbox.user(PRIYA)["id"]
    assert call.method == "POST" and call.path == f"/roles/{plan.intended['role_id']}/members"
    assert call.body == {"members": [{"id": user_id}]}
    assert plan.needs_approval and "a manager approves it" in plan.approval_reason


def test_missing_scopes_are_named_with_how_to_add_them(zoom_sandbox, alice):
    zoom_sandbox.set_scopes([s for s in DEFAULT_SCOPES if s != "role:write:member:admin"])
    plan = role_change_preflight(user_key=PRIYA, role=ADMIN, actor=alice)
    check = plan.check("scopes")
    assert check is not None and check.failed
    assert "role:write:member:admin" in check.reason and check.remedy


def test_the_roles_api_answering_2300_is_explained(zoom_sandbox, alice):
    zoom_sandbox.set_plan("free")  # no Roles API: Zoom answers 404 / 2300
    plan = role_change_preflight(user_key=PRIYA, role=ADMIN, actor=alice)
    assert failed(plan)["roles_api"].startswith(ROLES_API_2300)
    assert "Pro or higher plan" in ROLES_API_2300 and "not a scope or data problem" in ROLES_API_2300


def test_an_sso_mapped_domain_warns_but_does_not_block(zoom_sandbox, alice, settings):
    settings.ZOOM_SSO_ROLE_MAPPED_DOMAINS = ["example.com"]
    plan = role_change_preflight(user_key=PRIYA, role=ADMIN, actor=alice)
    (warning,) = plan.warnings
    assert warning.key == "sso" and "example.com" in warning.reason and "identity provider" in warning.remedy
    assert not plan.blocked


def test_a_blocked_preflight_refuses_the_request_audited_with_no_write(zoom_sandbox, alice):
    with pytest.raises(ChangeRefused, match="already Admin") as refused:
        role_change_request(user_key=NORA, role=ADMIN, reason="x", actor=alice)
    assert refused.value.plan is not None and refused.value.plan.blocked
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.get(action="role_change.request").outcome == "denied"
    assert role_writes(zoom_sandbox) == []


def test_the_preflight_makes_no_zoom_write(zoom_sandbox, alice):
    role_change_preflight(user_key=PRIYA, role=ADMIN, actor=alice)
    role_change_preflight(user_key=NORA, role=MEMBER, actor=alice)
    assert zoom_sandbox.calls(writes_only=True) == []
