"""Check an audit export against its signed manifest (see zoomadmin_site.audit.export_check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoomadmin_site.audit.export_check import check_export


class Command(BaseCommand):
    help = (
        "Check an audit export FILE (CSV or JSON Lines) against its MANIFEST: the manifest's signature, "
        "then the file's SHA-256, rows, first and last event; when they differ, which rows were removed, "
        "added or altered, by producing the export again from the log. Exits 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The exported file.")
        parser.add_argument("manifest", type=Path, help="Its manifest (.manifest.json).")

    def handle(self, *args: Any, file: Path, manifest: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"There is no file {file}.")
        try:
            result = check_export(file, manifest)
        except ValueError as error:
            raise CommandError(str(error)) from None
        for note in result.notes:
            self.stdout.write(note)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"FAILED: {file} is not the export its manifest describes.")
        self.stdout.write(f"OK: {file} is exactly the export its manifest describes.")
