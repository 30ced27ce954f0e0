"""python manage.py zoom_sync: a full sync of the local mirror from Zoom, with progress."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.mirror.progress import ProgressPrinter
from zoomadmin_site.mirror.services import SyncBusy, sync_run_execute, sync_run_request, sync_run_resume
from zoomadmin_site.mirror.sync import SyncAborted
from zoomadmin_site.mirror.tasks import mirror_sync_task, schedule_next_sync


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
        "Rows that vanished from Zoom are marked gone. A failed run continues with --resume."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resume", action="store_true", help="continue the last failed run")
        parser.add_argument("--workers", type=int, default=None, help="concurrent per-user reads")
        parser.add_argument(
            "--schedule", action="store_true", help="only book the nightly run in the task queue (idempotent)"
        )
        parser.add_argument(
            "--initial",
            action="store_true",
            help="queue a background sync for the task worker, only if the mirror has never been synced",
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
        except (SyncBusy, SyncAborted) as error:
            raise CommandError(str(error)) from error
        printer = ProgressPrinter(ProgressOutput(self.stdout))
        try:
            run = sync_run_execute(run_id=run.pk, on_progress=printer.update, workers=options["workers"])
        except Exception as error:
            printer.finish()
            run.refresh_from_db()
            raise CommandError(
                f"Sync #{run.pk} failed: {run.error} Run `manage.py zoom_sync --resume`."
            ) from error
        printer.finish()
        counts = run.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Sync #{run.pk} done in {(run.finished_at - run.started_at).total_seconds():.1f} s: "
                f"{counts.get('users', 0):,} users, {counts.get('roles', 0)} roles, "
                f"{counts.get('delegations', 0):,} delegations, {counts.get('meetings', 0):,} meetings, "
                f"{counts.get('zoom_calls', 0):,} Zoom calls."
            )
        )

    def _queue_initial(self) -> None:
        if SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists():
            self.stdout.write("The mirror has been synced before; the nightly run keeps it fresh.")
            return
        try:
            run = sync_run_request(trigger=SyncRun.Trigger.CLI)
        except SyncBusy as busy:
            self.stdout.write(str(busy))
            return
        mirror_sync_task.enqueue(run.pk)
        self.stdout.write(
            f"First sync #{run.pk} queued; the background worker runs it (progress under /mirror/)."
        )
