"""Exactly once for host transfers: twenty operators moving one meeting at the same moment make one Zoom
write; a second change of a target is refused while one is open."""

from __future__ import annotations

import pytest

from meetings.host_transfers import host_transfer_execute
from tests.concurrency import WORKERS, at_once, file_database  # noqa: F401 - the fixture
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused

WORKS, NEW = 85010000002, "marcus.okafor@example.com"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("file_database")
def test_twenty_racing_transfers_of_one_meeting_make_one_zoom_write(zoom_sandbox, alice):
    def move(n: int):
        return host_transfer_execute(meeting_id=str(WORKS), new_host=NEW, reason=f"race {n}", actor=alice)

    results = at_once(move)
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, ChangeRefused)]
    assert len(done) + len(refused) == WORKERS, [r for r in results if isinstance(r, BaseException)]
    patches = [c for c in zoom_sandbox.calls() if c.method == "PATCH" and str(WORKS) in c.path]
    assert len(patches) == 1
    assert ChangeRequest.objects.filter(status=Status.SUCCEEDED).count() == 1
    assert AuditEvent.objects.filter(action="host_transfer.execute", outcome="succeeded").count() == 1
    # The others were refused in words: the meeting was being moved, or its new host hosts it already.
    assert all("already" in r.message for r in refused)


@pytest.mark.django_db
def test_a_second_change_of_one_target_waits_for_the_open_one(zoom_sandbox, alice):
    from accounts.role_changes import role_change_request

    first = role_change_request(
        user_key="priya.raman@example.com", role={"role_name": "Admin"}, reason="a", actor=alice
    )
    assert first.request.status == Status.PENDING
    with pytest.raises(
        ChangeRefused, match=rf"already open \(request #{first.request.pk}, waiting for approval\)"
    ):
        role_change_request(
            user_key="priya.raman@example.com", role={"role_name": "Help Desk"}, reason="b", actor=alice
        )
    assert AuditEvent.objects.filter(action="role_change.request", outcome="denied").count() == 1
