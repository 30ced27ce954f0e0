"""A sync killed midway (SIGKILL: it has no last word) does not block the next start (`zoom_sync
--initial`, as `make run` starts it), which continues it to a complete mirror and records
the interruption in the audit log. Real processes on a SQLite file set up by `manage.py migrate` alone, as
a deployment does it (the database cache's table included)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from zoomadmin_site.sandbox import Sandbox
from zoomadmin_site.zoom import get_zoom_client, reset_zoom_clients

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"
pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/pid"), reason="a killed process is told dead at once through /proc"
)


def _env(database: Path, sandbox: Path) -> dict[str, str]:
    """The production settings (database cache, database task queue) on these files."""
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
    return env | {
        "DJANGO_SETTINGS_MODULE": "zoomadmin_site.settings",
        "SECRET_KEY": "tests-only-not-a-secret",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "ZOOM_MODE": "sandbox",
        "ZOOM_SANDBOX_STATE": str(sandbox),
        "ZOOM_RATE_LIMIT_PER_SECOND": "10000",
        "ZOOM_BACKGROUND_SHARE": "1",
        "ZOOM_SYNC_SCHEDULE": "off",
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A database set up by `manage.py migrate` and nothing else (the database cache configured)."""
    database = tmp_path_factory.mktemp("migrated") / "zoomadmin.sqlite3"
    done = _manage(_env(database, database.with_name("unused.sqlite3")), "migrate", "--no-input", "-v0")
    assert done.returncode == 0, done.stderr
    return database


@pytest.fixture
def files(migrated, tmp_path) -> tuple[Path, Sandbox, dict[str, str]]:
    database = tmp_path / "zoomadmin.sqlite3"
    shutil.copyfile(migrated, database)
    sandbox = Sandbox(tmp_path / "zoom-sandbox.sqlite3")
    sandbox.set_rate_limits(False)
    return database, sandbox, _env(database, tmp_path / "zoom-sandbox.sqlite3")


def _listed_meeting_ids(sandbox: Path, host_ids: list[str], settings) -> set[int]:
    """Every meeting Zoom lists for these hosts, read from the sandbox here (not through the mirror)."""
    settings.ZOOM_SANDBOX_STATE = str(sandbox)
    settings.ZOOM_RATE_LIMIT_PER_SECOND = 10_000
    reset_zoom_clients()
    try:
        client = get_zoom_client()
        return {m.id for host in host_ids for m in client.iter_meetings(user_id=host, type="scheduled")}
    finally:
        reset_zoom_clients()


def test_a_sync_killed_midway_is_continued_by_the_next_start_to_every_meeting(files, settings, tmp_path):
    database, sandbox, env = files
    sandbox.seed_demo(users=60, meetings=1500, seed=11)
    sandbox.set_latency(40)  # each Zoom call takes 40 ms: the meeting lists take ~2 s to read

    assert _query(database, "SELECT name FROM sqlite_master WHERE name = 'zoomadmin_cache'")
    log = tmp_path / "first.log"
    with open(log, "w") as out:
        first = subprocess.Popen(
            [sys.executable, str(MANAGE), "zoom_sync", "--workers", "2"], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while first.poll() is None and time.monotonic() < deadline:  # until a resume point is saved
        runs = _query(database, "SELECT resume_state FROM mirror_syncrun")
        if runs and json.loads(runs[0][0]).get("hosts_done_through"):
            break
        time.sleep(0.02)
    assert first.poll() is None, f"the sync ended before it was killed midway:\n{log.read_text()}"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    sandbox.set_latency(0)
    ((status,),) = _query(database, "SELECT status FROM mirror_syncrun")
    written = _query(database, "SELECT count(*) FROM meetings_zoommeeting")[0][0]
    assert status == "running"  # as SIGKILL leaves it (its progress counters may sit at a phase's end)

    # What `make run` runs first; the worker's part runs at once in the same process (one start less).
    immediate = env | {"TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    restarted = _manage(immediate, "zoom_sync", "--initial")

    assert restarted.returncode == 0, restarted.stderr
    assert "Sync #1 was interrupted; the background worker continues it" in restarted.stdout
    assert _query(database, "SELECT id, status FROM mirror_syncrun") == [(1, "succeeded")]
    ((reason, after),) = _query(
        database, "SELECT reason, after FROM audit_auditevent WHERE action = 'mirror.sync_interrupted'"
    )
    assert "its process stopped" in reason
    interrupted = json.loads(after)  # what it had done by its last resume point
    assert interrupted["hosts_done_through"] > 0 and 0 < interrupted["counts"]["meetings"] <= written
    hosts = _query(
        database,
        "SELECT zoom_id FROM accounts_zoomuser WHERE zoom_id IS NOT NULL AND status != 'pending'",
    )
    live = _query(database, "SELECT meeting_id FROM meetings_zoommeeting WHERE gone_at IS NULL")
    mirrored = {row[0] for row in live}
    assert mirrored == _listed_meeting_ids(Path(sandbox.state_path), [h[0] for h in hosts], settings)
    assert len(mirrored) > 1000
    assert 0 < written < len(mirrored)  # killed midway: the restart wrote the rest
