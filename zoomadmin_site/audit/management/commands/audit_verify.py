"""Check the audit log's hash chain from the first event to the last, and record the result."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from zoomadmin_site.audit.chain import ChainReport, chain_verify
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.selectors import VERIFY_ACTION
from zoomadmin_site.audit.services import audit_record


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain (streaming, constant memory) from the latest prune checkpoint. "
        "Prints 'OK: ...' and exits 0 when intact; otherwise names the first broken event and exits 1. "
        "Either way the result is recorded as an audit.verify event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched per round trip.")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Processes walking parts of a large log side by side (default: 2, or 1 on one CPU).",
        )

    def handle(self, *args: Any, chunk_size: int, workers: int, **options: Any) -> None:
        started = time.perf_counter()
        report = chain_verify(chunk_size=max(100, chunk_size), workers=max(1, workers))
        seconds = round(time.perf_counter() - started, 3)
        try:
            self._record(report, seconds)
        except DatabaseError as error:
            # A row forged beyond the chain head takes the seq the next event needs: say so, don't crash.
            self.stderr.write(f"Could not record this check in the audit log: {error}")
            if report.intact:
                raise CommandError(f"{report.summary()}, but recording the result failed.") from error
        if not report.intact:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())

    @staticmethod
    def _record(report: ChainReport, seconds: float) -> None:
        audit_record(
            action=VERIFY_ACTION,
            outcome=Outcome.SUCCEEDED if report.intact else Outcome.FAILED,
            target_type="audit_log",
            target_id="chain",
            target_label="Audit log hash chain",
            reason="" if report.intact else report.summary(),
            after={
                "intact": report.intact,
                "events": report.events,
                "last_seq": report.last_seq,
                "last_hash": report.last_hash,
                "broken_seq": report.broken_seq,
                "checkpoint_seq": report.start_seq,
                "seconds": seconds,
            },
        )
