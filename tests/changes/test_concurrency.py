"""Exactly once: twenty managers approving at the same moment, or twenty workers executing one approved
request, make one Zoom write and one success event.

Runs on PostgreSQL when DATABASE_URL points there (CI runs the suite on both), and on SQLite on a file
database: Django's in-memory test database refuses a second writer at once ("table is locked") where a
file database's busy timeout queues it, as in production. The `file_database` fixture moves the test
onto a file copy of the test database for its duration.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from accounts.role_changes import role_change_approve
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused, change_execute
from zoomadmin_site.roles import MANAGER, ensure_operator_groups

from .support import PRIYA, assert_every_operation_closed_once, request_promotion, role_writes, zoom_role

WORKERS = 20


@pytest.fixture
def file_database(audit_triggers_off_for_flush, tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test's database becomes a file copy of the in-memory test database (WAL, busy
    timeout, immediate transactions: the production settings) until the test ends; on another
    database, nothing to do."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # the in-memory database lives while one connection does
    file_name = str(tmp_path / "zoomadmin.sqlite3")
    connection.ensure_connection()
    with sqlite3.connect(file_name) as copy:
        connection.connection.backup(copy)
    copy.close()
    connection.settings_dict["NAME"] = file_name  # shared by every thread's connection
    connection.close()  # closes the in-memory connection for real: the file is not in memory
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()  # before the keeper lets go of the in-memory database
        keeper.close()


def at_once(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(n)` for n in 0..WORKERS-1 in as many threads, released together; each result or error."""
    start = threading.Barrier(WORKERS)
    results: list[Any] = [None] * WORKERS

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as error:  # reported by the test
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


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
def test_twenty_managers_approving_at_once_make_one_zoom_write(
    file_database, zoom_sandbox, alice, django_user_model
):
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
def test_twenty_workers_executing_one_approved_request_make_one_zoom_write(
    file_database, zoom_sandbox, alice
):
    request = request_promotion(alice)
    assert ChangeRequest.objects.transition(request.pk, from_statuses=[Status.PENDING], to=Status.APPROVED)

    results = at_once(lambda n: change_execute(request_id=request.pk, actor=alice))

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert_one_write_and_one_success(zoom_sandbox, request)
