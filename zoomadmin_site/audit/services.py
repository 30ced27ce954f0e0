"""Writing the audit log. Every write goes through `audit_record`, which redacts, chains and commits.

Transactions: `audit_record` runs in its own `transaction.atomic()` and holds the chain lock only for the
insert. Called inside a caller's transaction it becomes a savepoint: the event commits (or is rolled
back) with the caller, and the chain lock is held until then, queueing every other audit writer. So,
as ARCHITECTURE.md says, never hold a transaction across a Zoom call: record `started` with
`audit_start`, let it commit, call Zoom, then record the outcome with `audit_finish`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from zoomadmin_site.audit.chain import GENESIS_HASH, HASHED_FIELDS, clean_text, event_hash, json_safe
from zoomadmin_site.audit.models import Action, AuditChainHead, AuditClockStep, AuditEvent, Outcome
from zoomadmin_site.audit.redaction import redact, redact_text
from zoomadmin_site.middleware import current_request_id, current_source_ip

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
LOCKED_RETRY_SECONDS = 10.0
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
BAD_ACTION = (
    "Audit action {action!r} is not one of the audit log's actions (zoomadmin_site.audit.models.Action): "
    "add it there first."
)
BAD_OUTCOME = "Audit outcome {outcome!r} is not one of: {choices}."
NOT_STARTED = "audit_finish() needs the 'started' event of an operation, not a {outcome!r} event (seq {seq})."
FINISH_WITH_STARTED = "audit_finish() records how an operation ended; 'started' is not an ending."


def audit_record(
    *,
    action: Action | str,
    outcome: str,
    actor: Any = None,
    actor_label: str | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    preflight: Any = None,
    zoom_calls: list[dict[str, Any]] | None = None,
    operation_id: uuid.UUID | str | None = None,
    request_id: str | None = None,
    source_ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain and commit it (see the module docstring about transactions).

    `actor` is an operator or None for the system; `actor_label` overrides the recorded name ("system"
    by default, e.g. "zoom-webhook"). Request id and source IP default to the current request's.
    """
    if not ACTION_PATTERN.fullmatch(action or "") or action not in Action.values:
        raise ValueError(BAD_ACTION.format(action=action))
    if outcome not in Outcome.values:
        raise ValueError(BAD_OUTCOME.format(outcome=outcome, choices=", ".join(Outcome.values)))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: nobody is logged in
    label = actor_label or (actor.get_username() if actor is not None else SYSTEM_ACTOR)
    fields = dict(
        actor=actor,
        actor_label=_text(label, 150),
        action=action,
        target_type=_text(target_type, 64),
        target_id=_text(target_id, 128),
        target_label=_text(target_label, 255),
        before=_json(before),
        after=_json(after),
        reason=_text(reason),
        preflight=_json(preflight),
        zoom_calls=_json(list(zoom_calls or [])),
        outcome=Outcome(outcome).value,
        request_id=_text(current_request_id.get() if request_id is None else request_id, 64),
        source_ip=_text(current_source_ip.get() if source_ip is None else source_ip, 64),
        operation_id=uuid.UUID(str(operation_id)) if operation_id else uuid.uuid4(),
    )
    # A new, unsaved event for each attempt: one whose insert was rolled back is not reused.
    return _retry_while_table_locked(lambda: _append(AuditEvent(**fields)))


def audit_start(
    *,
    action: str,
    actor: Any,
    target_type: str,
    target_id: str,
    target_label: str = "",
    before: Any = None,
    reason: str = "",
    preflight: Any = None,
) -> AuditEvent:
    """Record that an operation is starting (committed before any Zoom call), with a new operation id."""
    return audit_record(
        action=action,
        outcome=Outcome.STARTED,
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        before=before,
        reason=reason,
        preflight=preflight,
        operation_id=uuid.uuid4(),
    )


def audit_finish(
    started: AuditEvent,
    *,
    outcome: str,
    after: Any = None,
    zoom_calls: list[dict[str, Any]] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record how the operation begun by `started` ended: same operation id, actor and target."""
    if started.outcome != Outcome.STARTED:
        raise ValueError(NOT_STARTED.format(outcome=started.outcome, seq=started.seq))
    if outcome == Outcome.STARTED:
        raise ValueError(FINISH_WITH_STARTED)
    return audit_record(
        action=started.action,
        outcome=outcome,
        actor=started.actor,
        actor_label=started.actor_label,
        target_type=started.target_type,
        target_id=started.target_id,
        target_label=started.target_label,
        before=started.before,
        after=after,
        reason=reason or started.reason,
        zoom_calls=zoom_calls,
        operation_id=started.operation_id,
        request_id=current_request_id.get() or started.request_id,
        source_ip=current_source_ip.get() or started.source_ip,
    )


def _append(event: AuditEvent) -> AuditEvent:
    """Give `event` the next seq, link and hash it, insert it and move the head, under the chain lock.
    An event timed before the one it follows (the clock was stepped back) is recorded as a clock step."""
    with transaction.atomic():
        head = _locked_chain_head()
        event.seq, event.prev_hash, event.time = head.seq + 1, head.hash, timezone.now()
        event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
        previous_time = AuditEvent.objects.filter(seq=head.seq).values_list("time", flat=True).first()
        event.save()
        if previous_time is not None and event.time < previous_time:
            AuditClockStep.objects.create(seq=event.seq, time=event.time, previous_time=previous_time)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def _retry_while_table_locked(append: Callable[[], AuditEvent]) -> AuditEvent:
    """Run `append` and return its event, retrying while SQLite answers "database table is locked".

    A SQLite file database makes a second writer wait at BEGIN (busy_timeout). A shared-cache database,
    such as Django's in-memory test database, refuses it at once with that error instead. The failed
    transaction was rolled back, so trying again is safe; inside a caller's transaction it is not.
    """
    deadline, delay = time.monotonic() + LOCKED_RETRY_SECONDS, 0.001
    while True:
        try:
            return append()
        except OperationalError as error:
            if (
                "table is locked" not in str(error)
                or connection.in_atomic_block
                or time.monotonic() > deadline
            ):
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _locked_chain_head() -> AuditChainHead:
    """The chain head, locked until the surrounding transaction ends (created if missing)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is not None:
        logger.warning("Audit chain head row was missing; recreating it at seq %s.", last[0])
    seq, hash_ = last or (0, GENESIS_HASH)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": seq, "hash": hash_}
    )
    return head


def _text(value: Any, max_length: int | None = None) -> str:
    text = redact_text(clean_text(str(value or "")))
    return text[:max_length] if max_length else text


def _json(value: Any) -> Any:
    return json_safe(redact(value))
