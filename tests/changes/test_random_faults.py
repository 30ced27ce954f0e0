"""Seeded random faults (429, 5xx, timeouts on any call) over many role changes: no change is made twice,
every started execution has one closing event, every success was read back, and every final status
agrees with what Zoom shows."""

from __future__ import annotations

from collections import Counter

import pytest

from accounts.role_changes import role_change_approve, role_change_request
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused
from zoomadmin_site.zoom import get_zoom_client

from .support import ADMIN, MEMBER, assert_every_operation_closed_once, assert_every_success_read_back

pytestmark = pytest.mark.django_db
REQUESTS = 12


def people(sandbox) -> list:
    """Active Members and Admins (not the owner, not the app's own user), read before any fault is on."""
    users = [u for u in get_zoom_client().iter_users(status="active") if u.role_id in {"1", "2"}]
    return [u for u in users if u.id != sandbox.api_user_id][:REQUESTS]


def change(user, alice, morgan) -> ChangeRequest | None:
    """Promote a Member (a manager approves), demote an Admin (at once); None when refused."""
    role = MEMBER if user.role_id == "1" else ADMIN
    try:
        request = role_change_request(user_key=user.email, role=role, reason="Fault run", actor=alice).request
        if request.status == Status.PENDING:
            request = role_change_approve(request_id=request.pk, actor=morgan, comment="ok")
    except ChangeRefused:  # a preflight read that failed for good, or a request that went back to pending
        return None
    return request


@pytest.mark.parametrize("seed", [3, 11])
def test_random_faults_never_duplicate_a_change_or_leave_it_open_or_unverified(
    zoom_sandbox, alice, morgan, seed
):
    targets = people(zoom_sandbox)
    assert len(targets) == REQUESTS
    get_zoom_client()._session._sleep = lambda seconds: None  # Retry-After honoured, without the wait
    zoom_sandbox.set_fault_seed(seed)
    zoom_sandbox.set_error_rates(rate_429=0.08, rate_5xx=0.08, rate_timeout=0.08)
    zoom_sandbox.clear_calls()

    requests = [change(user, alice, morgan) for user in targets]

    zoom_sandbox.clear_faults()
    writes = Counter(
        call.path.rsplit("/", 1)[-1] if call.method == "DELETE" else call.body["members"][0]["id"]
        for call in zoom_sandbox.calls(path="/v2/roles/*/members*", writes_only=True)
    )
    assert max(writes.values(), default=0) <= 1, writes  # no change sent twice
    assert_every_operation_closed_once()
    assert_every_success_read_back()
    outcomes = Counter()
    for request in filter(None, requests):
        request.refresh_from_db()
        outcomes[request.status] += 1
        assert request.is_final or request.status == Status.PENDING, request
        shown = zoom_sandbox.user(request.target_id)["role_id"]
        if request.status == Status.SUCCEEDED:
            assert shown == request.intended["role_id"], request.outcome_reason
        elif request.status in (Status.FAILED, Status.PENDING):
            assert shown == request.current["role_id"], request.outcome_reason
    assert outcomes[Status.SUCCEEDED] and sum(outcomes.values()) > REQUESTS // 2, outcomes
