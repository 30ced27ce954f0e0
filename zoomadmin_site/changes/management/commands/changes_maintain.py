"""python manage.py changes_maintain [--schedule]: the change requests' upkeep, now or every minute."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoomadmin_site.changes.tasks import changes_maintain, schedule_next_maintenance


class Command(BaseCommand):
    help = (
        "Expire change requests nobody decided in time, put back time-bound changes whose time is up, and "
        "resolve executions that stopped midway by reading Zoom back. --schedule books the same every "
        "minute in the task queue instead (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="only book the every-minute run in the task queue"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            when = schedule_next_maintenance()
            self.stdout.write(
                f"Change request upkeep booked for {when:%Y-%m-%d %H:%M:%S} UTC, then every minute."
                if when
                else "Change request upkeep already booked."
            )
            return
        done = changes_maintain()
        self.stdout.write(
            f"Expired {done['expired']}, put back {done['reverted']}, resolved {done['reconciled']} "
            "change request(s)."
        )
