"""Background tasks (Django's tasks framework; `manage.py db_worker` runs them)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from zoomadmin_site.mirror.models import SyncRun

logger = logging.getLogger(__name__)


@task
def mirror_sync_task(run_id: int) -> dict:
    from zoomadmin_site.sync.services import sync_run_execute

    try:
        run = sync_run_execute(run_id=run_id)
    except (KeyboardInterrupt, SystemExit):
        return _interrupted(run_id)
    return {"run": run.pk, "status": run.status}


@task
def mirror_sync_scheduled_task() -> dict:
    """The nightly sync: book tomorrow's run first, then sync now (unless one is already running)."""
    from zoomadmin_site.sync.services import SyncBusy, sync_run_execute, sync_run_request

    schedule_next_sync(after=timezone.now() + datetime.timedelta(minutes=1))
    try:
        run = sync_run_request(trigger=SyncRun.Trigger.SCHEDULE)
    except SyncBusy as busy:
        logger.info("Scheduled sync skipped: %s", busy)
        return {"skipped": str(busy)}
    try:
        run = sync_run_execute(run_id=run.pk)
    except (KeyboardInterrupt, SystemExit):
        return _interrupted(run.pk)
    return {"run": run.pk, "status": run.status}


def _interrupted(run_id: int) -> dict:
    """db_worker stops a task it was told twice to stop (Ctrl-C, SIGTERM) with SystemExit, then exits: the
    sync has recorded itself interrupted by then, and the next start continues it. That ends the task; it
    is no failure to log with a traceback on every Ctrl-C of make run."""
    logger.warning("Sync #%s interrupted: its worker was stopped; the next start continues it.", run_id)
    return {"run": run_id, "status": SyncRun.Status.INTERRUPTED}


def next_scheduled_time(*, after: datetime.datetime, schedule: str) -> datetime.datetime | None:
    """The next HH:MM (UTC) strictly after `after`, or None when the schedule is off."""
    if schedule.strip().lower() in {"", "off", "none"}:
        return None
    hours, minutes = (int(part) for part in schedule.split(":"))
    candidate = after.astimezone(datetime.UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return candidate if candidate > after else candidate + datetime.timedelta(days=1)


def schedule_next_sync(*, after: datetime.datetime | None = None) -> datetime.datetime | None:
    """Book the next nightly run in the task queue unless one is booked already. Idempotent."""
    when = next_scheduled_time(after=after or timezone.now(), schedule=settings.ZOOM_SYNC_SCHEDULE)
    if when is None or _already_booked():
        return None
    mirror_sync_scheduled_task.using(run_after=when).enqueue()
    return when


def _already_booked() -> bool:
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False  # other backends run at once or never; nothing is queued to find
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=mirror_sync_scheduled_task.module_path, status="READY"
    ).exists()
