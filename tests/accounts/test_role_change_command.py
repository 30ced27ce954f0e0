"""python manage.py role_change: the checklist, the Zoom calls, the result; every refusal exits non-zero
with the reason on stderr and no traceback."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand

from accounts.management.commands.role_change import Command
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import ChangeRequest, Source, Status

PRIYA = "priya.raman@example.com"  # a Member
NORA = "nora.haddad@example.com"  # an Admin
OWNER = "owner@example.com"

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("role_change", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_from_shell(capsys, *args: str) -> tuple[int, str, str]:
    """As `manage.py role_change ...` runs it: exit code, stdout, stderr. (run_from_argv closes the
    database connections when it ends, which on PostgreSQL would end the test's transaction.)"""
    command: BaseCommand = Command()
    with pytest.raises(SystemExit) as exit_info, mock.patch("django.db.connections.close_all"):
        command.run_from_argv(["manage.py", "role_change", *args])
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_a_promotion_prints_the_checklist_and_the_call_and_waits_for_approval(zoom_sandbox, alice):
    out = run("--user", PRIYA, "--role", "Admin", "--reason", "Runs the webinar team", "--as", "alice")
    request = ChangeRequest.objects.get()
    assert request.status == Status.PENDING
    assert request.source == Source.CLI
    assert request.requester == alice
    assert "PASS  The user exists in Zoom and is active" in out
    assert "POST /roles/1/members" in out
    assert f"pending approval: request #{request.pk}" in out
    assert zoom_sandbox.user(PRIYA)["role_id"] == "2"  # nothing sent before a manager approves


def test_a_demotion_runs_at_once_and_prints_zooms_read_back(zoom_sandbox, alice):
    out = run("--user", NORA, "--role", "Member", "--reason", "Left the IT team", "--as", "alice")
    request = ChangeRequest.objects.get()
    assert request.status == Status.SUCCEEDED, request.outcome_reason
    assert "Zoom calls made:" in out
    assert f"DELETE /roles/1/members/{zoom_sandbox.user(NORA)['id']}" in out
    assert f"Done: request #{request.pk} succeeded." in out
    assert f"Zoom shows {NORA} as Member" in out
    assert zoom_sandbox.user(NORA)["role_id"] == "2"


def test_a_time_bound_change_keeps_its_hours(zoom_sandbox, alice):
    run("--user", PRIYA, "--role", "Admin", "--reason", "On call", "--hours", "8", "--as", "alice")
    assert ChangeRequest.objects.get().duration_hours == 8


def test_a_dry_run_shows_what_it_would_do_and_records_nothing(zoom_sandbox, alice):
    out = run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--dry-run", "--as", "alice")
    assert "Zoom calls it would make:" in out
    assert "POST /roles/1/members" in out
    assert "Dry run: the checks pass" in out
    assert not ChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="role_change.").exists()


def test_the_account_owner_is_refused_with_the_failed_check_and_a_non_zero_exit(zoom_sandbox, alice, capsys):
    code, out, err = run_from_shell(
        capsys, "--user", OWNER, "--role", "Admin", "--reason", "x", "--as", "alice"
    )
    assert code == 1
    assert "FAIL  Neither role is Owner" in out
    assert "Zoom Admin will not send this change" in err and "portal" in err
    assert "Traceback" not in out + err
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.filter(action="role_change.request", outcome="denied").count() == 1


def test_a_failed_check_in_a_dry_run_exits_non_zero_too(zoom_sandbox, alice):
    with pytest.raises(CommandError, match="will not send this change"):
        run("--user", OWNER, "--role", "Admin", "--reason", "x", "--dry-run", "--as", "alice")


def test_an_unknown_zoom_user_is_refused(zoom_sandbox, alice):
    with pytest.raises(CommandError, match=r"Zoom has no user nobody@example\.com"):
        run("--user", "nobody@example.com", "--role", "Admin", "--reason", "x", "--as", "alice")


def test_an_unknown_role_is_refused_naming_the_roles_zoom_has(zoom_sandbox, alice):
    with pytest.raises(CommandError, match=r"Zoom lists no role “Wizard”.*Admin"):
        run("--user", PRIYA, "--role", "Wizard", "--reason", "x", "--as", "alice")


def test_a_blank_reason_is_refused(zoom_sandbox, alice):
    with pytest.raises(CommandError, match="Give a reason"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "  ", "--as", "alice")
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-3", "100000"])
def test_hours_out_of_range_are_refused_before_zoom_is_asked(zoom_sandbox, alice, hours):
    with pytest.raises(CommandError, match="--hours must be a whole number from 1 to 8760"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--hours", hours, "--as", "alice")


def test_hours_that_are_not_a_number_exit_non_zero_without_a_traceback(db, alice, capsys):
    code, _, err = run_from_shell(
        capsys, "--user", PRIYA, "--role", "Admin", "--reason", "x", "--hours", "soon", "--as", "alice"
    )
    assert code != 0
    assert "invalid int value: 'soon'" in err and "Traceback" not in err


def test_a_user_key_that_is_no_email_or_id_is_refused_before_zoom_is_asked(db, alice):
    with pytest.raises(CommandError, match="neither a Zoom user id nor an email"):
        run("--user", "not an email", "--role", "Admin", "--reason", "x", "--as", "alice")


def test_the_operator_is_required(db, capsys):
    code, _, err = run_from_shell(capsys, "--user", PRIYA, "--role", "Admin", "--reason", "x")
    assert code != 0
    assert "--as" in err and "Traceback" not in err


def test_an_unknown_operator_is_refused(db):
    with pytest.raises(CommandError, match="There is no operator “ghost”"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--as", "ghost")


def test_an_inactive_operator_is_refused(db, alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match="cannot sign in"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--as", "alice")


@pytest.mark.parametrize("name", ["morgan", "audrey", "charlie"])
def test_operators_without_request_role_change_are_refused(db, request, name):
    request.getfixturevalue(name)
    with pytest.raises(CommandError, match="request_role_change"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--as", name)
    assert not ChangeRequest.objects.exists()


def test_a_zoom_error_is_a_plain_refusal(zoom_sandbox, alice, monkeypatch):
    from accounts.management.commands import role_change
    from zoomadmin_site.zoom import ZoomError

    def fail(**kwargs):
        raise ZoomError("Zoom is not reachable (connection refused).", remedy="Try again in a minute.")

    monkeypatch.setattr(role_change, "role_change_request", fail)
    with pytest.raises(CommandError, match=r"Zoom could not be asked: Zoom is not reachable.*Try again"):
        run("--user", PRIYA, "--role", "Admin", "--reason", "x", "--as", "alice")
