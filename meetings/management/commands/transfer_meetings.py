"""Offboarding from the command line: the same plan and job as the web (meetings/offboarding.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from meetings.host_transfers import host_transfer_grant_assistant
from meetings.models import TransferItem
from meetings.offboarding import (
    OffboardingPlan,
    OffboardingRefused,
    offboarding_plan,
    transfer_job_create,
    transfer_job_run,
)
from zoomadmin_site.roles import perm

SOME_NOT_MOVED = 2


class Command(BaseCommand):
    help = (
        "Move every upcoming and recurring meeting of one host to another (offboarding). Prints the plan, "
        "then a result per meeting; a meeting not moved is named with its reason. Run again, it moves "
        "nothing twice. "
        f"Exit status {SOME_NOT_MOVED} when some meetings were not moved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="source", required=True, metavar="EMAIL", help="the departing host"
        )
        parser.add_argument("--to", dest="target", required=True, metavar="EMAIL", help="the new host")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the plan and the calls; change nothing"
        )
        parser.add_argument(
            "--apply-fixes",
            action="store_true",
            help="first add the scheduling assistants the plan needs (each an audited step)",
        )
        parser.add_argument("--reason", default="Offboarding from the command line")
        parser.add_argument(
            "--as",
            dest="operator",
            metavar="USERNAME",
            help="the operator recorded as acting (needs the transfer_host permission)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._operator(options["operator"])
        try:
            plan = offboarding_plan(source=options["source"], default_new_host=options["target"], actor=actor)
            self._print_plan(plan)
            if options["apply_fixes"] and plan.fixes and not options["dry_run"]:
                for fix in plan.fixes:
                    granted = host_transfer_grant_assistant(
                        host=fix["host"], assistant=fix["assistant"], actor=actor, reason=options["reason"]
                    )
                    self.stdout.write(
                        f"fix: {fix['assistant']} as assistant of {fix['host']}: "
                        f"{'done' if granted else 'FAILED'}"
                    )
                plan = offboarding_plan(
                    source=options["source"], default_new_host=options["target"], actor=actor
                )
        except OffboardingRefused as refused:
            raise CommandError(str(refused)) from refused
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {len(plan.ready)} meeting(s) would move; nothing was changed.")
            return
        if not plan.items:
            self.stdout.write(
                f"{options['source']} hosts no upcoming or recurring meetings: nothing to move."
            )
            return
        job = transfer_job_create(plan=plan, reason=options["reason"], actor=actor, start=False)
        job = transfer_job_run(job_id=job.pk)
        not_moved = 0
        for item in job.items.order_by("start_time", "meeting_id"):
            if item.status == TransferItem.Status.MOVED:
                self.stdout.write(f"moved     {item.meeting_id}  {item.topic}  → {item.new_host}")
            else:
                not_moved += 1
                self.stdout.write(
                    f"NOT MOVED {item.meeting_id}  {item.topic}: {item.get_status_display()}. {item.reason}"
                )
        self.stdout.write(f"Job #{job.pk}: {job.get_status_display()}; {not_moved} meeting(s) not moved.")
        if job.resume_at:
            self.stdout.write(
                "The host's daily quota is used up: the worker continues at "
                f"{job.resume_at:%Y-%m-%d %H:%M} UTC."
            )
        if not_moved:
            raise SystemExit(SOME_NOT_MOVED)

    def _operator(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active operator named {username!r}.")
        if not user.has_perm(perm("transfer_host")):
            raise CommandError(f"{username} may not transfer hosts (the IT admin role may).")
        return user

    def _print_plan(self, plan: OffboardingPlan) -> None:
        self.stdout.write(
            f"Plan: {len(plan.items)} upcoming or recurring meeting(s) of {plan.source.email}, "
            f"{len(plan.ready)} ready."
        )
        for item in plan.items:
            when = f"{item.start_time:%Y-%m-%d %H:%M}" if item.start_time else "no fixed time"
            series = " (recurring: the whole series)" if item.recurring else ""
            # Only a ready meeting's calls are made: a blocked one waits (for its fix, when it has one), a
            # meeting on a personal meeting ID is left alone.
            call = {
                "pending": ", ".join(str(c) for c in item.plan.calls) or "no call",
                "blocked": "no call: not moved while blocked (why, below)",
                "recreate": "no call: the job leaves it alone",
            }[item.status]
            state = {"pending": "ready", "blocked": "BLOCKED", "recreate": "MUST BE RE-CREATED"}[item.status]
            self.stdout.write(
                f"  {item.meeting_id}  {when}  {item.topic}{series} → {item.new_host}: {state}; {call}"
            )
            if item.reason:
                self.stdout.write(f"      {item.reason}")
        for fix in plan.fixes:
            self.stdout.write(
                f"Fix needed: add {fix['assistant']} as a scheduling assistant of {fix['host']} "
                f"(unblocks {len(fix['meetings'])} meeting(s); --apply-fixes does it)."
            )
