"""python manage.py role_change: request a Zoom role change from the command line.

The same service, rules and audit as the web (`accounts.role_changes.role_change_request`, source cli):
the preflight checklist, the Zoom calls made or that would be made, then the result.

The actor is required (`--as`): a role change is always somebody's request. The audit log names them,
a manager may not approve their own request, and only they can cancel it. A "system" default would
let anybody with shell access make unattributed changes that nobody can cancel.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_backends, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.role_changes import role_change_request
from accounts.zoom_keys import zoom_user_key_ok
from zoomadmin_site.changes.models import ChangeRequest, Source, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.changes.services import BLOCKED, MAX_DURATION_HOURS, ChangeRefused
from zoomadmin_site.roles import perm
from zoomadmin_site.zoom import ZoomError

# A time-bound change lasts at most a year (as in the JSON API: zoomadmin_site/api/payloads.py).
MAX_HOURS = MAX_DURATION_HOURS

NO_OPERATOR = "There is no operator “{username}”: --as names the Zoom Admin operator making the request."
OPERATOR_INACTIVE = "Operator “{username}” cannot sign in (inactive, or a demo operator outside the sandbox)."
NO_PERMISSION = (
    "Operator “{username}” may not request role changes: that needs the request_role_change permission "
    "(the IT admin group)."
)
BAD_USER = "“{user}” is neither a Zoom user id nor an email address (Zoom was not asked)."
BAD_HOURS = "--hours must be a whole number from 1 to {max}, not {hours}."
ZOOM_FAILED = "Zoom could not be asked: {explanation} {remedy}"
NOT_DONE = "Request #{pk} {status}: {why}"
LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


class Command(BaseCommand):
    help = (
        "Request a Zoom role change: preflight checks, then the change (a promotion waits for a manager's "
        "approval; a demotion to Member runs at once and is read back from Zoom). --dry-run only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the Zoom user's email address or Zoom user id")
        parser.add_argument(
            "--role", required=True, help="the new role's name, as Zoom lists it (Admin, Member)"
        )
        parser.add_argument("--reason", required=True, help="why: kept in the audit log with the request")
        parser.add_argument(
            "--hours", type=int, default=None, help="a time-bound change: put the old role back after N hours"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only run the preflight: nothing is recorded or sent"
        )
        parser.add_argument(
            "--as",
            dest="operator",
            required=True,
            metavar="OPERATOR_USERNAME",
            help="the operator making the request (needs request_role_change); the audit log names them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _operator(options["operator"])
        user = options["user"].strip()
        if not zoom_user_key_ok(user):
            raise CommandError(BAD_USER.format(user=user[:80]))
        hours = options["hours"]
        if hours is not None and not 1 <= hours <= MAX_HOURS:
            raise CommandError(BAD_HOURS.format(max=MAX_HOURS, hours=hours))
        try:
            submitted = role_change_request(
                user_key=user,
                role={"role_name": options["role"].strip()},
                reason=options["reason"],
                actor=actor,
                source=Source.CLI,
                duration_hours=hours,
                dry_run=options["dry_run"],
            )
        except ChangeRefused as refused:
            if refused.plan is not None:
                self._show(refused.plan, made=False)
            raise CommandError(refused.message) from None
        except ZoomError as error:
            raise CommandError(
                ZOOM_FAILED.format(explanation=error.explanation, remedy=error.remedy)
            ) from None
        plan, request = submitted.plan, submitted.request
        if request is None:
            self._show(plan, made=False)
            if plan.blocked:
                failures = " ".join(f"{c.reason} {c.remedy}".strip() for c in plan.failures)
                raise CommandError(BLOCKED.format(failures=failures))
            self.stdout.write(
                self.style.SUCCESS("Dry run: the checks pass. Nothing was recorded and nothing sent to Zoom.")
            )
            if plan.needs_approval:
                self.stdout.write(plan.approval_reason)
            return
        self._show(plan, made=request.status not in (Status.PENDING, Status.APPROVED))
        self._result(request, plan)

    def _show(self, plan: Plan, *, made: bool) -> None:
        self.stdout.write(plan.summary)
        self.stdout.write("Preflight:")
        for check in plan.checks:
            outcome = LABELS.get(str(check.outcome), str(check.outcome).upper())
            line = f"  {outcome}  {check.label}: {check.reason}"
            if check.remedy:
                line += f" Remedy: {check.remedy}"
            style = {"pass": self.style.SUCCESS, "warn": self.style.WARNING}.get(
                str(check.outcome), self.style.ERROR
            )
            self.stdout.write(style(line))
        self.stdout.write("Zoom calls made:" if made else "Zoom calls it would make:")
        for call in plan.calls:
            self.stdout.write(f"  {call}" + (f"  ({call.purpose})" if call.purpose else ""))
        if not plan.calls:
            self.stdout.write("  none")

    def _result(self, request: ChangeRequest, plan: Plan) -> None:
        if request.status == Status.PENDING:
            self.stdout.write(self.style.WARNING(f"pending approval: request #{request.pk}"))
            self.stdout.write(plan.approval_reason)
            return
        if request.status == Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(f"Done: request #{request.pk} succeeded."))
            self.stdout.write(f"Zoom read-back: {request.outcome_reason}")
            if request.revert_at:
                self.stdout.write(f"The old role comes back at {request.revert_at:%Y-%m-%d %H:%M} UTC.")
            return
        raise CommandError(
            NOT_DONE.format(
                pk=request.pk, status=request.get_status_display().lower(), why=request.outcome_reason
            )
        )


def _operator(username: str) -> Any:
    operator = get_user_model()._default_manager.filter(username=username).first()
    if operator is None:
        raise CommandError(NO_OPERATOR.format(username=username))
    if not operator.is_active or not all(
        backend.user_can_authenticate(operator)
        for backend in get_backends()
        if isinstance(backend, ModelBackend)
    ):
        raise CommandError(OPERATOR_INACTIVE.format(username=username))
    if not operator.has_perm(perm("request_role_change")):
        raise CommandError(NO_PERMISSION.format(username=username))
    return operator
