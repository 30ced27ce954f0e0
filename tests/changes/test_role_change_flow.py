"""Role changes end to end on the sandbox: request, approval, execution, read-back, audit."""

from __future__ import annotations

import pytest

from accounts.models import ZoomUser
from accounts.role_changes import role_change_approve, role_change_preflight, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused

PRIYA = "priya.raman@example.com"  # a Member (sandbox scenario promote_member)
ADMIN = {"role_name": "Admin"}

pytestmark = pytest.mark.django_db


def zoom_role(sandbox, email):
    return sandbox.user(email)["role_id"]


def test_preflight_of_a_promotion_passes_and_names_the_roles_api_call(zoom_sandbox, alice):
    plan = role_change_preflight(user_key=PRIYA, role=ADMIN, actor=alice)
    assert not plan.blocked, [(c.key, c.reason) for c in plan.failures]
    assert [str(c) for c in plan.calls] == ["POST /roles/1/members"]
    assert plan.needs_approval
    assert {c.key for c in plan.checks} >= {"user", "role", "already", "owner", "method", "scopes"}


def test_promotion_waits_for_a_manager_then_is_applied_and_verified(zoom_sandbox, alice, morgan):
    submitted = role_change_request(user_key=PRIYA, role=ADMIN, reason="Runs the webinar team", actor=alice)
    request = submitted.request
    assert request.status == Status.PENDING
    assert zoom_role(zoom_sandbox, PRIYA) == "2"
    done = role_change_approve(request_id=request.pk, actor=morgan, comment="Agreed with her manager")
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == "1"
    assert ZoomUser.objects.get(email=PRIYA).role_id == "1"  # the read-back went into the mirror
    events = AuditEvent.objects.filter(action__startswith="role_change.").order_by("seq")
    actions = list(events.values_list("action", "outcome"))
    assert actions == [
        ("role_change.request", "succeeded"),
        ("role_change.approve", "succeeded"),
        ("role_change.preflight", "succeeded"),
        ("role_change.execute", "started"),
        ("role_change.read_back", "succeeded"),
        ("role_change.execute", "succeeded"),
    ]


def test_a_manager_never_approves_their_own_request(zoom_sandbox, morgan):
    request = role_change_request(user_key=PRIYA, role=ADMIN, reason="x", actor=morgan).request
    with pytest.raises(ChangeRefused, match="another manager"):
        role_change_approve(request_id=request.pk, actor=morgan, comment="ok")
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert AuditEvent.objects.filter(action="role_change.approve", outcome="denied").count() == 1
