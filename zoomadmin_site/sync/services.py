"""Mirror services: request a sync (one at a time), run it, resume it (also once its process died: see
lease.py), refresh one row from Zoom."""

from __future__ import annotations

import datetime
import logging
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
from zoomadmin_site.audit.models import Action
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.mirror.freshness import forget_mirror_freshness
from zoomadmin_site.mirror.lease import Lease, LeaseLost, last_heard_from, new_owner, run_is_dead
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.search.index import vacuum_search_tables
from zoomadmin_site.sync.engine import TABLE_NAMES, MirrorSync, ProgressCallback, SyncAborted, SyncReport
from zoomadmin_site.zoom import ZoomError, ZoomNotFound, get_zoom_client

ALREADY_RUNNING = "A sync is already {status} (started by {who}); its progress is shown below."
ALREADY_RUNNING_CLI = "Sync #{pk} is already {status} (started by {who}); its progress is under /mirror/."
NOTHING_TO_RESUME = "There is no failed sync to resume."
# An interrupted run is continued by the next request when it started less than this long ago; an older
# one would finish with an old list of users: a new run starts instead (it stays resumable by hand).
AUTO_RESUME_WITHIN = datetime.timedelta(hours=6)
INTERRUPTED = (
    "Interrupted{where}: {how}. A sync started within 6 hours of it continues it where it stopped, as "
    "does `manage.py zoom_sync --resume`."
)
logger = logging.getLogger(__name__)


class SyncBusy(Exception):
    def __init__(self, run: SyncRun) -> None:
        status, who = run.get_status_display().lower(), run.requested_by_label or "system"
        super().__init__(ALREADY_RUNNING.format(status=status, who=who))
        self.run = run
        self.cli_message = ALREADY_RUNNING_CLI.format(pk=run.pk, status=status, who=who)


def sync_run_request(*, trigger: str, actor: Any = None) -> SyncRun:
    """A queued run, or SyncBusy naming the live run already queued or running. When the latest run was
    interrupted (its process stopped) less than AUTO_RESUME_WITHIN ago, that run goes back in the queue
    and continues where it stopped. Concurrent requests make exactly one run (a partial unique index
    allows one active run)."""
    sync_run_expire_stale()
    latest = SyncRun.objects.order_by("-queued_at", "-pk").first()
    if (
        latest is not None
        and latest.status == SyncRun.Status.INTERRUPTED
        and timezone.now() - (latest.started_at or latest.queued_at) < AUTO_RESUME_WITHIN
    ):
        return _requeue(latest, statuses=[SyncRun.Status.INTERRUPTED])
    label = actor.get_username() if actor is not None else trigger
    try:
        with transaction.atomic():
            return SyncRun.objects.create(trigger=trigger, requested_by=actor, requested_by_label=label)
    except IntegrityError:
        raise SyncBusy(SyncRun.objects.get(active=True)) from None


def sync_run_resume(*, actor: Any = None) -> SyncRun:
    """Put the newest failed or interrupted run back in the queue; it continues where it stopped."""
    sync_run_expire_stale()
    run = SyncRun.objects.order_by("-queued_at", "-pk").first()
    if run is None or not run.resumable:
        raise SyncAborted(NOTHING_TO_RESUME)
    return _requeue(run, statuses=[SyncRun.Status.FAILED, SyncRun.Status.INTERRUPTED])


def _requeue(run: SyncRun, *, statuses: list[str]) -> SyncRun:
    """Back in the queue, if it still is in one of `statuses` (else someone else requeued it: busy)."""
    try:
        with transaction.atomic():
            changed = SyncRun.objects.filter(pk=run.pk, status__in=statuses, active=False).update(
                status=SyncRun.Status.QUEUED, active=True, error="", owner="", finished_at=None
            )
    except IntegrityError:
        raise SyncBusy(SyncRun.objects.get(active=True)) from None
    if not changed:
        active = SyncRun.objects.filter(active=True).first()
        if active is not None:
            raise SyncBusy(active)
        raise SyncAborted(NOTHING_TO_RESUME)
    forget_mirror_freshness()
    run.refresh_from_db()
    return run


def sync_run_expire_stale() -> int:
    """Mark interrupted every running run whose process stopped (lease.run_is_dead: not heard from within
    ZOOM_SYNC_LEASE_SECONDS, or gone from this machine), with an audit event saying what it had done; it
    can then be resumed. Race-safe: a run is taken only if its heartbeat and owner are still the ones seen
    here, so a run that beat meanwhile, or one another caller took first, is left alone. Returns how
    many were interrupted."""
    now = timezone.now()
    taken = 0
    for run in SyncRun.objects.filter(active=True, status=SyncRun.Status.RUNNING):
        if not run_is_dead(run, now=now):
            continue
        how = f"its process stopped (last heard from {last_heard_from(run):%Y-%m-%d %H:%M:%S %Z})"
        report = SyncReport.resumed(run.resume_state)  # what it had saved at its last resume point
        seen = SyncRun.objects.filter(
            pk=run.pk, status=SyncRun.Status.RUNNING, owner=run.owner, heartbeat_at=run.heartbeat_at
        )
        if _record_interruption(run, report, how=how, stopped_at=last_heard_from(run), rows=seen):
            taken += 1
    return taken


def sync_run_execute(
    *, run_id: int, on_progress: ProgressCallback | None = None, workers: int | None = None
) -> SyncRun:
    """Run a queued sync to the end. Exactly once: only the caller that moves it from queued to running
    (a conditional UPDATE) does the work, holding its lease; anyone else gets the run back untouched.
    Stopped on the way (Ctrl-C, SIGTERM), it is marked interrupted before the exception goes on."""
    now = timezone.now()
    owner = new_owner()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, owner=owner, heartbeat_at=now, finished_at=None
    )
    if claimed:
        forget_mirror_freshness()
    run = SyncRun.objects.get(pk=run_id)
    if not claimed:
        return run
    if run.started_at is None:
        run.started_at = now
        SyncRun.objects.filter(pk=run.pk).update(started_at=now)
    lease = Lease(run_id=run.pk, owner=owner)
    engine = MirrorSync(
        client=get_zoom_client(),
        sync_run=run,
        lease=lease,
        on_progress=on_progress,
        workers=workers or settings.ZOOM_SYNC_WORKERS,
    )
    try:
        with lease:  # its thread stops before the end is recorded
            report = engine.run()
    except LeaseLost:
        raise  # taken for dead meanwhile: the run is no longer this process's to record
    except Exception as error:  # whatever stops it, the run ends in a recorded, resumable state
        _finish(run, engine.report, error=error)
        raise
    except BaseException as stop:  # Ctrl-C, or SystemExit: db_worker's answer to a second SIGTERM
        how = "stopped with Ctrl-C" if isinstance(stop, KeyboardInterrupt) else "its worker was stopped"
        try:
            _record_interruption(run, engine.report, how=how, stopped_at=timezone.now(), rows=_held(run))
        except Exception:  # the stop goes on; its lease runs out, and the next start records it then
            logger.exception("Sync #%s: could not record its interruption.", run.pk)
        raise
    _finish(run, report, error=None)
    vacuum_search_tables(
        [USER_SEARCH, MEETING_SEARCH]
    )  # every row was rewritten: keep search's index-only walks index-only
    return run


def _held(run: SyncRun) -> Any:
    """The run's row while this process holds its lease (owner writes are conditional on it)."""
    return SyncRun.objects.filter(pk=run.pk, owner=run.owner, status=SyncRun.Status.RUNNING)


def _finish(run: SyncRun, report: SyncReport, *, error: BaseException | None) -> None:
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.active = False
    run.finished_at = timezone.now()
    run.counts = report.counts()  # a resumed run's report includes its earlier parts
    run.zoom_calls = run.counts["zoom_calls"]
    run.error = _describe(error) if error else ""
    fields = ["status", "active", "finished_at", "counts", "zoom_calls", "error", "resume_state"]
    if not _held(run).update(**{name: getattr(run, name) for name in fields}):
        raise LeaseLost(f"Sync #{run.pk} was taken for dead before it could record its end.")
    forget_mirror_freshness()
    drift = {name: d.as_dict() for name, d in report.drift.items()}
    audit_record(
        action=Action.MIRROR_SYNC,
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


def _record_interruption(
    run: SyncRun, report: SyncReport, *, how: str, stopped_at: datetime.datetime, rows: Any
) -> bool:
    """Mark the run interrupted (resumable) through `rows`, the conditional filter that says it still is
    what the caller saw, and audit what it had done. False (and nothing recorded) when that no longer
    holds."""
    counts = report.counts()
    where = f" while reading {run.phase} ({run.done:,} of {run.total:,})" if run.phase in TABLE_NAMES else ""
    error = INTERRUPTED.format(where=where, how=how)
    changed = rows.update(
        status=SyncRun.Status.INTERRUPTED,
        active=False,
        finished_at=stopped_at,
        counts=counts,
        error=error,
        resume_state=run.resume_state,
    )
    if not changed:
        return False
    forget_mirror_freshness()
    run.refresh_from_db()
    audit_record(
        action=Action.MIRROR_SYNC_INTERRUPTED,
        outcome="failed",
        actor=run.requested_by,
        actor_label=run.requested_by_label or "system",
        target_type="mirror",
        target_id=str(run.pk),
        target_label=f"Full sync #{run.pk} ({run.get_trigger_display().lower()})",
        after={
            "phase": run.phase,
            "done": run.done,
            "total": run.total,
            "zoom_calls": run.zoom_calls,
            "counts": counts,
            "users_done": bool(run.resume_state.get("users_done")),
            "hosts_done_through": run.resume_state.get("hosts_done_through", 0),
            "last_heartbeat": last_heard_from(run).isoformat(),
        },
        reason=error,
        zoom_calls=report.call_summary(),
    )
    return True


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
