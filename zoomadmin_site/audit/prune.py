"""Retention: removing events older than AUDIT_RETENTION_DAYS without breaking the chain.

Each batch is one transaction, holding the chain lock (so appends wait, and two prunes never race):
1. pick the last event to prune, N: every event before the first one at or after the cutoff, at most
   `batch_size` of them (times only grow with seq, so nothing newer than the cutoff goes);
2. append an `audit.prune` event M naming the range, N and N's hash (hashed into the chain like any
   event, so the prune itself is part of the record and survives it: M > N);
3. insert an open AuditCheckpoint (N, hash of N, M); the database triggers check it (see db_triggers);
4. delete the events up to N: the triggers allow it because an open checkpoint covers them;
5. close the checkpoint, which the triggers allow only once nothing at or before N is left.
From then on `chain_verify` starts after the latest checkpoint: event N+1's prev_hash must be the
checkpoint's hash, and event M must name the checkpoint. Events before it are gone by design; any other
deletion still breaks the chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from zoomadmin_site.audit.chain import utc_iso
from zoomadmin_site.audit.models import Action, AuditChainHead, AuditCheckpoint, AuditEvent, Outcome
from zoomadmin_site.audit.services import audit_record

DEFAULT_BATCH = 50_000
PRUNE_REASON = (
    "Events recorded before {cutoff} removed: older than the {days}-day retention (AUDIT_RETENTION_DAYS)."
)


@dataclass(frozen=True)
class PruneBatch:
    first_seq: int
    last_seq: int
    last_hash: str
    events: int
    event_seq: int  # the audit.prune event that records it


def audit_prune(
    *, days: int, now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH, dry_run: bool = False
) -> list[PruneBatch]:
    """Remove events recorded more than `days` days before `now`, batch by batch (see module docstring).
    With `dry_run`, nothing changes: the one batch that would come first is returned, event_seq 0."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    batches: list[PruneBatch] = []
    while batch := _prune_batch(cutoff, days, max(1, batch_size), dry_run):
        batches.append(batch)
        if dry_run:
            break
    return batches


def _prune_batch(cutoff: dt.datetime, days: int, batch_size: int, dry_run: bool) -> PruneBatch | None:
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().filter(pk=1).first()  # the chain lock
        first = AuditEvent.objects.order_by("seq").values_list("seq", flat=True).first()
        if first is None:
            return None
        newer = AuditEvent.objects.filter(time__gte=cutoff).order_by("seq").values_list("seq", flat=True)
        first_kept = newer.first()
        last = min(first + batch_size, first_kept if first_kept is not None else 2**63 - 1) - 1
        last = min(last, AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0)
        if last < first:
            return None
        last_hash = AuditEvent.objects.filter(seq=last).values_list("hash", flat=True).get()
        count = AuditEvent.objects.filter(seq__gte=first, seq__lte=last).count()
        if dry_run:
            return PruneBatch(first, last, last_hash, count, 0)
        event = audit_record(
            action=Action.AUDIT_PRUNE,
            outcome=Outcome.SUCCEEDED,
            target_type="audit_log",
            target_id="chain",
            target_label="Audit log hash chain",
            reason=PRUNE_REASON.format(cutoff=utc_iso(cutoff), days=days),
            after={
                "first_pruned_seq": first,
                "last_pruned_seq": last,
                "last_pruned_hash": last_hash,
                "events": count,
                "older_than": utc_iso(cutoff),
                "retention_days": days,
            },
        )
        checkpoint = AuditCheckpoint.objects.create(seq=last, hash=last_hash, event_seq=event.seq, open=True)
        with connection.cursor() as cursor:
            # Raw SQL: the model refuses deletes; the triggers allow these because the checkpoint is open.
            cursor.execute("DELETE FROM audit_auditevent WHERE seq <= %s", [last])
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(open=False)
    return PruneBatch(first, last, last_hash, count, event.seq)
