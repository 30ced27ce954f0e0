"""Check the audit log's hash chain from the first event to the last, and record the result; or book the
nightly check in the task queue (--schedule)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoomadmin_site.audit.integrity import default_workers, verify_run_cli
from zoomadmin_site.audit.tasks import booked_nightly_verify, schedule_next_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain (streaming, constant memory) from the latest prune checkpoint. "
        "Prints 'OK: ...' and exits 0 when intact; otherwise names the first broken event and exits 1. "
        "Either way the result is recorded as an audit.verify event. While it runs, the integrity page "
        "shows it running (started from the command line, by whom on which host); it runs even when a "
        "'Verify now' or nightly run is active, and then says so. --schedule books the same every "
        "night at AUDIT_VERIFY_SCHEDULE (UTC) in the task queue instead (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched per round trip.")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes walking parts of a large log side by side (default: 2, or 1 on one CPU).",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="only book the nightly verification in the task queue (idempotent)",
        )

    def handle(self, *args: Any, chunk_size: int, workers: int, schedule: bool, **options: Any) -> None:
        if schedule:
            self._schedule()
            return

        def before_walk(notice: str) -> None:
            if notice:  # said before the walk, which may take minutes
                self.stderr.write(self.style.WARNING(notice))

        outcome = verify_run_cli(
            chunk_size=chunk_size, workers=max(1, workers), before_walk=before_walk
        ).outcome
        report = outcome.report
        if outcome.record_error:
            # A row forged beyond the chain head takes the seq the next event needs: say so, don't crash.
            self.stderr.write(f"Could not record this check in the audit log: {outcome.record_error}")
            if report.intact:
                raise CommandError(f"{report.summary()}, but recording the result failed.")
        if not report.intact:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())

    def _schedule(self) -> None:
        try:
            when = schedule_next_verify()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if when is not None:
            self.stdout.write(f"Nightly audit verification booked for {when:%Y-%m-%d %H:%M} UTC.")
        elif (booked := booked_nightly_verify()) is not None:
            self.stdout.write(f"Nightly audit verification already booked for {booked:%Y-%m-%d %H:%M} UTC.")
        else:
            self.stdout.write(
                "Nothing booked: AUDIT_VERIFY_SCHEDULE is off, or the task queue is not the database's "
                "(TASKS_BACKEND), which alone holds runs for later."
            )
