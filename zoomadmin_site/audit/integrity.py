"""The audit log's integrity: verifying the hash chain, and what the integrity page shows.

`audit_verify_run` is the one verification: `manage.py audit_verify`, the "Verify now" button and the
nightly run all walk the chain with it and record its result as an `audit.verify` event, saying what
started it (`after.trigger`). The button and the schedule go through a queue of one (`VerifyRun`):
`verify_run_request` refuses a second run while one is queued or running, and the background worker
runs it with `verify_run_execute` (zoomadmin_site.audit.tasks). The command takes the same slot with
`verify_run_cli` (so the page shows it running, and who started it where) but is never refused: an
operator at a terminal asked for a walk, so it walks even while another run is active, and says so.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zoomadmin_site.audit.chain import ChainReport, chain_verify
from zoomadmin_site.audit.conf import verify_schedule
from zoomadmin_site.audit.models import (
    Action,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    Outcome,
    VerifyRun,
)
from zoomadmin_site.audit.services import SYSTEM_ACTOR, audit_record

TARGET_TYPE, TARGET_ID, TARGET_LABEL = "audit_log", "chain", "Audit log hash chain"
# A run queued or running for longer than this is taken for lost (its worker stopped): a new one may start.
STALE_AFTER = dt.timedelta(hours=1)
HISTORY = 10
CHECKPOINTS_SHOWN = 20
ALREADY_ACTIVE = (
    "A verification is already {status} (asked for by {who} at {when:%Y-%m-%d %H:%M:%S} UTC), so no "
    "second one was started. Its result shows here when it is done."
)
ABANDONED = "Its worker stopped answering: nothing was heard from it for {minutes} minutes."
INTERRUPTED = "Interrupted before the end: {error}"
OTHER_RUN = (
    "Another verification was {status} (#{pk}, asked for by {who} at {when:%Y-%m-%d %H:%M:%S} UTC): this "
    "one ran anyway, alongside it; the integrity page shows that one as running, not this one."
)


class VerifyBusy(Exception):
    """A verification is already queued or running; `run` is that one."""

    def __init__(self, run: VerifyRun) -> None:
        who = run.requested_by_label or run.get_trigger_display().lower()
        super().__init__(
            ALREADY_ACTIVE.format(
                status=run.get_status_display().lower(),
                who=who,
                when=run.requested_at.astimezone(dt.UTC),
            )
        )
        self.run = run


@dataclass(frozen=True)
class VerifyOutcome:
    report: ChainReport
    seconds: float
    event: AuditEvent | None  # the audit.verify event recorded; None when recording it failed
    record_error: str = ""


def default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def audit_verify_run(
    *,
    triggered_by: str,
    actor: Any = None,
    actor_label: str | None = None,
    run_id: int | None = None,
    chunk_size: int = 5000,
    workers: int | None = None,
) -> VerifyOutcome:
    """Walk the chain from the latest prune checkpoint and record the result as an audit.verify event.

    `triggered_by` is a VerifyRun.Trigger (ui, schedule, cli); `actor` the operator who asked, if any.
    Recording can fail when a row forged beyond the chain head holds the seq the event needs: the
    outcome then carries the error instead of the event."""
    started = time.perf_counter()
    report = chain_verify(chunk_size=max(100, chunk_size), workers=max(1, workers or default_workers()))
    seconds = round(time.perf_counter() - started, 3)
    try:
        event = audit_record(
            action=Action.AUDIT_VERIFY,
            outcome=Outcome.SUCCEEDED if report.intact else Outcome.FAILED,
            actor=actor,
            actor_label=actor_label,
            target_type=TARGET_TYPE,
            target_id=TARGET_ID,
            target_label=TARGET_LABEL,
            reason="" if report.intact else report.summary(),
            after={
                "intact": report.intact,
                "events": report.events,
                "last_seq": report.last_seq,
                "last_hash": report.last_hash,
                "broken_seq": report.broken_seq,
                "clock_step_seq": report.steps_seq,
                "checkpoint_seq": report.start_seq,
                "seconds": seconds,
                "trigger": VerifyRun.Trigger(triggered_by).value,
                "run": run_id,
            },
        )
    except DatabaseError as error:
        return VerifyOutcome(report, seconds, None, str(error))
    return VerifyOutcome(report, seconds, event)


def verify_run_request(*, trigger: str, actor: Any = None) -> VerifyRun:
    """A queued run, or VerifyBusy naming the one already queued or running. Concurrent requests make
    exactly one run (a partial unique index allows one active run)."""
    verify_run_abandon_stale()
    label = actor.get_username() if actor is not None and actor.is_authenticated else ""
    for _ in range(2):  # the active run may end between the refused insert and the look-up
        try:
            with transaction.atomic():
                return VerifyRun.objects.create(
                    trigger=trigger, requested_by=actor if label else None, requested_by_label=label
                )
        except IntegrityError:
            active = VerifyRun.objects.filter(active=True).first()
            if active is not None:
                raise VerifyBusy(active) from None
    raise VerifyBusy(VerifyRun.objects.get(active=True))


def verify_run_execute(*, run_id: int) -> VerifyRun:
    """Run the queued run `run_id` (once: a run already taken, finished or abandoned is left alone)."""
    taken = VerifyRun.objects.filter(pk=run_id, status=VerifyRun.Status.QUEUED, active=True).update(
        status=VerifyRun.Status.RUNNING, started_at=timezone.now()
    )
    run = VerifyRun.objects.select_related("requested_by").get(pk=run_id)
    if not taken:
        return run
    _walk(
        run,
        triggered_by=run.trigger,
        actor=run.requested_by,
        actor_label=run.requested_by_label or None,
        run_id=run.pk,
    )
    run.refresh_from_db()
    return run


def _walk(run: VerifyRun | None, **verify: Any) -> VerifyOutcome:
    """audit_verify_run, ending `run` (if any) with its result, or as failed when the walk stops."""
    try:
        outcome = audit_verify_run(**verify)
    except BaseException as error:  # a worker told to stop (SystemExit), Ctrl-C: the run ends too
        if run is not None:
            _finish(run, status=VerifyRun.Status.FAILED, error=INTERRUPTED.format(error=error or type(error)))
        raise
    if run is not None:
        _finish(
            run,
            status=VerifyRun.Status.DONE,
            event_seq=outcome.event.seq if outcome.event else None,
            error=outcome.record_error,
        )
    return outcome


@dataclass(frozen=True)
class CliVerify:
    outcome: VerifyOutcome
    run: VerifyRun | None  # the run row this walk showed as, None when another run held the slot
    other: VerifyRun | None  # the run that was queued or running when this walk started, if any

    @property
    def concurrent(self) -> str:
        """What the command says when it walked alongside another run ("" when it did not)."""
        return other_run_notice(self.other)


def other_run_notice(other: VerifyRun | None) -> str:
    if other is None:
        return ""
    return OTHER_RUN.format(
        pk=other.pk,
        status=other.get_status_display().lower(),
        who=other.requested_by_label or other.get_trigger_display().lower(),
        when=other.requested_at.astimezone(dt.UTC),
    )


def cli_label() -> str:
    """Who ran the command, where: "<OS user> on <host> (pid <n>)", as the integrity page names it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown user"
    return f"{user} on {socket.gethostname() or 'unknown host'} (pid {os.getpid()})"[:150]


def verify_run_cli(
    *,
    label: str | None = None,
    chunk_size: int = 5000,
    workers: int | None = None,
    before_walk: Callable[[str], None] | None = None,
) -> CliVerify:
    """The command's verification: shown on the integrity page as a running run (trigger cli, asked for
    by `label`, default `cli_label()`) while it walks. When another run is queued or running it walks
    anyway, without a row of its own (one active run at a time), and `other` names that run.
    `before_walk` is told, before the walk, what the command should say about the other run ("" if none)."""
    verify_run_abandon_stale()
    run: VerifyRun | None = None
    other: VerifyRun | None = None
    try:
        with transaction.atomic():
            run = VerifyRun.objects.create(
                trigger=VerifyRun.Trigger.CLI,
                requested_by_label=label if label is not None else cli_label(),
                status=VerifyRun.Status.RUNNING,
                started_at=timezone.now(),
            )
    except IntegrityError:
        other = VerifyRun.objects.filter(active=True).first()
    if before_walk is not None:
        before_walk(other_run_notice(other))
    outcome = _walk(
        run,
        triggered_by=VerifyRun.Trigger.CLI,
        run_id=run.pk if run else None,
        chunk_size=chunk_size,
        workers=workers,
    )
    return CliVerify(outcome, run, other)


def _finish(run: VerifyRun, **fields: Any) -> None:
    VerifyRun.objects.filter(pk=run.pk).update(active=False, finished_at=timezone.now(), **fields)


def verify_run_abandon_stale(*, now: dt.datetime | None = None) -> int:
    """Free the queue of a run whose worker stopped: queued or running for longer than STALE_AFTER."""
    now = now or timezone.now()
    since = now - STALE_AFTER
    stale = VerifyRun.objects.filter(active=True).filter(
        Q(status=VerifyRun.Status.QUEUED, requested_at__lt=since)
        | Q(status=VerifyRun.Status.RUNNING, started_at__lt=since)
    )
    return stale.update(
        status=VerifyRun.Status.ABANDONED,
        active=False,
        finished_at=now,
        error=ABANDONED.format(minutes=int(STALE_AFTER.total_seconds() // 60)),
    )


# What the integrity page shows.


@dataclass(frozen=True)
class Verification:
    """One recorded verification (an audit.verify event), as the integrity page shows it."""

    seq: int
    time: dt.datetime
    intact: bool
    events: int | None
    last_seq: int | None
    last_hash: str
    broken_seq: int | None
    clock_step_seq: int | None  # where the clock steps on record and the events' times part
    checkpoint_seq: int | None
    seconds: float | None
    trigger: str  # a VerifyRun.Trigger value
    trigger_label: str
    who: str  # the operator for "Verify now", else what ran it
    summary: str  # the problem when broken


def verification_from_event(event: AuditEvent) -> Verification:
    after = event.after if isinstance(event.after, dict) else {}
    # Events recorded before the button and the schedule existed came from the command line.
    recorded = after.get("trigger")
    trigger = recorded if isinstance(recorded, str) and recorded in VerifyRun.Trigger.values else "cli"
    label = VerifyRun.Trigger(trigger).label
    operator = trigger == VerifyRun.Trigger.UI and event.actor_label != SYSTEM_ACTOR
    return Verification(
        seq=event.seq,
        time=event.time,
        intact=event.outcome == Outcome.SUCCEEDED,
        events=_int(after.get("events")),
        last_seq=_int(after.get("last_seq")),
        last_hash=str(after.get("last_hash") or ""),
        broken_seq=_int(after.get("broken_seq")),
        clock_step_seq=_int(after.get("clock_step_seq")),
        checkpoint_seq=_int(after.get("checkpoint_seq")),
        seconds=after.get("seconds") if isinstance(after.get("seconds"), int | float) else None,
        trigger=trigger,
        trigger_label=str(label),
        who=event.actor_label if operator else str(label).lower(),
        summary=event.reason,
    )


def _failed_since(last: Verification | None) -> VerifyRun | None:
    """The latest run that ended without a result, when it ended after the last recorded verification."""
    run = VerifyRun.objects.filter(active=False).first()
    if run is None or not run.error or run.finished_at is None:
        return None
    return run if last is None or run.finished_at > last.time else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def integrity_overview(*, history: int = HISTORY) -> dict[str, Any]:
    """Everything the integrity page shows: the latest verifications (newest first), the chain head, the
    prune checkpoints, the verification queued or running if any, and the next nightly run."""
    from zoomadmin_site.audit.tasks import booked_nightly_verify

    events = AuditEvent.objects.filter(action=Action.AUDIT_VERIFY).order_by("-seq")[: max(1, history)]
    verifications = [verification_from_event(event) for event in events]
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    checkpoints = list(AuditCheckpoint.objects.order_by("-seq")[:CHECKPOINTS_SHOWN])
    last = verifications[0] if verifications else None
    head_seq = head[0] if head else 0
    try:
        schedule, schedule_problem = verify_schedule(), ""
    except ImproperlyConfigured as error:
        schedule, schedule_problem = None, str(error)
    return {
        "last": last,
        "appended_since": head_seq - last.last_seq if last and last.last_seq is not None else None,
        "history": verifications,
        "head_seq": head_seq,
        "head_hash": head[1] if head else "",
        "checkpoints": checkpoints,
        "active_run": VerifyRun.objects.filter(active=True).first(),
        "failed_run": _failed_since(last),
        "next_nightly": booked_nightly_verify(),
        "schedule": f"{schedule[0]:02d}:{schedule[1]:02d}" if schedule else "",
        "schedule_problem": schedule_problem,
    }
