"""Exactly once: twenty managers approving at the same moment, or twenty workers executing one approved
request, make one Zoom write and one success event.

Runs on PostgreSQL when DATABASE_URL points there (CI runs the suite on both), and on SQLite on a file
database: Django's in-memory test database refuses a second writer at once ("table is locked") where a
file database's busy timeout queues it, as in production. The `file_database` fixture moves the test
onto a file copy of the test database for its duration.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.role_changes import role_change_approve
from tests.concurrency import WORKERS, at_once, file_database  # noqa: F401 - the fixture
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused, change_execute
from zoomadmin_site.roles import MANAGER, ensure_operator_groups

from .support import PRIYA, assert_every_operation_closed_once, request_promotion, role_writes, zoom_role


def managers(django_user_model, count: int) -> list:
    ensure_operator_groups()
    group = Group.objects.get(name=MANAGER)
    made = []
    for n in range(count):
        user = django_user_model.objects.create_user(
            username=f"manager{n}", email=f"manager{n}@ops.example.com"
        )
        user.groups.add(group)
        made.append(user)
    return made


def assert_one_write_and_one_success(sandbox, request: ChangeRequest) -> None:
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED, request.outcome_reason
    assert len(role_writes(sandbox, method="POST")) == 1
    assert zoom_role(sandbox, PRIYA) == "1"
    successes = AuditEvent.objects.filter(action="role_change.execute", outcome="succeeded")
    assert successes.count() == 1 and successes.get().operation_id == request.operation_id
    assert AuditEvent.objects.filter(action="role_change.execute", outcome="started").count() == 1
    assert_every_operation_closed_once()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("file_database")
def test_twenty_managers_approving_at_once_make_one_zoom_write(zoom_sandbox, alice, django_user_model):
    request = request_promotion(alice)
    deciders = managers(django_user_model, WORKERS)

    results = at_once(
        lambda n: role_change_approve(request_id=request.pk, actor=deciders[n], comment=f"ok {n}")
    )

    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, ChangeRefused)]
    assert unexpected == []
    assert all("no longer waiting" in r.message for r in results if isinstance(r, ChangeRefused))
    assert_one_write_and_one_success(zoom_sandbox, request)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("file_database")
def test_twenty_workers_executing_one_approved_request_make_one_zoom_write(zoom_sandbox, alice):
    request = request_promotion(alice)
    assert ChangeRequest.objects.transition(request.pk, from_statuses=[Status.PENDING], to=Status.APPROVED)

    results = at_once(lambda n: change_execute(request_id=request.pk, actor=alice))

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert_one_write_and_one_success(zoom_sandbox, request)
