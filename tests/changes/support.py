"""Helpers for the change machinery's tests: the scenario users, requests made in one line, and the
audit invariants every execution must keep (each started event closed once, each success read back)."""

from __future__ import annotations

from collections import Counter

from accounts.role_changes import role_change_approve, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest

PRIYA = "priya.raman@example.com"  # Member
NORA = "nora.haddad@example.com"  # Admin
GRACE = "grace.lindqvist@example.com"  # inactive
OLIVIA = "olivia.grant@example.com"  # pending
OWNER = "owner@example.com"
ADMIN = {"role_name": "Admin"}
MEMBER = {"role_name": "Member"}
HELP_DESK = {"role_name": "Help Desk"}
ROLE_WRITES = "/roles/*/members*"
EXECUTE = "role_change.execute"
READ_BACK = "role_change.read_back"


def zoom_role(sandbox, email: str) -> str:
    return sandbox.user(email)["role_id"]


def role_writes(sandbox, *, method: str | None = None) -> list:
    """The Roles API writes Zoom received (POST and DELETE on role members), answered or not."""
    calls = sandbox.calls(path="/v2/roles/*/members*", writes_only=True)
    return [call for call in calls if method is None or call.method == method]


def request_promotion(actor, email: str = PRIYA, role: dict | None = None, **kwargs) -> ChangeRequest:
    submitted = role_change_request(
        user_key=email,
        role=role or ADMIN,
        reason=kwargs.pop("reason", "Runs the webinars"),
        actor=actor,
        **kwargs,
    )
    assert submitted.request is not None
    return submitted.request


def approve(request: ChangeRequest, manager, comment: str = "Agreed with her manager") -> ChangeRequest:
    return role_change_approve(request_id=request.pk, actor=manager, comment=comment)


def assert_every_operation_closed_once() -> None:
    """Every `started` execute event has exactly one closing event with its operation id."""
    started = AuditEvent.objects.filter(action=EXECUTE, outcome="started")
    closing = Counter(
        AuditEvent.objects.filter(action=EXECUTE)
        .exclude(outcome="started")
        .values_list("operation_id", flat=True)
    )
    for event in started:
        assert closing[event.operation_id] == 1, (event.seq, event.target_label, closing[event.operation_id])
    assert set(closing) <= {event.operation_id for event in started}


def assert_every_success_read_back() -> None:
    """Every succeeded execution has a read-back event of its operation showing the intended role."""
    for done in AuditEvent.objects.filter(action=EXECUTE, outcome="succeeded"):
        request = ChangeRequest.objects.get(operation_id=done.operation_id)
        reads = AuditEvent.objects.filter(
            action=READ_BACK, operation_id=done.operation_id, outcome="succeeded"
        )
        assert any(
            read.after and read.after.get("role_id") == request.intended["role_id"] for read in reads
        ), (
            request.pk,
            request.outcome_reason,
        )
