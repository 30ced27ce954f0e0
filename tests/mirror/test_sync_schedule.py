"""The nightly sync: the next run time, booking it once in the task queue, and a schedule setting that
fails loudly when it is malformed."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zoomadmin_site.sync.tasks import mirror_sync_scheduled_task, next_scheduled_time, schedule_next_sync

UTC = datetime.UTC
ROOT = Path(__file__).resolve().parents[2]


def _at(*parts: int, tz: datetime.tzinfo = UTC) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=tz)


@pytest.mark.parametrize(
    "after,schedule,expected",
    [
        (_at(2026, 3, 1, 1, 0), "02:30", _at(2026, 3, 1, 2, 30)),  # later the same day
        (_at(2026, 3, 1, 2, 30), "02:30", _at(2026, 3, 2, 2, 30)),  # strictly after: not now again
        (_at(2026, 3, 1, 3, 0), "02:30", _at(2026, 3, 2, 2, 30)),  # passed today: tomorrow
        (_at(2026, 12, 31, 23, 50), "00:10", _at(2027, 1, 1, 0, 10)),  # across midnight and the year
        (_at(2028, 2, 28, 23, 0), "2:05", _at(2028, 2, 29, 2, 5)),  # leap day; one-digit hour
    ],
)
def test_next_scheduled_time_is_the_next_utc_hh_mm_strictly_after(after, schedule, expected):
    assert next_scheduled_time(after=after, schedule=schedule) == expected


def test_next_scheduled_time_reads_the_schedule_in_utc_whatever_the_zone_of_after():
    paris_1am = _at(2026, 3, 1, 1, 0, tz=datetime.timezone(datetime.timedelta(hours=2)))  # 23:00 UTC
    assert next_scheduled_time(after=paris_1am, schedule="23:30") == _at(2026, 2, 28, 23, 30)


@pytest.mark.parametrize("schedule", ["off", "OFF", "none", ""])
def test_a_schedule_turned_off_has_no_next_time(schedule):
    assert next_scheduled_time(after=_at(2026, 3, 1, 1, 0), schedule=schedule) is None


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ZOOM_SYNC_SCHEDULE = "02:30"
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=mirror_sync_scheduled_task.module_path)


@pytest.mark.django_db
def test_scheduling_books_the_nightly_run_once_at_the_next_time(database_queue):
    when = schedule_next_sync(after=_at(2026, 3, 1, 23, 0))
    assert when == _at(2026, 3, 2, 2, 30)
    booked = database_queue.get()
    assert booked.status == "READY" and booked.run_after == when


@pytest.mark.django_db
def test_scheduling_again_while_a_run_is_booked_books_nothing(database_queue):
    schedule_next_sync(after=_at(2026, 3, 1, 23, 0))
    assert schedule_next_sync(after=_at(2026, 3, 1, 23, 5)) is None
    assert database_queue.count() == 1


@pytest.mark.django_db
def test_once_the_booked_run_starts_the_next_night_can_be_booked(database_queue):
    schedule_next_sync(after=_at(2026, 3, 1, 23, 0))
    database_queue.update(status="RUNNING")  # what the worker does when it picks the run up
    assert schedule_next_sync(after=_at(2026, 3, 2, 2, 31)) == _at(2026, 3, 3, 2, 30)
    assert database_queue.filter(status="READY").count() == 1


@pytest.mark.django_db
def test_a_schedule_turned_off_books_nothing(database_queue, settings):
    settings.ZOOM_SYNC_SCHEDULE = "off"
    assert schedule_next_sync(after=_at(2026, 3, 1, 23, 0)) is None
    assert not database_queue.exists()


def _import_settings(schedule: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM", "DJANGO_SETTINGS"))}
    env.update(SECRET_KEY="x" * 50, ZOOM_SYNC_SCHEDULE=schedule)
    code = "import zoomadmin_site.settings as s; print(repr(s.ZOOM_SYNC_SCHEDULE))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("schedule", ["2:30am", "24:00", "02:60", "0230", "02:3"])
def test_a_malformed_schedule_is_a_configuration_error_naming_the_variable_and_format(schedule):
    result = _import_settings(schedule)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ZOOM_SYNC_SCHEDULE must be a 24-hour UTC time HH:MM" in result.stderr
    assert repr(schedule) in result.stderr


@pytest.mark.parametrize("schedule", ["02:30", "2:30", "23:59", "off"])
def test_a_well_formed_schedule_is_accepted(schedule):
    result = _import_settings(schedule)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(schedule)
