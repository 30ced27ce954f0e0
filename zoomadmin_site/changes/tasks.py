"""The change machinery's upkeep, every minute, in the task queue (`manage.py db_worker` runs it): pending
requests past their time expire, time-bound changes whose time is up are put back, and executions whose
process died are resolved by reading Zoom back.

The task books its own next run before doing the work, so one failing minute never stops the schedule;
`changes_maintain --schedule` books the first run, and booking is idempotent (one run waits at a time).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

EVERY = datetime.timedelta(minutes=1)


def changes_maintain(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One round of upkeep now; how many requests each step moved."""
    from zoomadmin_site.changes.services import change_expire_due, change_reconcile_stale, change_revert_due

    now = now or timezone.now()
    return {
        "expired": change_expire_due(now=now),
        "reverted": len(change_revert_due(now=now)),
        "reconciled": len(change_reconcile_stale()),
    }


@task
def changes_maintain_task() -> dict[str, int]:
    """The periodic run: book the next one first, then do this one."""
    schedule_next_maintenance(after=timezone.now())
    done = changes_maintain()
    if any(done.values()):
        logger.info("Change requests maintained: %s", done)
    return done


def schedule_next_maintenance(*, after: datetime.datetime | None = None) -> datetime.datetime | None:
    """Book the next run a minute after `after` unless one is booked already. Idempotent. Only a
    database queue can hold a run for later: another backend runs a task at once (which would book the
    next at once, without end) or never, so nothing is booked there."""
    if not _queue_holds_runs() or _already_booked():
        return None
    when = (after or timezone.now()) + EVERY
    changes_maintain_task.using(run_after=when).enqueue()
    return when


def _queue_holds_runs() -> bool:
    return "django_tasks_db" in settings.TASKS["default"]["BACKEND"]


def _already_booked() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=changes_maintain_task.module_path, status="READY").exists()
