"""The one executor: how every approved change reaches Zoom.

1. Claim: `approved → executing`, a conditional UPDATE; whoever loses the race does nothing.
2. Record the `started` event (with the plan) and commit it, before any Zoom call.
3. Send the plan's calls, recording them. No transaction is open meanwhile.
4. Read the target back from Zoom. That, not the write's answer, decides the outcome:
   - Zoom shows the intended state: `succeeded` (also after a timeout or a 5xx: Zoom applied it);
   - Zoom refused the write (a 4xx, a 429): `failed`, with Zoom's explanation and remedy;
   - the write's outcome was unknown and Zoom shows the old state: `failed`, nothing changed;
   - Zoom answered success but shows the old state (the silent 204): `unverified`, with advice;
   - Zoom could not be read back: `unverified`.
   A failed write is never retried blindly.
5. Record the read-back event, write the mirror through its one writer, then move the request to its
   final status and record the final event in one transaction: both or neither, and only for the one
   caller whose conditional UPDATE moved it (a slow execution and its reconciler never both close it).

A crash between 2 and 5 leaves an `executing` request with a started event; `reconcile_stale` resolves
it later by the same read-back (steps 4 and 5).
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from zoomadmin_site.audit.models import AuditEvent, Outcome
from zoomadmin_site.audit.services import audit_finish, audit_record, audit_start
from zoomadmin_site.changes.flows import Flow, ReadBack
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.zoom import ZoomCall, ZoomError, ZoomRateLimited, get_zoom_client, record_zoom_calls

logger = logging.getLogger(__name__)

APPLIED_AFTER_ERROR = (
    "Zoom's answer to the write was lost ({error}), but reading Zoom back shows the change was applied."
)
NOT_APPLIED_AFTER_UNKNOWN = (
    "{error} Reading Zoom back shows the change was not applied: nothing changed in Zoom, and it is safe "
    "to request it again."
)
SILENT_NO_OP = "Zoom answered {answer} to the write, but reading it back shows no change: {detail} {advice}"
NOT_READ_BACK = (
    "Zoom could not be read back after the write ({error}), so whether the change took is not known. "
    "Check the target in Zoom, or refresh it here, before trying again."
)
REFUSED_NOTHING_CHANGED = " The write was refused: nothing changed in Zoom (read back to make sure)."
RETRY_AT = "Request the change again after {when}, when Zoom's daily limit resets."
RETRY_IN = "Request the change again in {wait}: that is how long Zoom asked to wait."
RETRY_UNSAID = "Request the change again in a minute: Zoom did not say when the limit clears."
MIRROR_NOT_WRITTEN = "The local mirror could not be updated ({error}); the next sync will correct it."


def execute_plan(
    request: ChangeRequest,
    *,
    flow: Flow,
    plan: Plan,
    actor: Any,
    before_write: Callable[[], None] | None = None,
) -> ChangeRequest:
    """Execute an `approved` request whose plan was just re-checked. Returns the request as it ends.
    `before_write` is called once the request is claimed and its `started` event committed, just before
    the first Zoom call (a job uses it to let its next item get ready)."""
    if not ChangeRequest.objects.transition(
        request.pk, from_statuses=[Status.APPROVED], to=Status.EXECUTING, started_at=timezone.now()
    ):
        return ChangeRequest.objects.get(pk=request.pk)  # someone else claimed it first
    started = audit_start(
        action=flow.actions.execute,
        actor=actor,
        target_type=request.target_type,
        target_id=request.target_id,
        target_label=request.target_label,
        before=plan.current,
        reason=request.reason,
        preflight={**plan.to_json(), "request": request.pk},
    )
    ChangeRequest.objects.filter(pk=request.pk, status=Status.EXECUTING).update(
        operation_id=started.operation_id, plan=plan.to_json(), plan_fingerprint=plan.fingerprint()
    )
    if before_write is not None:
        before_write()
    client = get_zoom_client()
    write_error: ZoomError | None = None
    with record_zoom_calls() as write_calls:
        try:
            flow.write(client, plan)
        except ZoomError as error:
            write_error = error
    done, _ = conclude(
        request, flow=flow, plan=plan, started=started, write_calls=write_calls, write_error=write_error
    )
    return done


def conclude(
    request: ChangeRequest,
    *,
    flow: Flow,
    plan: Plan,
    started: AuditEvent,
    write_calls: list[ZoomCall],
    write_error: ZoomError | None,
    actor_label: str | None = None,
) -> tuple[ChangeRequest, bool]:
    """Steps 4 and 5: read back, decide, record, mirror, finish. Returns the request and whether this
    call finished it (False when another one did first: a reconciler that took this execution for
    dead, or the execution a reconciler took for dead)."""
    read: ReadBack | None = None
    read_error: ZoomError | None = None
    with record_zoom_calls() as read_calls:
        try:
            read = flow.read_back(get_zoom_client(), plan)
        except ZoomError as error:
            read_error = error
    status, why = verdict(flow, write_calls, write_error, read, read_error)
    after = {**read.after, "request": request.pk} if read else {"request": request.pk}
    audit_record(
        action=flow.actions.read_back,
        outcome=_read_back_outcome(read, read_error),
        actor=started.actor,
        actor_label=actor_label or started.actor_label,
        target_type=started.target_type,
        target_id=started.target_id,
        target_label=started.target_label,
        before=plan.current,
        after=after,
        reason=(read.detail if read else str(read_error)),
        zoom_calls=[call.to_dict() for call in read_calls],
        operation_id=started.operation_id,
    )
    if read is not None:
        try:
            flow.mirror(read)
        except Exception as error:  # the final event must be written whatever the mirror does
            logger.exception("Mirror write after change #%s failed", request.pk)
            why = f"{why} {MIRROR_NOT_WRITTEN.format(error=error)}"
    finished = timezone.now()
    revert_at = None
    if status == Status.SUCCEEDED and request.duration_hours:
        revert_at = finished + datetime.timedelta(hours=request.duration_hours)
    with transaction.atomic():  # the final status and the final event: both or neither, once
        concluded = ChangeRequest.objects.transition(
            request.pk,
            from_statuses=[Status.EXECUTING],
            to=status,
            finished_at=finished,
            outcome_reason=why,
            revert_at=revert_at,
        )
        if concluded:
            audit_finish(
                started,
                outcome=status,
                after=after,
                zoom_calls=[call.to_dict() for call in [*write_calls, *read_calls]],
                reason=why,
            )
    return ChangeRequest.objects.get(pk=request.pk), concluded


def verdict(
    flow: Flow,
    write_calls: list[ZoomCall],
    write_error: ZoomError | None,
    read: ReadBack | None,
    read_error: ZoomError | None,
) -> tuple[str, str]:
    """The request's final status and why, in words (see the module docstring)."""
    if write_error is not None and not write_error.outcome_unknown:
        if read is not None and read.applied:  # e.g. already there: Zoom refused a no-op
            return Status.SUCCEEDED, f"{read.detail} (Zoom refused the write: {write_error.explanation})"
        return Status.FAILED, refused(write_error, confirmed=read is not None)
    if read is None:
        return Status.UNVERIFIED, NOT_READ_BACK.format(error=read_error)
    if read.applied:
        if write_error is not None:
            return (
                Status.SUCCEEDED,
                f"{APPLIED_AFTER_ERROR.format(error=write_error.explanation)} {read.detail}",
            )
        return Status.SUCCEEDED, read.detail
    if write_error is not None:
        return Status.FAILED, NOT_APPLIED_AFTER_UNKNOWN.format(error=write_error.explanation)
    answer = ", ".join(str(call.status) for call in write_calls if call.status) or "success"
    return Status.UNVERIFIED, SILENT_NO_OP.format(
        answer=answer, detail=read.detail, advice=flow.unverified_advice
    )


def refused(error: ZoomError, *, confirmed: bool) -> str:
    """Why a write Zoom refused (or that never left) failed; a rate limit says when to ask again."""
    nothing = REFUSED_NOTHING_CHANGED if confirmed else ""
    if isinstance(error, ZoomRateLimited):
        return f"{error.explanation}{nothing} {_when_to_retry(error)}"
    return f"{error.explanation}{nothing} {error.remedy}".strip()


def _when_to_retry(error: ZoomRateLimited) -> str:
    if error.is_daily and error.reset_at is not None:
        return RETRY_AT.format(when=f"{error.reset_at:%Y-%m-%d %H:%M} UTC")
    if error.retry_after is not None:
        seconds = max(1, math.ceil(error.retry_after))
        return RETRY_IN.format(wait=f"{seconds} second{'s' if seconds != 1 else ''}")
    return RETRY_UNSAID


def _read_back_outcome(read: ReadBack | None, read_error: ZoomError | None) -> str:
    if read is None:
        return Outcome.FAILED
    return Outcome.SUCCEEDED if read.applied else Outcome.UNVERIFIED
