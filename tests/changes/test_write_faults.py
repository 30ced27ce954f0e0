"""Each way Zoom can answer the role write, on the sandbox: the read-back decides, nothing is retried
blindly, the outcome says why in words, and the audit closes every operation once."""

from __future__ import annotations

import pytest

from accounts.role_changes import ROLE_CHANGE
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import Status
from zoomadmin_site.sandbox import faults
from zoomadmin_site.zoom import ZoomServerError

from .support import (
    PRIYA,
    ROLE_WRITES,
    approve,
    assert_every_operation_closed_once,
    assert_every_success_read_back,
    request_promotion,
    role_writes,
    zoom_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_write(zoom_sandbox, alice, morgan):
    """Request Priya's promotion; `run()` approves it (the write is made) and returns the request."""
    request = request_promotion(alice)

    def run():
        done = approve(request, morgan)
        assert_every_operation_closed_once()
        assert_every_success_read_back()
        return done

    return run


def final_event(done) -> AuditEvent:
    return (
        AuditEvent.objects.filter(action="role_change.execute", operation_id=done.operation_id)
        .exclude(outcome="started")
        .get()
    )


@pytest.mark.parametrize(
    "status,code,message,words",
    [
        (400, 300, "Can't delete or add members for Normal/Owner roles.", "Owner or Member role directly"),
        (404, 1001, "User does not exist: x.", "1001"),
        (404, 2300, "This API endpoint is not recognized.", "code 2300"),
        (
            400,
            4711,
            "Invalid access token, does not contain scopes:[role:write:member:admin].",
            "role:write:member:admin",
        ),
    ],
    ids=["300", "1001", "2300", "4711"],
)
def test_a_write_zoom_refuses_fails_with_zoom_s_explanation_and_no_retry(
    approved_write, zoom_sandbox, status, code, message, words
):
    zoom_sandbox.fail_next("POST", ROLE_WRITES, status=status, code=code, message=message)
    done = approved_write()
    assert done.status == Status.FAILED
    assert words in done.outcome_reason, done.outcome_reason
    assert len(role_writes(zoom_sandbox)) == 1
    assert zoom_role(zoom_sandbox, PRIYA) == "2"
    assert final_event(done).outcome == "failed"


def test_a_token_refused_once_is_fetched_again_and_the_write_sent_once_more(approved_write, zoom_sandbox):
    zoom_sandbox.fail_next("POST", ROLE_WRITES, status=401, code=124, message="Invalid access token.")
    done = approved_write()
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert [call.status for call in role_writes(zoom_sandbox)] == [401, 201]  # the first never ran


def test_a_token_refused_twice_fails_with_what_to_check(approved_write, zoom_sandbox):
    zoom_sandbox.fail_next(
        "POST", ROLE_WRITES, count=2, status=401, code=124, message="Invalid access token."
    )
    done = approved_write()
    assert done.status == Status.FAILED
    assert "code 124" in done.outcome_reason and "Marketplace" in done.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == "2"


def test_a_429_with_retry_after_fails_saying_when_to_try_again(approved_write, zoom_sandbox):
    zoom_sandbox.fail_next("POST", ROLE_WRITES, status=429, code=429, message=faults.QPS_LIMIT)
    done = approved_write()
    assert done.status == Status.FAILED
    assert "limit" in done.outcome_reason and "nothing changed in Zoom" in done.outcome_reason
    assert "1 second" in done.outcome_reason, done.outcome_reason
    assert len(role_writes(zoom_sandbox)) == 1 and zoom_role(zoom_sandbox, PRIYA) == "2"


def test_a_429_without_retry_after_fails_saying_when_to_try_again(approved_write, zoom_sandbox, monkeypatch):
    fail_next = faults.fail_next

    def without_retry_after(ctx, path):
        decision = fail_next(ctx, path)
        if decision is not None and decision.error is not None:
            decision.error.headers = []
        return decision

    monkeypatch.setattr(faults, "fail_next", without_retry_after)
    zoom_sandbox.fail_next("POST", ROLE_WRITES, status=429, code=429, message=faults.QPS_LIMIT)
    done = approved_write()
    assert done.status == Status.FAILED
    assert "nothing changed in Zoom" in done.outcome_reason and "minute" in done.outcome_reason
    assert len(role_writes(zoom_sandbox)) == 1


@pytest.mark.parametrize("kind,status", [("error", 500), ("error", 503), ("timeout", 500)])
def test_an_unknown_outcome_that_zoom_did_not_apply_fails_after_reading_back(
    approved_write, zoom_sandbox, kind, status
):
    zoom_sandbox.fail_next("POST", ROLE_WRITES, kind=kind, status=status)
    done = approved_write()
    assert done.status == Status.FAILED
    assert "Reading Zoom back shows the change was not applied" in done.outcome_reason
    assert len(role_writes(zoom_sandbox)) == 1 and zoom_role(zoom_sandbox, PRIYA) == "2"


@pytest.mark.parametrize("kind,status", [("error", 500), ("error", 502), ("timeout", 500)])
def test_an_unknown_outcome_that_zoom_applied_succeeds_after_reading_back_with_one_write(
    approved_write, zoom_sandbox, kind, status
):
    zoom_sandbox.fail_next("POST", ROLE_WRITES, kind=kind, status=status, after_write=True)
    done = approved_write()
    assert done.status == Status.SUCCEEDED, done.outcome_reason
    assert "reading Zoom back shows the change was applied" in done.outcome_reason
    assert len(role_writes(zoom_sandbox)) == 1 and zoom_role(zoom_sandbox, PRIYA) == "1"


def test_a_silent_204_is_unverified_with_advice(approved_write, zoom_sandbox):
    zoom_sandbox.drop_next_write(method="POST", path=ROLE_WRITES)
    done = approved_write()
    assert done.status == Status.UNVERIFIED
    assert "Zoom answered 201 to the write, but reading it back shows no change" in done.outcome_reason
    assert "SSO role mapping" in done.outcome_reason
    assert zoom_role(zoom_sandbox, PRIYA) == "2"
    read = AuditEvent.objects.get(action="role_change.read_back")
    assert read.outcome == "unverified" and read.after["role_id"] == "2"


def test_a_read_back_that_fails_leaves_the_outcome_unverified(approved_write, zoom_sandbox, monkeypatch):
    def unreadable(client, plan):
        raise ZoomServerError("Zoom had an internal problem (HTTP 500).")

    monkeypatch.setattr(ROLE_CHANGE, "read_back", unreadable)
    zoom_sandbox.fail_next("POST", ROLE_WRITES, kind="timeout", after_write=True)
    done = approved_write()
    assert done.status == Status.UNVERIFIED, done.outcome_reason
    assert "could not be read back" in done.outcome_reason
    assert AuditEvent.objects.get(action="role_change.read_back").outcome == "failed"
