"""Background verification of the audit chain (Django's tasks framework; `manage.py db_worker` runs it):
"Verify now" from the integrity page, and the nightly run at AUDIT_VERIFY_SCHEDULE (UTC).

The nightly task books the next night's run before it works, so one failing night never stops the
schedule; `audit_verify --schedule` books the first, and booking is idempotent (one run waits at a time).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.tasks import task
from django.utils import timezone

from zoomadmin_site.audit.conf import verify_schedule

logger = logging.getLogger(__name__)


@task
def audit_verify_task(run_id: int) -> dict:
    from zoomadmin_site.audit.integrity import verify_run_execute

    run = verify_run_execute(run_id=run_id)
    return {"run": run.pk, "status": run.status, "event": run.event_seq}


@task
def audit_verify_scheduled_task() -> dict:
    """The nightly verification: book tomorrow's first, then verify now (unless one is queued or running)."""
    from zoomadmin_site.audit.integrity import VerifyBusy, verify_run_execute, verify_run_request
    from zoomadmin_site.audit.models import VerifyRun

    try:
        schedule_next_verify(after=timezone.now() + dt.timedelta(minutes=1))
    except ImproperlyConfigured as error:  # the setting changed since it was booked: verify tonight anyway
        logger.error("The next nightly audit verification was not booked: %s", error)
    try:
        run = verify_run_request(trigger=VerifyRun.Trigger.SCHEDULE)
    except VerifyBusy as busy:
        logger.info("Nightly audit verification skipped: %s", busy)
        return {"skipped": str(busy)}
    run = verify_run_execute(run_id=run.pk)
    return {"run": run.pk, "status": run.status, "event": run.event_seq}


def next_verify_time(*, after: dt.datetime, schedule: tuple[int, int] | None) -> dt.datetime | None:
    """The next (hour, minute) UTC strictly after `after`, or None when the schedule is off."""
    if schedule is None:
        return None
    hours, minutes = schedule
    candidate = after.astimezone(dt.UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return candidate if candidate > after else candidate + dt.timedelta(days=1)


def schedule_next_verify(*, after: dt.datetime | None = None) -> dt.datetime | None:
    """Book the next nightly verification in the task queue unless one is booked already. Idempotent.
    Only a database queue can hold a run for later: another backend runs a task at once or never, so
    nothing is booked there."""
    when = next_verify_time(after=after or timezone.now(), schedule=verify_schedule())
    if when is None or not _queue_holds_runs() or booked_nightly_verify() is not None:
        return None
    audit_verify_scheduled_task.using(run_after=when).enqueue()
    return when


def booked_nightly_verify() -> dt.datetime | None:
    """When the booked nightly verification is due, or None when none is booked."""
    if not _queue_holds_runs():
        return None
    from django_tasks_db.models import DBTaskResult

    booked = DBTaskResult.objects.filter(task_path=audit_verify_scheduled_task.module_path, status="READY")
    return booked.order_by("run_after").values_list("run_after", flat=True).first()


def _queue_holds_runs() -> bool:
    return "django_tasks_db" in settings.TASKS["default"]["BACKEND"]
