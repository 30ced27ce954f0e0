"""The approval rules, expiry, cancellation and re-approval when Zoom moved, on the sandbox."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.role_changes import role_change_cancel, role_change_reject, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused, change_expire_due

from .support import (
    MEMBER,
    NORA,
    PRIYA,
    approve,
    assert_every_operation_closed_once,
    request_promotion,
    role_writes,
    zoom_role,
)

pytestmark = pytest.mark.django_db


def denied(action: str) -> list[str]:
    return list(AuditEvent.objects.filter(action=action, outcome="denied").values_list("reason", flat=True))


def test_a_manager_cannot_approve_a_change_to_their_own_zoom_account(zoom_sandbox, alice, morgan):
    morgan.email = PRIYA.upper()  # the same person, whatever the case of the address
    morgan.save()
    request = request_promotion(alice)
    with pytest.raises(ChangeRefused, match="your own Zoom account"):
        approve(request, morgan)
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert denied("role_change.approve") and role_writes(zoom_sandbox) == []


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_decision_needs_a_comment(zoom_sandbox, alice, morgan, comment):
    request = request_promotion(alice)
    with pytest.raises(ChangeRefused, match="Say why in the comment"):
        approve(request, morgan, comment=comment)
    with pytest.raises(ChangeRefused, match="Say why in the comment"):
        role_change_reject(request_id=request.pk, actor=morgan, comment=comment)
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.PENDING


def test_two_approvers_policy_needs_two_different_managers(zoom_sandbox, alice, morgan, nina, settings):
    settings.ROLE_CHANGE_APPROVERS_REQUIRED = 2
    request = request_promotion(alice)
    assert request.approvals_required == 2
    assert approve(request, morgan).status == Status.PENDING
    with pytest.raises(ChangeRefused, match="You already approved"):
        approve(request, morgan, comment="Still agreed")
    assert zoom_role(zoom_sandbox, PRIYA) == "2" and role_writes(zoom_sandbox) == []
    done = approve(request, nina, comment="Second pair of eyes")
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == "1"
    assert len(role_writes(zoom_sandbox)) == 1


def test_approving_a_request_that_was_decided_is_refused(zoom_sandbox, alice, morgan, nina):
    request = request_promotion(alice)
    approve(request, morgan)
    with pytest.raises(ChangeRefused, match="no longer waiting for approval"):
        approve(request, nina)
    assert len(role_writes(zoom_sandbox)) == 1


def test_a_demotion_to_member_runs_at_once_without_approval(zoom_sandbox, alice):
    submitted = role_change_request(user_key=NORA, role=MEMBER, reason="Left the IT team", actor=alice)
    assert submitted.request.status == Status.SUCCEEDED, submitted.request.outcome_reason
    assert submitted.request.approvals_required == 0
    assert zoom_role(zoom_sandbox, NORA) == "2"
    (write,) = role_writes(zoom_sandbox)
    assert write.method == "DELETE" and write.path.startswith("/v2/roles/1/members/")
    assert_every_operation_closed_once()


def test_a_rejected_request_never_reaches_zoom(zoom_sandbox, alice, morgan):
    request = request_promotion(alice)
    done = role_change_reject(request_id=request.pk, actor=morgan, comment="Not needed")
    assert done.status == Status.REJECTED and done.outcome_reason == "Not needed"
    assert role_writes(zoom_sandbox) == []


# --- expiry ------------------------------------------------------------------------------------------


def test_a_request_expires_after_the_ttl(zoom_sandbox, alice, settings):
    settings.CHANGE_REQUEST_TTL_HOURS = 24
    request = request_promotion(alice)
    assert request.expires_at == request.created_at + datetime.timedelta(hours=24)
    assert change_expire_due(now=request.expires_at - datetime.timedelta(seconds=1)) == 0
    assert change_expire_due(now=request.expires_at) == 1
    assert change_expire_due(now=request.expires_at) == 0  # once
    request.refresh_from_db()
    assert request.status == Status.EXPIRED and "24 hours" in request.outcome_reason
    assert AuditEvent.objects.filter(action="role_change.expire", outcome="succeeded").count() == 1


def test_a_request_past_its_time_cannot_be_approved_even_before_the_expiry_task_ran(
    zoom_sandbox, alice, morgan
):
    request = request_promotion(alice)
    ChangeRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ChangeRefused, match="expired"):
        approve(request, morgan)
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.EXPIRED
    assert role_writes(zoom_sandbox) == [] and zoom_role(zoom_sandbox, PRIYA) == "2"


# --- cancellation --------------------------------------------------------------------------------------


def test_only_the_requester_cancels(zoom_sandbox, alice, morgan):
    request = request_promotion(alice)
    with pytest.raises(ChangeRefused, match="Only the operator who asked"):
        role_change_cancel(request_id=request.pk, actor=morgan)
    assert denied("role_change.cancel")
    done = role_change_cancel(request_id=request.pk, actor=alice, reason="Asked for the wrong person")
    assert done.status == Status.CANCELLED and done.outcome_reason == "Asked for the wrong person"
    with pytest.raises(ChangeRefused, match="no longer waiting"):
        role_change_cancel(request_id=request.pk, actor=alice)
    with pytest.raises(ChangeRefused, match="no longer waiting"):
        approve(request, morgan)
    assert role_writes(zoom_sandbox) == []


# --- Zoom moved between request and approval -----------------------------------------------------------


def test_zoom_changing_meanwhile_sends_the_request_back_for_a_new_approval(zoom_sandbox, alice, morgan, nina):
    request = request_promotion(alice)
    help_desk = next(r for r in zoom_sandbox_roles(zoom_sandbox) if r["name"] == "Help Desk")
    zoom_sandbox.set_role(PRIYA, help_desk["id"])  # someone changed her role in Zoom's portal

    back = approve(request, morgan)

    assert back.status == Status.PENDING, back.outcome_reason
    assert "Zoom changed since this request was approved" in back.changes_note
    assert "Role name: was “Member”, now “Help Desk”" in back.changes_note
    assert back.current["role_id"] == help_desk["id"] and back.expires_at > timezone.now()
    assert role_writes(zoom_sandbox) == []
    assert back.approvals().count() == 0  # the earlier approval was for the earlier plan
    done = approve(back, nina, comment="Seen the change, still right")
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == "1" and len(role_writes(zoom_sandbox)) == 1
    assert_every_operation_closed_once()


def zoom_sandbox_roles(sandbox) -> list[dict]:
    from zoomadmin_site.zoom import get_zoom_client

    return [{"id": role.id, "name": role.name} for role in get_zoom_client().list_roles()]


def test_a_time_limit_is_bounded_and_only_for_changes_that_need_approval(zoom_sandbox, alice):
    with pytest.raises(ChangeRefused, match="from 1 to 8760"):
        role_change_request(
            user_key="priya.raman@example.com",
            role={"role_name": "Admin"},
            reason="x",
            actor=alice,
            duration_hours=10**8,
        )
    with pytest.raises(ChangeRefused, match="Only a change that needs approval"):
        role_change_request(
            user_key="nora.haddad@example.com",
            role={"role_name": "Member"},
            reason="x",
            actor=alice,
            duration_hours=4,
        )
    assert not ChangeRequest.objects.exists()
