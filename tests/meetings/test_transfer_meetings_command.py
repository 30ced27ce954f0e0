"""`manage.py transfer_meetings`: the plan, a result per meeting, nothing moved twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

DANA, MARCUS = "dana.whitfield@example.com", "marcus.okafor@example.com"
BLOCKED, WORKS = 85010000001, 85010000002


def run(*args):
    out = StringIO()
    code = 0
    try:
        call_command("transfer_meetings", *args, stdout=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue()


def patches(sandbox):
    return [c for c in sandbox.calls() if c.method == "PATCH"]


def test_dry_run_prints_the_plan_and_the_calls_and_changes_nothing(zoom_sandbox):
    code, out = run("--from", DANA, "--to", MARCUS, "--dry-run")
    assert code == 0
    assert f"{WORKS}" in out and f"PATCH /meetings/{WORKS}" in out
    blocked = next(line for line in out.splitlines() if f"{BLOCKED}" in line)
    assert "BLOCKED; no call: not moved while blocked" in blocked
    assert "PATCH" not in blocked  # only a ready meeting's calls are listed: the job makes no other
    assert f"Fix needed: add {DANA} as a scheduling assistant of {MARCUS}" in out
    assert patches(zoom_sandbox) == []


def test_run_names_every_meeting_not_moved_and_a_second_run_moves_nothing(zoom_sandbox):
    code, out = run("--from", DANA, "--to", MARCUS)
    assert code == 2
    assert f"moved     {WORKS}" in out
    assert f"NOT MOVED {BLOCKED}" in out and "scheduling assistant" in out
    sent = len(patches(zoom_sandbox))
    code, out = run("--from", DANA, "--to", MARCUS, "--apply-fixes")
    assert f"fix: {DANA} as assistant of {MARCUS}: done" in out
    assert f"moved     {BLOCKED}" in out and f"{WORKS}" not in out  # moved already: not listed again
    assert code == 0
    moved_now = len(patches(zoom_sandbox)) - sent
    code, out = run("--from", DANA, "--to", MARCUS)
    assert "nothing to move" in out and len(patches(zoom_sandbox)) == sent + moved_now


def test_refusals_are_plain_errors(zoom_sandbox, charlie):
    with pytest.raises(CommandError, match=r"no such user in this account \(code 1001\)"):
        call_command("transfer_meetings", "--from", "nobody@example.com", "--to", MARCUS, stdout=StringIO())
    with pytest.raises(CommandError, match="may not transfer hosts"):
        call_command(
            "transfer_meetings", "--from", DANA, "--to", MARCUS, "--as", "charlie", stdout=StringIO()
        )
