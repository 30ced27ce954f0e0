"""Remove audit events older than AUDIT_RETENTION_DAYS, keeping the chain verifiable (see audit.prune)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoomadmin_site.audit.conf import retention_days
from zoomadmin_site.audit.prune import DEFAULT_BATCH, audit_prune

KEPT_FOR_EVER = "Nothing pruned: AUDIT_RETENTION_DAYS is not set, so audit events are kept for ever."
NOTHING_OLD = "Nothing pruned: no audit event is older than {days} days."


class Command(BaseCommand):
    help = (
        "Remove audit events older than AUDIT_RETENTION_DAYS (unset: keep for ever). Each batch records an "
        "audit.prune event and a checkpoint, from which audit_verify then checks the chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="Events per transaction.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would go; change nothing.")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, **options: Any) -> None:
        days = retention_days()
        if days is None:
            self.stdout.write(KEPT_FOR_EVER)
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        batches = audit_prune(days=days, batch_size=batch_size, dry_run=dry_run)
        if not batches:
            self.stdout.write(NOTHING_OLD.format(days=days))
            return
        if dry_run:
            batch = batches[0]
            self.stdout.write(
                f"Would prune events {batch.first_seq}-{batch.last_seq} ({batch.events} events) first, "
                f"older than {days} days; nothing was changed."
            )
            return
        for batch in batches:
            self.stdout.write(
                f"Pruned events {batch.first_seq}-{batch.last_seq} ({batch.events} events); checkpoint at "
                f"seq {batch.last_seq} (hash {batch.last_hash}), recorded by audit.prune event "
                f"{batch.event_seq}."
            )
        total = sum(batch.events for batch in batches)
        self.stdout.write(
            f"OK: {total} events older than {days} days pruned; the chain now starts at a checkpoint."
        )
