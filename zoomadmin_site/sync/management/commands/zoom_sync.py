"""python manage.py zoom_sync: a full sync of the local mirror from Zoom, with progress."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from zoomadmin_site.mirror.lease import LeaseLost
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync.engine import SyncAborted
from zoomadmin_site.sync.progress import ProgressPrinter
from zoomadmin_site.sync.services import (
    SyncBusy,
    sync_run_execute,
    sync_run_expire_stale,
    sync_run_request,
    sync_run_resume,
)
from zoomadmin_site.sync.tasks import mirror_sync_task, schedule_next_sync


class ProgressOutput:
    """The command's output for the progress printer: written as given, without the line ending that
    `self.stdout.write` adds by default, so that a terminal's bar redraws its line in place."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


class Command(BaseCommand):
    help = (
        "Refresh the local mirror (users, roles, scheduling delegations, meetings) from Zoom. "
        "Rows that vanished from Zoom are marked gone. A failed or interrupted run continues with --resume "
        "(an interrupted one also on the next sync started within 6 hours)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume", action="store_true", help="continue the last failed or interrupted run"
        )
        parser.add_argument("--workers", type=int, default=None, help="concurrent per-user reads")
        parser.add_argument(
            "--schedule", action="store_true", help="only book the nightly run in the task queue (idempotent)"
        )
        parser.add_argument(
            "--initial",
            action="store_true",
            help="queue a background sync for the task worker, only if the mirror has never been synced "
            "(or continue the last run if it was interrupted)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            when = schedule_next_sync()
            self.stdout.write(
                f"Next nightly sync booked for {when:%Y-%m-%d %H:%M} UTC."
                if when
                else "Nightly sync already booked (or ZOOM_SYNC_SCHEDULE=off)."
            )
            return
        if options["initial"]:
            self._queue_initial()
            return
        try:
            run = sync_run_resume() if options["resume"] else sync_run_request(trigger=SyncRun.Trigger.CLI)
        except SyncBusy as busy:
            raise CommandError(busy.cli_message) from busy
        except SyncAborted as error:
            raise CommandError(str(error)) from error
        if run.started_at is not None:
            self.stdout.write(f"Sync #{run.pk} continues where it stopped.")
        printer = ProgressPrinter(ProgressOutput(self.stdout))
        try:
            with _sigterm_stops_it():
                run = sync_run_execute(run_id=run.pk, on_progress=printer.update, workers=options["workers"])
        except (KeyboardInterrupt, SystemExit) as stop:
            printer.finish()
            raise CommandError(
                f"Sync #{run.pk} interrupted; `manage.py zoom_sync --resume` (or the next sync) "
                "continues it.",
                returncode=130 if isinstance(stop, KeyboardInterrupt) else 143,
            ) from stop
        except LeaseLost as error:
            printer.finish()
            raise CommandError(str(error)) from error
        except Exception as error:
            printer.finish()
            run.refresh_from_db()
            raise CommandError(
                f"Sync #{run.pk} failed: {run.error} Run `manage.py zoom_sync --resume`."
            ) from error
        printer.finish()
        counts = run.counts
        took = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Sync #{run.pk} done in {took:.1f} s: "
                f"{counts.get('users', 0):,} users, {counts.get('roles', 0)} roles, "
                f"{counts.get('delegations', 0):,} delegations, {counts.get('meetings', 0):,} meetings, "
                f"{counts.get('zoom_calls', 0):,} Zoom calls."
            )
        )

    def _queue_initial(self) -> None:
        sync_run_expire_stale()  # a run whose process stopped (make run stopped midway) is interrupted
        latest = SyncRun.objects.order_by("-queued_at", "-pk").first()
        interrupted = latest is not None and latest.status == SyncRun.Status.INTERRUPTED
        if not interrupted and SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists():
            self.stdout.write("The mirror has been synced before; the nightly run keeps it fresh.")
            return
        try:
            run = sync_run_request(trigger=SyncRun.Trigger.CLI)
        except SyncBusy as busy:
            self.stdout.write(busy.cli_message)
            return
        mirror_sync_task.enqueue(run.pk)
        if run.started_at is not None:
            self.stdout.write(
                f"Sync #{run.pk} was interrupted; the background worker continues it where it stopped "
                "(progress under /mirror/)."
            )
        else:
            self.stdout.write(
                f"{'Sync' if interrupted else 'First sync'} #{run.pk} queued; the background worker runs it "
                "(progress under /mirror/)."
            )


@contextlib.contextmanager
def _sigterm_stops_it() -> Iterator[None]:
    """SIGTERM stops the sync as Ctrl-C does (recorded as interrupted, resumable), not mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
