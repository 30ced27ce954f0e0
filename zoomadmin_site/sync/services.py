"""Mirror services: request a sync (one at a time), run it, resume it, refresh one row from Zoom."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.mirroring import (
    mirror_mark_user_gone,
    mirror_write_assistants,
    mirror_write_schedulers,
    mirror_write_user,
    user_values,
)
from accounts.models import ZoomUser
from accounts.search import USER_SEARCH
from meetings.mirroring import meeting_values, mirror_mark_meeting_gone, mirror_write_meeting
from meetings.models import ZoomMeeting
from meetings.search import MEETING_SEARCH
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.mirror.freshness import forget_mirror_freshness
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.search.index import vacuum_search_tables
from zoomadmin_site.sync.engine import MirrorSync, ProgressCallback, SyncAborted, SyncReport
from zoomadmin_site.zoom import ZoomError, ZoomNotFound, get_zoom_client

STALE_AFTER = datetime.timedelta(minutes=10)
ALREADY_RUNNING = "A sync is already {status} (started by {who}); its progress is shown below."
NOTHING_TO_RESUME = "There is no failed sync to resume."


class SyncBusy(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(
            ALREADY_RUNNING.format(
                status=run.get_status_display().lower(), who=run.requested_by_label or "system"
            )
        )
        self.run = run


def sync_run_request(*, trigger: str, actor: Any = None) -> SyncRun:
    """A new queued run, or SyncBusy naming the run already queued or running. Concurrent requests make
    exactly one run (a partial unique index allows one active run)."""
    sync_run_expire_stale()
    label = actor.get_username() if actor is not None else trigger
    try:
        with transaction.atomic():
            return SyncRun.objects.create(trigger=trigger, requested_by=actor, requested_by_label=label)
    except IntegrityError:
        raise SyncBusy(SyncRun.objects.get(active=True)) from None


def sync_run_resume(*, actor: Any = None) -> SyncRun:
    """Put the newest failed run back in the queue; it continues where it stopped."""
    sync_run_expire_stale()
    run = SyncRun.objects.filter(status=SyncRun.Status.FAILED).order_by("-queued_at").first()
    if run is None or SyncRun.objects.filter(queued_at__gt=run.queued_at).exists():
        raise SyncAborted(NOTHING_TO_RESUME)
    try:
        with transaction.atomic():
            changed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.FAILED).update(
                status=SyncRun.Status.QUEUED, active=True, error=""
            )
    except IntegrityError:
        raise SyncBusy(SyncRun.objects.get(active=True)) from None
    if not changed:
        raise SyncAborted(NOTHING_TO_RESUME)
    forget_mirror_freshness()
    run.refresh_from_db()
    return run


def sync_run_expire_stale() -> int:
    """A worker that died leaves its run 'running' with an old heartbeat: fail it so it can be resumed."""
    cutoff = timezone.now() - STALE_AFTER
    stale = SyncRun.objects.filter(active=True, status=SyncRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    expired = stale.update(
        status=SyncRun.Status.FAILED,
        active=False,
        finished_at=timezone.now(),
        error="The worker running this sync stopped answering; resume it to continue.",
    )
    if expired:
        forget_mirror_freshness()
    return expired


def sync_run_execute(
    *, run_id: int, on_progress: ProgressCallback | None = None, workers: int | None = None
) -> SyncRun:
    """Run a queued sync to the end. Exactly once: only the caller that moves it from queued to running
    does the work; anyone else gets the run back untouched."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, heartbeat_at=now
    )
    run = SyncRun.objects.get(pk=run_id)
    if not claimed:
        return run
    if run.started_at is None:
        run.started_at = now
        run.save(update_fields=["started_at"])
    engine = MirrorSync(
        client=get_zoom_client(),
        sync_run=run,
        on_progress=on_progress,
        workers=workers or settings.ZOOM_SYNC_WORKERS,
    )
    try:
        report = engine.run()
    except Exception as error:  # whatever stops it, the run ends in a recorded, resumable state
        _finish(run, engine.report, error=error)
        raise
    _finish(run, report, error=None)
    vacuum_search_tables(
        [USER_SEARCH, MEETING_SEARCH]
    )  # every row was rewritten: keep search's index-only walks index-only
    return run


def _finish(run: SyncRun, report: SyncReport, *, error: BaseException | None) -> None:
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.active = False
    run.finished_at = timezone.now()
    run.counts = report.counts()  # a resumed run's report includes its earlier parts
    run.zoom_calls = run.counts["zoom_calls"]
    run.error = _describe(error) if error else ""
    run.save(
        update_fields=["status", "active", "finished_at", "counts", "zoom_calls", "error", "resume_state"]
    )
    drift = {name: d.as_dict() for name, d in report.drift.items()}
    audit_record(
        action="mirror.sync",
        outcome="failed" if error else "succeeded",
        actor=run.requested_by,
        actor_label=run.requested_by_label or "system",
        target_type="mirror",
        target_id=str(run.pk),
        target_label=f"Full sync #{run.pk} ({run.get_trigger_display().lower()})",
        after={"counts": run.counts, "drift": drift, "failed_hosts": report.failed_hosts[:20]},
        reason=run.error,
        zoom_calls=report.call_summary(),
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, ZoomError):
        return f"{error.explanation} {error.remedy}".strip()
    if isinstance(error, SyncAborted):
        return str(error)
    return f"Unexpected error ({type(error).__name__}); resume the sync to continue."


# --- refreshing one row ------------------------------------------------------------------------------


def mirror_refresh_user(*, user_key: str) -> ZoomUser | None:
    """Read one user, and both sides of their scheduling delegations, fresh from Zoom into the mirror.
    Returns None (and marks the row gone) when Zoom no longer knows the user."""
    client = get_zoom_client()
    now = timezone.now()
    try:
        zoom_user = client.get_user(user_id=user_key)
    except ZoomNotFound:
        mirror_mark_user_gone(user_key=user_key, when=now)
        return None
    user = user_values(zoom_user)
    pk = mirror_write_user(user, when=now, take_email=True)
    if zoom_user.id and zoom_user.is_licensed:
        mirror_write_assistants(
            host_zoom_id=zoom_user.id, assistants=client.list_assistants(user_id=zoom_user.id), when=now
        )
        mirror_write_schedulers(
            assistant_zoom_id=zoom_user.id, schedulers=client.list_schedulers(user_id=zoom_user.id), when=now
        )
    if pk is not None:
        return ZoomUser.objects.get(pk=pk)
    # Not written (an event stamped the row after this read began): the row as the mirror has it.
    key = Q(zoom_id=zoom_user.id) if zoom_user.id else Q(email=user.values.get("email", ""))
    return ZoomUser.objects.filter(key).first()


def mirror_refresh_meeting(*, meeting_id: int) -> ZoomMeeting | None:
    """Read one meeting fresh from Zoom (GET /meetings/{id}: the only call that tells the scheduler of
    record, status and alternative hosts). Returns None and marks it gone when Zoom no longer has it."""
    now = timezone.now()
    try:
        meeting = get_zoom_client().get_meeting(meeting_id=meeting_id)
    except ZoomNotFound:
        mirror_mark_meeting_gone(meeting_id=meeting_id, when=now)
        return None
    mirror_write_meeting(meeting_values(meeting), when=now, detailed=True)
    return ZoomMeeting.objects.get(meeting_id=meeting.id)
