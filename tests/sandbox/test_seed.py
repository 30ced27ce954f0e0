"""The demo seed: deterministic, realistic, containing every named scenario."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from zoomadmin_site.sandbox import SCENARIOS, Sandbox, SeedError

from .conftest import NOW


def _dump(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        users = conn.execute(
            "SELECT id, email, type, role_id, status, dept, pmi FROM users ORDER BY pk"
        ).fetchall()
        meetings = conn.execute(
            "SELECT id, uuid, host_id, assistant_id, topic, type, start_ts FROM meetings ORDER BY id"
        ).fetchall()
        assistants = conn.execute("SELECT host_id, assistant_id FROM assistants ORDER BY 1, 2").fetchall()
    return users + meetings + assistants


def _seeded(tmp_path, name: str, seed: int) -> Sandbox:
    box = Sandbox(tmp_path / name)
    box.set_clock(NOW)
    box.seed_demo(users=60, meetings=300, seed=seed)
    return box


def test_same_seed_same_account_different_seed_different_account(tmp_path):
    first, second, other = (_seeded(tmp_path, f"{n}.sqlite3", s) for n, s in (("a", 5), ("b", 5), ("c", 6)))
    assert _dump(first.state_path) == _dump(second.state_path)
    assert _dump(first.state_path) != _dump(other.state_path)


def test_seed_has_the_requested_size_and_a_realistic_mix(tmp_path):
    box = _seeded(tmp_path, "mix.sqlite3", 1)
    with sqlite3.connect(box.state_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 60
        assert conn.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 300
        statuses = Counter(r[0] for r in conn.execute("SELECT status FROM users"))
        types = Counter(r[0] for r in conn.execute("SELECT type FROM meetings"))
        departments = {r[0] for r in conn.execute("SELECT dept FROM users")}
        emails = [r[0] for r in conn.execute("SELECT email FROM users")]
        with_assistant = conn.execute(
            "SELECT COUNT(*) FROM meetings WHERE assistant_id IS NOT NULL"
        ).fetchone()[0]
        alternative = conn.execute(
            "SELECT COUNT(*) FROM meetings WHERE settings LIKE '%alternative_hosts%'"
        ).fetchone()[0]
        pmi = conn.execute("SELECT COUNT(*) FROM meetings WHERE use_pmi = 1").fetchone()[0]
    assert set(statuses) == {"active", "inactive", "pending"}
    assert set(types) == {1, 2, 3, 8}
    assert {"Engineering", "Sales", "Support", "Finance", "HR", "IT"} <= departments
    assert all(email.endswith("@example.com") for email in emails)
    assert with_assistant > 50 and alternative > 3 and pmi >= 1


@pytest.mark.parametrize("name", [name for name, entry in SCENARIOS.items() if "email" in entry])
def test_every_scenario_user_exists(seeded, name):
    entry = SCENARIOS[name]
    user = seeded.user(entry["email"])
    assert user is not None and user["id"] == entry["id"]
    for key in ("role_id", "type", "status"):
        if key in entry:
            assert user[key] == entry[key]


@pytest.mark.parametrize("name", [name for name, entry in SCENARIOS.items() if "meeting_id" in entry])
def test_every_scenario_meeting_exists(seeded, name):
    entry = SCENARIOS[name]
    meeting = seeded.meeting(entry["meeting_id"])
    assert meeting is not None
    assert (meeting["topic"], meeting["host_email"], meeting["type"]) == (
        entry["topic"],
        entry["host_email"],
        entry["type"],
    )
    assert seeded.find_meeting(entry["topic"])["id"] == entry["meeting_id"]
    created_for_someone = entry["created_under"] != entry["host_email"]
    assert ("assistant_id" in meeting) == created_for_someone


def test_seed_refuses_an_already_seeded_state_without_reset(seeded):
    with pytest.raises(SeedError):
        seeded.seed_demo(users=10, meetings=10, reset=False)


def test_seed_keeps_the_knobs_but_reset_forgets_them(seeded):
    seeded.set_plan("free")
    seeded.seed_demo(users=20, meetings=20)
    assert seeded.knob("plan") == "free"
    seeded.reset()
    assert seeded.knob("plan") == "pro"
    assert seeded.user_count() == 2  # owner and API user


def test_seeding_a_large_account_makes_every_user_and_meeting(tmp_path):
    """How fast seeding is belongs to the benchmarks (bench.search records seed_seconds)."""
    box = Sandbox(tmp_path / "large.sqlite3")
    report = box.seed_demo(users=2_000, meetings=20_000)
    assert (report.users, report.meetings) == (2_000, 20_000)
    assert box.user_count() == 2_000
