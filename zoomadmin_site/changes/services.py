"""The life of a change request, for any flow: submit, approve, reject, cancel, expire, execute, revert
and reconcile. Every step is an audit event; a refused step is one too (outcome `denied`) and raises
`ChangeRefused` with the reason in plain words, for the view, command or API to show."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from zoomadmin_site.audit.models import AuditEvent, Outcome
from zoomadmin_site.audit.services import audit_record, audit_start
from zoomadmin_site.changes.executor import conclude, execute_plan
from zoomadmin_site.changes.flows import Flow, flow_for
from zoomadmin_site.changes.models import OPEN_STATUSES, Approval, ChangeRequest, Source, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.zoom import ZoomError

logger = logging.getLogger(__name__)

NOT_PENDING = "Request #{pk} is no longer waiting for approval: it is {status}."
OWN_REQUEST = "You asked for this change yourself: another manager has to approve it."
ABOUT_YOURSELF = "This change is about your own Zoom account ({email}): another manager has to decide it."
COMMENT_REQUIRED = "Say why in the comment: it is kept in the audit log with your decision."
ALREADY_DECIDED = "You already approved this version of request #{pk}; it waits for another manager."
NOT_YOURS = "Only the operator who asked for request #{pk} can cancel it."
BLOCKED = "Zoom Admin will not send this change: {failures}"
OPEN_ALREADY = (
    "Another change of {target} is already open (request #{pk}, {status}): wait for it to finish, or "
    "cancel it, before asking for a new one."
)
REASON_REQUIRED = "Give a reason: it is kept in the audit log with the request."
MAX_DURATION_HOURS = 24 * 365
BAD_DURATION = "A time limit is a whole number of hours from 1 to {max}, not {hours}."
DURATION_NEEDS_APPROVAL = (
    "Only a change that needs approval (a promotion) can be time-bound: its end puts the old role back "
    "without asking again. Leave the time limit out for this one."
)
CHANGED_SINCE = (
    "Zoom changed since this request was {when}. Approve it again if it still makes sense: {changes}"
)
EXPIRED = "No decision within {hours} hours."
INTERRUPTED = "The execution stopped before Zoom's answer to the write was recorded (its process ended)."
REVERT_REASON = "The time-bound change of request #{pk} ended ({hours} h)."
REVERT_MOVED = (
    "Not put back: Zoom shows {now} now, not what request #{pk} set, so someone changed it since. "
    "Nothing was sent to Zoom; change it by a new request if the earlier state is still wanted."
)
RECONCILED = "Execution of request #{pk} stopped midway; Zoom was read back: {status}."
SYSTEM = "system"
PLAN_CHANGED = (
    "Zoom changed since you checked, so nothing was sent. What changed is listed and marked below; confirm "
    "again if the change still makes sense."
)
PLAN_NOT_SEEN = (
    "This is the check made now: the one you confirmed is not known here any more (or none was shown), so "
    "nothing was sent. Confirm again if it is right."
)
PLAN_CHANGED_AUDIT = (
    "Checked again at confirmation: it differs from the check the operator saw. Nothing sent. {changes}"
)
SHOWN_PLAN_KEY = "changes:shown-plan:{fingerprint}"
SHOWN_PLAN_SECONDS = 24 * 3600


class ChangeRefused(Exception):
    """A step the rules do not allow, or a change whose preflight fails. `plan` when there is one."""

    def __init__(
        self, message: str, *, plan: Plan | None = None, request: ChangeRequest | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.plan = plan
        self.request = request


class PlanChanged(ChangeRefused):
    """The check made at confirmation differs from the one the operator saw (by fingerprint): nothing was
    done. `changes`: what differs, in words; `changed_checks`: the keys of the checks that differ."""

    def __init__(self, message: str, *, plan: Plan, changes: list[str], changed_checks: set[str]) -> None:
        super().__init__(message, plan=plan)
        self.changes = changes
        self.changed_checks = changed_checks


def plan_shown(plan: Plan) -> str:
    """Remember `plan` as shown to an operator, so that a confirmation can say what changed since; its
    fingerprint (the form sends it back with the confirmation)."""
    fingerprint = plan.fingerprint()
    cache.set(SHOWN_PLAN_KEY.format(fingerprint=fingerprint), plan.to_json(), SHOWN_PLAN_SECONDS)
    return fingerprint


def plan_shown_get(fingerprint: str) -> Plan | None:
    """The plan shown with `fingerprint` (within a day), or None."""
    data = cache.get(SHOWN_PLAN_KEY.format(fingerprint=fingerprint)) if fingerprint else None
    return Plan.from_json(data) if isinstance(data, dict) else None


def plan_changed(plan: Plan, seen_fingerprint: str) -> PlanChanged | None:
    """None when `plan` is the one the operator saw (same fingerprint), else what changed."""
    if plan.fingerprint() == seen_fingerprint:
        return None
    earlier = plan_shown_get(seen_fingerprint)
    if earlier is None:
        return PlanChanged(PLAN_NOT_SEEN, plan=plan, changes=[], changed_checks=set())
    return PlanChanged(
        PLAN_CHANGED,
        plan=plan,
        changes=plan.changes_since(earlier) or ["Details of the check differ."],
        changed_checks=plan.changed_checks_since(earlier),
    )


@dataclass(frozen=True)
class Submitted:
    request: ChangeRequest | None  # None for a dry run
    plan: Plan


def _label(actor: Any) -> str:
    return actor.get_username() if actor is not None and getattr(actor, "is_authenticated", False) else SYSTEM


def _target(request: ChangeRequest | Plan) -> dict[str, Any]:
    return {
        "target_type": request.target_type,
        "target_id": request.target_id,
        "target_label": request.target_label,
    }


def _refuse(request: ChangeRequest, action: Any, *, actor: Any, message: str) -> ChangeRefused:
    audit_record(
        action=action,
        outcome=Outcome.DENIED,
        actor=actor,
        reason=message,
        after={"request": request.pk},
        **_target(request),
    )
    return ChangeRefused(message, request=request)


def ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.CHANGE_REQUEST_TTL_HOURS)


# --- submit ----------------------------------------------------------------------------------------


def change_submit(
    kind: str,
    *,
    actor: Any,
    target_id: str,
    intended: dict[str, Any],
    reason: str,
    source: str = Source.WEB,
    duration_hours: int | None = None,
    dry_run: bool = False,
    seen_fingerprint: str | None = None,
) -> Submitted:
    """Preflight the change and record the request. A change that needs no approval runs at once; one
    that does waits as `pending`. A failing preflight refuses the request (audited, `ChangeRefused`).
    `seen_fingerprint`: the fingerprint of the check the operator confirmed (a form sends it back); when
    the check made now differs, nothing is recorded or sent (audited, `PlanChanged`)."""
    flow = flow_for(kind)
    reason = (reason or "").strip()
    if duration_hours is not None and not 1 <= duration_hours <= MAX_DURATION_HOURS:
        raise ChangeRefused(BAD_DURATION.format(max=MAX_DURATION_HOURS, hours=duration_hours))
    plan = flow.preflight(target_id=target_id, intended=intended, actor=actor)
    if duration_hours is not None and not flow.approvals_required(plan):
        raise ChangeRefused(DURATION_NEEDS_APPROVAL, plan=plan)
    if dry_run:
        return Submitted(None, plan)
    if not reason:
        raise ChangeRefused(REASON_REQUIRED, plan=plan)
    if plan.blocked:
        message = BLOCKED.format(failures=" ".join(f"{c.reason} {c.remedy}".strip() for c in plan.failures))
        audit_record(
            action=flow.actions.request,
            outcome=Outcome.DENIED,
            actor=actor,
            reason=f"{reason} — refused: {message}",
            preflight=plan.to_json(),
            before=plan.current,
            after=plan.intended,
            zoom_calls=plan.zoom_reads,
            **_target(plan),
        )
        raise ChangeRefused(message, plan=plan)
    if seen_fingerprint is not None and (changed := plan_changed(plan, seen_fingerprint)):
        audit_record(
            action=flow.actions.preflight,
            outcome=Outcome.SKIPPED,
            actor=actor,
            reason=PLAN_CHANGED_AUDIT.format(changes=" ".join(changed.changes)).strip(),
            preflight=plan.to_json(),
            before=plan.current,
            after=plan.intended,
            zoom_calls=plan.zoom_reads,
            **_target(plan),
        )
        plan_shown(plan)  # what the operator is shown now
        raise changed
    required = flow.approvals_required(plan)
    request = change_record(
        flow,
        plan,
        actor=actor,
        reason=reason,
        source=source,
        required=required,
        duration_hours=duration_hours,
    )
    if not required:
        # Checked again now that this request holds the target (one open change per target): a racer
        # that checked before another change of the same target ended must not send a stale plan.
        fresh = flow.preflight(target_id=target_id, intended=intended, actor=actor)
        request = _execute_checked(request, flow=flow, plan=fresh, actor=actor)
    return Submitted(request, plan)


def change_record(
    flow: Flow,
    plan: Plan,
    *,
    actor: Any,
    reason: str,
    source: str,
    required: int,
    duration_hours: int | None = None,
    context: dict[str, Any] | None = None,
) -> ChangeRequest:
    """Record a checked change as a request (pending when `required` approvals, else approved) with its
    request event. `context` (e.g. {"job": 7}) goes into the request's intent and event. One change per
    target may be open at a time: a second one is refused, audited, with the open one named."""
    now = timezone.now()
    try:
        with transaction.atomic():
            request = ChangeRequest.objects.create(
                kind=flow.kind,
                status=Status.PENDING if required else Status.APPROVED,
                source=source,
                requester=actor if actor is not None and actor.is_authenticated else None,
                requester_label=_label(actor),
                target_email=plan.current.get("email", ""),
                current=plan.current,
                intended={**plan.intended, **(context or {})},
                summary=plan.summary[:255],
                reason=reason,
                plan=plan.to_json(),
                plan_fingerprint=plan.fingerprint(),
                approvals_required=required,
                duration_hours=duration_hours,
                created_at=now,
                updated_at=now,
                expires_at=now + ttl() if required else None,
                decided_at=None if required else now,
                **_target(plan),
            )
    except IntegrityError:
        open_one = ChangeRequest.objects.filter(
            kind=flow.kind, target_type=plan.target_type, target_id=plan.target_id, status__in=OPEN_STATUSES
        ).first()
        message = OPEN_ALREADY.format(
            target=plan.target_label or plan.target_id,
            pk=open_one.pk if open_one else "?",
            status=open_one.get_status_display().lower() if open_one else "open",
        )
        audit_record(
            action=flow.actions.request,
            outcome=Outcome.DENIED,
            actor=actor,
            reason=f"{reason} — refused: {message}",
            preflight=plan.to_json(),
            # No request was made, but the refusal names what was asked, its context (an offboarding
            # job and item: the job's chain of custody shows it) and the open request in its way.
            after={**plan.intended, **(context or {}), "open_request": open_one.pk if open_one else None},
            **_target(plan),
        )
        raise ChangeRefused(message, plan=plan) from None
    audit_record(
        action=flow.actions.request,
        outcome=Outcome.SUCCEEDED,
        actor=actor,
        reason=reason,
        preflight=plan.to_json(),
        before=plan.current,
        after={
            **plan.intended,
            **(context or {}),
            "request": request.pk,
            "status": request.status,
            "duration_hours": duration_hours,
        },
        zoom_calls=plan.zoom_reads,
        **_target(plan),
    )
    return request


# --- decisions -------------------------------------------------------------------------------------


def change_approve(*, request_id: int, actor: Any, comment: str) -> ChangeRequest:
    """One manager approves. When enough have, the preflight runs again and the change executes, unless
    Zoom changed since the request: then it goes back to pending, with the differences, to be approved
    again."""
    request = ChangeRequest.objects.get(pk=request_id)
    flow = flow_for(request.kind)
    _check_decider(request, flow, actor=actor, comment=comment, action=flow.actions.approve)
    try:
        with transaction.atomic():
            Approval.objects.create(
                request=request,
                approver=actor,
                approver_label=_label(actor),
                decision=Approval.Decision.APPROVE,
                comment=comment.strip(),
                plan_fingerprint=request.plan_fingerprint,
            )
    except IntegrityError:
        raise _refuse(
            request, flow.actions.approve, actor=actor, message=ALREADY_DECIDED.format(pk=request.pk)
        ) from None
    count = request.approvals().count()
    audit_record(
        action=flow.actions.approve,
        outcome=Outcome.SUCCEEDED,
        actor=actor,
        reason=comment.strip(),
        after={"request": request.pk, "approvals": count, "approvals_required": request.approvals_required},
        **_target(request),
    )
    if count < request.approvals_required:
        return ChangeRequest.objects.get(pk=request.pk)
    if not ChangeRequest.objects.transition(
        request.pk,
        from_statuses=[Status.PENDING],
        to=Status.APPROVED,
        decided_at=timezone.now(),
        plan_fingerprint=request.plan_fingerprint,  # only the version that was approved
    ):
        return ChangeRequest.objects.get(pk=request.pk)  # another approver's click got there first
    return change_execute(request_id=request.pk, actor=actor)


def change_reject(*, request_id: int, actor: Any, comment: str) -> ChangeRequest:
    request = ChangeRequest.objects.get(pk=request_id)
    flow = flow_for(request.kind)
    _check_decider(request, flow, actor=actor, comment=comment, action=flow.actions.reject)
    if not ChangeRequest.objects.transition(
        request.pk,
        from_statuses=[Status.PENDING],
        to=Status.REJECTED,
        decided_at=timezone.now(),
        outcome_reason=comment.strip(),
    ):
        request.refresh_from_db()
        raise _refuse(
            request,
            flow.actions.reject,
            actor=actor,
            message=NOT_PENDING.format(pk=request.pk, status=request.get_status_display().lower()),
        )
    Approval.objects.create(
        request=request,
        approver=actor,
        approver_label=_label(actor),
        decision=Approval.Decision.REJECT,
        comment=comment.strip(),
        plan_fingerprint=request.plan_fingerprint,
    )
    audit_record(
        action=flow.actions.reject,
        outcome=Outcome.SUCCEEDED,
        actor=actor,
        reason=comment.strip(),
        after={"request": request.pk},
        **_target(request),
    )
    return ChangeRequest.objects.get(pk=request.pk)


def change_cancel(*, request_id: int, actor: Any, reason: str = "") -> ChangeRequest:
    """The requester withdraws a request that waits for approval."""
    request = ChangeRequest.objects.get(pk=request_id)
    flow = flow_for(request.kind)
    if request.requester_id is None or actor is None or request.requester_id != actor.pk:
        raise _refuse(request, flow.actions.cancel, actor=actor, message=NOT_YOURS.format(pk=request.pk))
    if not ChangeRequest.objects.transition(
        request.pk,
        from_statuses=[Status.PENDING],
        to=Status.CANCELLED,
        decided_at=timezone.now(),
        outcome_reason=reason.strip() or "Cancelled by the requester.",
    ):
        request.refresh_from_db()
        raise _refuse(
            request,
            flow.actions.cancel,
            actor=actor,
            message=NOT_PENDING.format(pk=request.pk, status=request.get_status_display().lower()),
        )
    audit_record(
        action=flow.actions.cancel,
        outcome=Outcome.SUCCEEDED,
        actor=actor,
        reason=reason.strip() or "Cancelled by the requester.",
        after={"request": request.pk},
        **_target(request),
    )
    return ChangeRequest.objects.get(pk=request.pk)


def _check_decider(request: ChangeRequest, flow: Flow, *, actor: Any, comment: str, action: Any) -> None:
    if not (comment or "").strip():
        raise ChangeRefused(COMMENT_REQUIRED, request=request)
    if request.status == Status.PENDING and request.expires_at and request.expires_at <= timezone.now():
        _expire(request, now=timezone.now())  # the expiry task has not come round to it yet
        request.refresh_from_db()
    if request.status != Status.PENDING:
        raise _refuse(
            request,
            action,
            actor=actor,
            message=NOT_PENDING.format(pk=request.pk, status=request.get_status_display().lower()),
        )
    if request.requester_id is not None and request.requester_id == actor.pk:
        raise _refuse(request, action, actor=actor, message=OWN_REQUEST)
    email = (getattr(actor, "email", "") or "").strip().lower()
    if email and email == request.target_email.strip().lower():
        raise _refuse(request, action, actor=actor, message=ABOUT_YOURSELF.format(email=request.target_email))


# --- execution -------------------------------------------------------------------------------------


def change_execute(*, request_id: int, actor: Any) -> ChangeRequest:
    """Run the preflight again and execute an approved request (see `_execute_checked`)."""
    request = ChangeRequest.objects.get(pk=request_id)
    if request.status != Status.APPROVED:
        return request
    flow = flow_for(request.kind)
    plan = flow.preflight(target_id=request.target_id, intended=request.intended, actor=actor)
    return _execute_checked(request, flow=flow, plan=plan, actor=actor)


def _execute_checked(request: ChangeRequest, *, flow: Flow, plan: Plan, actor: Any) -> ChangeRequest:
    """Execute `request` with a fresh `plan`: unless it differs from the approved one (back to pending,
    with the differences) or fails (the request fails before any write)."""
    approved = Plan.from_json(request.plan)
    changes = plan.changes_since(approved) if plan.fingerprint() != request.plan_fingerprint else []
    audit_record(
        action=flow.actions.preflight,
        outcome=Outcome.FAILED if plan.blocked else Outcome.SUCCEEDED,
        actor=actor,
        reason=" ".join(changes) if changes else "Checked again before execution: nothing changed.",
        preflight=plan.to_json(),
        before=plan.current,
        after={**plan.intended, "request": request.pk},
        zoom_calls=plan.zoom_reads,
        **_target(request),
    )
    if changes and request.approvals_required and not plan.blocked:
        note = CHANGED_SINCE.format(when="approved", changes=" ".join(changes))
        now = timezone.now()
        ChangeRequest.objects.transition(
            request.pk,
            from_statuses=[Status.APPROVED],
            to=Status.PENDING,
            plan=plan.to_json(),
            plan_fingerprint=plan.fingerprint(),
            current=plan.current,
            changes_note=note,
            decided_at=None,
            expires_at=now + ttl(),
        )
        return ChangeRequest.objects.get(pk=request.pk)
    if plan.blocked:
        why = BLOCKED.format(failures=" ".join(f"{c.reason} {c.remedy}".strip() for c in plan.failures))
        if ChangeRequest.objects.transition(
            request.pk,
            from_statuses=[Status.APPROVED],
            to=Status.FAILED,
            finished_at=timezone.now(),
            outcome_reason=why,
            plan=plan.to_json(),
        ):
            audit_record(
                action=flow.actions.execute,
                outcome=Outcome.FAILED,
                actor=actor,
                reason=why,
                preflight=plan.to_json(),
                before=plan.current,
                after={"request": request.pk},
                **_target(request),
            )
        return ChangeRequest.objects.get(pk=request.pk)
    return execute_plan(request, flow=flow, plan=plan, actor=actor)


# --- time: expiry, time-bound elevation, reconciliation ---------------------------------------------


def change_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire pending requests past their time. Each expiry is one conditional UPDATE and one event."""
    now = now or timezone.now()
    due = ChangeRequest.objects.filter(status=Status.PENDING, expires_at__lte=now)
    return sum(_expire(request, now=now) for request in due.iterator())


def _expire(request: ChangeRequest, *, now: datetime.datetime) -> bool:
    """Expire one pending request past its time: True for the one caller whose UPDATE did it."""
    why = EXPIRED.format(hours=settings.CHANGE_REQUEST_TTL_HOURS)
    if not ChangeRequest.objects.transition(
        request.pk,
        from_statuses=[Status.PENDING],
        to=Status.EXPIRED,
        decided_at=now,
        outcome_reason=why,
    ):
        return False
    audit_record(
        action=flow_for(request.kind).actions.expire,
        outcome=Outcome.SUCCEEDED,
        actor=None,
        reason=why,
        after={"request": request.pk},
        **_target(request),
    )
    return True


def change_revert_due(*, now: datetime.datetime | None = None) -> list[ChangeRequest]:
    """End time-bound changes whose time is up: each is put back by a new request (no approval: the
    elevation was approved with its end), through the same preflight, executor and audit."""
    now = now or timezone.now()
    due = ChangeRequest.objects.filter(status=Status.SUCCEEDED, revert_at__lte=now, reverted_by__isnull=True)
    reverts = [_revert(original, now=now) for original in due.iterator()]
    return [revert for revert in reverts if revert is not None]


def _revert(original: ChangeRequest, *, now: datetime.datetime) -> ChangeRequest | None:
    """Put back what `original` changed, once (None when another worker does it)."""
    flow = flow_for(original.kind)
    intended = flow.revert_intent(original.current)
    plan = flow.preflight(target_id=original.target_id, intended=intended, actor=None)
    reason = REVERT_REASON.format(pk=original.pk, hours=original.duration_hours)
    try:
        with transaction.atomic():  # the OneToOne on revert_of makes a second revert impossible
            revert = ChangeRequest.objects.create(
                kind=original.kind,
                status=Status.APPROVED,
                source=Source.SYSTEM,
                requester=None,
                requester_label=SYSTEM,
                target_email=original.target_email,
                current=plan.current,
                intended=intended,
                summary=plan.summary[:255],
                reason=reason,
                plan=plan.to_json(),
                plan_fingerprint=plan.fingerprint(),
                approvals_required=0,
                revert_of=original,
                created_at=now,
                updated_at=now,
                decided_at=now,
                **_target(original),
            )
    except IntegrityError:
        return None
    audit_record(
        action=flow.actions.request,
        outcome=Outcome.SUCCEEDED,
        actor=None,
        reason=reason,
        preflight=plan.to_json(),
        before=plan.current,
        after={**intended, "request": revert.pk, "reverts": original.pk},
        zoom_calls=plan.zoom_reads,
        **_target(original),
    )
    moved = {
        key: plan.current.get(key)
        for key, value in original.intended.items()
        if plan.current.get(key) != value
    }
    if moved:
        return _skip_revert(revert, flow, original, moved)
    if plan.blocked:
        return _execute_checked(revert, flow=flow, plan=plan, actor=None)
    return execute_plan(revert, flow=flow, plan=plan, actor=None)


def _skip_revert(
    revert: ChangeRequest, flow: Flow, original: ChangeRequest, moved: dict[str, Any]
) -> ChangeRequest:
    """Zoom no longer shows what `original` set: someone changed it since, and putting back the earlier
    state now would undo their change. Nothing is sent; the revert is cancelled, saying why."""
    now_shows = ", ".join(f"{key.replace('_', ' ')} “{value}”" for key, value in moved.items())
    why = REVERT_MOVED.format(pk=original.pk, now=now_shows)
    if ChangeRequest.objects.transition(
        revert.pk, from_statuses=[Status.APPROVED], to=Status.CANCELLED, outcome_reason=why
    ):
        audit_record(
            action=flow.actions.cancel,
            outcome=Outcome.SKIPPED,
            actor=None,
            reason=why,
            after={"request": revert.pk, "reverts": original.pk},
            **_target(revert),
        )
    return ChangeRequest.objects.get(pk=revert.pk)


def change_reconcile_stale(*, older_than: datetime.timedelta | None = None) -> list[ChangeRequest]:
    """Resolve executions whose process died between the started event and the end: read Zoom back and
    finish them as the executor would have (the started event gets its closing event)."""
    if older_than is None:  # not `or`: zero ("every execution now") is a value
        older_than = datetime.timedelta(seconds=settings.CHANGE_RECONCILE_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    stale = ChangeRequest.objects.filter(status=Status.EXECUTING, started_at__lte=cutoff)
    resolved = [_reconcile(request) for request in stale.iterator()]
    return [request for request in resolved if request is not None]


def _reconcile(request: ChangeRequest) -> ChangeRequest | None:
    """Finish one stale execution, unless another reconciler claimed it first."""
    # Claimed by a conditional UPDATE that moves started_at on, before anything is recorded for it.
    if not ChangeRequest.objects.filter(
        pk=request.pk, status=Status.EXECUTING, started_at=request.started_at
    ).update(started_at=timezone.now()):
        return None
    flow = flow_for(request.kind)
    plan = Plan.from_json(request.plan)
    started = _started_event(request, flow, plan)
    ChangeRequest.objects.filter(pk=request.pk, status=Status.EXECUTING).update(
        operation_id=started.operation_id
    )
    done, concluded = conclude(
        request,
        flow=flow,
        plan=plan,
        started=started,
        write_calls=[],
        write_error=ZoomError(INTERRUPTED, reason="interrupted", outcome_unknown=True),
        actor_label=started.actor_label,
    )
    if not concluded:
        return None  # the execution was alive after all, and finished first
    audit_record(
        action=flow.actions.reconcile,
        outcome=Outcome.SUCCEEDED,
        actor=None,
        reason=RECONCILED.format(pk=request.pk, status=done.get_status_display().lower()),
        after={"request": request.pk, "status": done.status},
        operation_id=started.operation_id,
        **_target(request),
    )
    return done


def _started_event(request: ChangeRequest, flow: Flow, plan: Plan) -> AuditEvent:
    """The execution's started event; recorded now if the process died before it was."""
    if request.operation_id:
        event = AuditEvent.objects.filter(operation_id=request.operation_id, outcome=Outcome.STARTED).first()
        if event is not None:
            return event
    return audit_start(
        action=flow.actions.execute,
        actor=request.requester,
        target_type=request.target_type,
        target_id=request.target_id,
        target_label=request.target_label,
        before=plan.current,
        reason=request.reason,
        preflight={**plan.to_json(), "request": request.pk},
    )
