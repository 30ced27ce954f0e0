"""Run and steer the Zoom sandbox (zoomadmin_site.sandbox) from the command line.

    manage.py zoom_sandbox serve [--host 127.0.0.1] [--port 9100] [--state PATH] [--webhooks-every 2]
                                 [--account-id sandbox] [--client-id sandbox-client]
                                 [--client-secret sandbox-secret]
    manage.py zoom_sandbox seed [--users 300] [--meetings 3000] [--seed 42] [--reset] [--if-empty]
    manage.py zoom_sandbox reset
    manage.py zoom_sandbox faults [--show] [--clear] [--latency-ms MS] [--jitter-ms MS] [--rate-429 P]
                                  [--rate-5xx P] [--rate-timeout P] [--status-5xx S]
                                  [--fail-next "PATCH /meetings/*"] [--count N] [--status S] [--code C]
                                  [--message TEXT] [--kind error|timeout] [--after-write]
                                  [--drop-next-write "PATCH /meetings/*"] [--timeout-mode auto|raise|sleep]
                                  [--scopes a,b | --default-scopes] [--plan free|pro|business]
                                  [--clock ISO] [--running-clock] [--advance SECONDS] [--real-clock]
                                  [--legacy-tokens on|off] [--app-disabled on|off] [--rate-limits on|off]
                                  [--meeting-daily-limit N] [--fault-seed N]
    manage.py zoom_sandbox calls [--method M] [--path PATTERN] [--route ROUTE] [--writes] [--since ID]
                                 [--limit N] [--json]
    manage.py zoom_sandbox webhook --url URL [--secret-token TOKEN] [--events a,b] | --clear
    manage.py zoom_sandbox deliver-webhooks [--validate] [--every SECONDS]
    manage.py zoom_sandbox scenarios

Every subcommand takes ``--state PATH`` (default: settings.ZOOM_SANDBOX_STATE).

``serve`` uses the sandbox app's own credentials (never the ZOOM_* settings, which may hold a real app's
secret) and delivers webhooks in the background while a webhook URL is configured.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoomadmin_site.sandbox import (
    DEFAULT_SCOPES,
    SCENARIOS,
    Sandbox,
    SandboxApp,
    SeedError,
    WebhookNotes,
    WebhookPump,
    deliver_pending,
    make_app,
    make_threaded_server,
)

# The sandbox app's credentials (issue: "flags override them"). Deliberately not the ZOOM_* settings: with
# a real app's credentials in the environment the simulator would accept the real secret.
SANDBOX_ACCOUNT_ID = "sandbox"
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - the simulator's documented demo credential


def _on_off(value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise CommandError(f"Expected on/off, got {value!r}")
    return lowered in ("on", "true", "1", "yes")


def _route(value: str) -> tuple[str, str]:
    """``"PATCH /meetings/*"`` → ("PATCH", "/meetings/*"); a bare path means any method."""
    parts = value.split(None, 1)
    return (parts[0].upper(), parts[1]) if len(parts) == 2 else ("*", parts[0])


def _faults_arguments(parser: CommandParser) -> None:
    add = parser.add_argument
    add("--show", action="store_true", help="print every knob (the default when nothing else is given)")
    add("--clear", action="store_true", help="clear latency, error rates, fail-next and drop-next-write")
    add("--latency-ms", type=int)
    add("--jitter-ms", type=int)
    add("--rate-429", type=float, help="probability of a spurious per-second 429")
    add("--rate-5xx", type=float, help="probability of a server error")
    add("--rate-timeout", type=float, help="probability of a timeout")
    add("--status-5xx", type=int, help="status used for --rate-5xx (default 500)")
    add("--fail-next", metavar="'METHOD PATH'", help='e.g. "PATCH /meetings/*" or "POST /oauth/token"')
    add("--count", type=int, default=1, help="how many calls --fail-next / --drop-next-write affect")
    add("--status", type=int, default=500)
    add("--code", type=int)
    add("--message", default="")
    add("--kind", choices=("error", "timeout"), default="error")
    add("--after-write", action="store_true", help="apply the change, then fail")
    add("--drop-next-write", metavar="'METHOD PATH'", help='answer success but keep nothing, e.g. "PATCH *"')
    add("--timeout-mode", choices=("auto", "raise", "sleep"))
    add("--scopes", help="comma-separated scopes for new tokens")
    add("--default-scopes", action="store_true")
    add("--plan", choices=("free", "pro", "business", "enterprise"))
    add("--clock", help="simulated now, ISO 8601 (UTC when no offset); frozen unless --running-clock")
    add("--running-clock", action="store_true")
    add("--advance", type=float, metavar="SECONDS")
    add("--real-clock", action="store_true")
    add("--legacy-tokens", type=_on_off, metavar="on|off")
    add("--app-disabled", type=_on_off, metavar="on|off")
    add("--rate-limits", type=_on_off, metavar="on|off")
    add("--meeting-daily-limit", type=int)
    add("--fault-seed", type=int)


class Command(BaseCommand):
    help = "Serve, seed and steer the Zoom sandbox (a simulator of the Zoom REST API)."
    requires_system_checks: list[str] = []  # the simulator needs neither the app's database nor its models

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="serve the sandbox over HTTP (threaded)")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=9100)
        serve.add_argument("--account-id", default=SANDBOX_ACCOUNT_ID)
        serve.add_argument("--client-id", default=SANDBOX_CLIENT_ID)
        serve.add_argument("--client-secret", default=SANDBOX_CLIENT_SECRET)
        serve.add_argument(
            "--webhooks-every",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help="deliver pending webhooks (validating the URL first) every N seconds while a webhook URL "
            "is configured; 0 turns delivery off (default 2)",
        )
        seed = sub.add_parser("seed", help="fill the state with the demo account")
        seed.add_argument("--users", type=int, default=300)
        seed.add_argument("--meetings", type=int, default=3000)
        seed.add_argument("--seed", type=int, default=42)
        seed.add_argument("--reset", action="store_true", help="reset first (needed if already seeded)")
        seed.add_argument(
            "--if-empty", action="store_true", help="do nothing when the state is already seeded (make run)"
        )
        sub.add_parser("reset", help="forget everything: back to the base account")
        _faults_arguments(sub.add_parser("faults", help="set or show fault knobs"))
        calls = sub.add_parser("calls", help="print the call log")
        calls.add_argument("--method")
        calls.add_argument("--path", help="fnmatch pattern, e.g. '/v2/meetings/*'")
        calls.add_argument("--route", help="e.g. 'PATCH /meetings/{meetingId}'")
        calls.add_argument("--writes", action="store_true")
        calls.add_argument("--since", type=int, default=0)
        calls.add_argument("--limit", type=int, default=50)
        calls.add_argument("--json", action="store_true")
        hook = sub.add_parser("webhook", help="configure the webhook subscription")
        hook.add_argument("--url")
        hook.add_argument(
            "--secret-token", help="the app's webhook secret token (default: ZOOM_WEBHOOK_SECRET_TOKEN)"
        )
        hook.add_argument("--events", help="comma-separated; default all")
        hook.add_argument("--clear", action="store_true")
        deliver = sub.add_parser("deliver-webhooks", help="send pending webhook deliveries")
        deliver.add_argument(
            "--every", type=float, default=0, help="keep delivering every N seconds until stopped (make run)"
        )
        deliver.add_argument(
            "--validate",
            action="store_true",
            help="send the URL validation challenge first, even if the URL already passed it",
        )
        sub.add_parser("scenarios", help="print the named scenarios of the demo seed")
        for child in sub.choices.values():
            child.add_argument("--state", default=str(settings.ZOOM_SANDBOX_STATE))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        getattr(self, f"_{action}")(options)

    def _sandbox(self, options: dict[str, Any]) -> Sandbox:
        return Sandbox(options["state"])

    def _serve(self, options: dict[str, Any]) -> None:
        server = make_threaded_server(serve_app(options), options["host"], options["port"])
        base = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(f"Zoom sandbox on {base}/v2 (OAuth: {base}/oauth/token), state {options['state']}")
        pump = None
        if options["webhooks_every"] > 0:
            notes = WebhookNotes(self.stdout.write, every=options["webhooks_every"])
            pump = WebhookPump(options["state"], options["webhooks_every"], on_report=notes).start()
            self.stdout.write(f"Webhooks: delivered every {options['webhooks_every']:g} s while subscribed")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            if pump is not None:
                pump.stop()
            server.server_close()

    def _seed(self, options: dict[str, Any]) -> None:
        sandbox = self._sandbox(options)
        try:
            report = sandbox.seed_demo(
                users=options["users"],
                meetings=options["meetings"],
                seed=options["seed"],
                reset=options["reset"],
            )
        except SeedError as exc:
            if options["if_empty"]:
                users = sandbox.user_count()
                self.stdout.write(f"The sandbox is already seeded: {users} users ({options['state']}).")
                return
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Seeded {report.users} users, {report.meetings} meetings, {report.assistants} assistant "
            f"relations in {report.seconds:.2f} s ({options['state']})"
        )

    def _reset(self, options: dict[str, Any]) -> None:
        self._sandbox(options).reset()
        self.stdout.write(f"Reset {options['state']}")

    def _faults(self, options: dict[str, Any]) -> None:
        sandbox = self._sandbox(options)
        changed = _apply_faults(sandbox, options)
        if options["show"] or not changed:
            knobs = sandbox.knobs()
            if knobs.get("webhook"):
                knobs["webhook"] = {**knobs["webhook"], "secret_token": "***"}
            self.stdout.write(json.dumps(knobs, indent=2, default=str))
        else:
            self.stdout.write("Updated: " + ", ".join(changed))

    def _calls(self, options: dict[str, Any]) -> None:
        calls = self._sandbox(options).calls(
            method=options["method"],
            path=options["path"],
            route=options["route"],
            writes_only=options["writes"],
            since_id=options["since"],
        )[-options["limit"] :]
        for call in calls:
            if options["json"]:
                record = {**call.__dict__, "time": call.time.isoformat()}
                self.stdout.write(json.dumps(record, default=str))
            else:
                code = f"/{call.code}" if call.code else ""
                fault = f" [{call.fault}]" if call.fault else ""
                query = f"?{call.query}" if call.query else ""
                stamp = call.time.strftime("%Y-%m-%dT%H:%M:%SZ")
                self.stdout.write(
                    f"{call.id:>6} {stamp} {call.status}{code} {call.method} {call.path}{query}{fault}"
                )

    def _webhook(self, options: dict[str, Any]) -> None:
        sandbox = self._sandbox(options)
        if options["clear"]:
            sandbox.clear_webhook()
            self.stdout.write("Webhook subscription cleared")
            return
        secret_token = options["secret_token"] or settings.ZOOM_WEBHOOK_SECRET_TOKEN
        if not options["url"] or not secret_token:
            raise CommandError(
                "webhook needs --url and a secret token (--secret-token or ZOOM_WEBHOOK_SECRET_TOKEN), "
                "or --clear"
            )
        events = [e.strip() for e in (options["events"] or "").split(",") if e.strip()] or None
        sandbox.set_webhook(options["url"], secret_token, events=events)
        self.stdout.write(f"Webhook events go to {options['url']}")

    def _deliver_webhooks(self, options: dict[str, Any]) -> None:
        every = options["every"]
        if not every:
            notes = WebhookNotes(self.stdout.write, quiet=False)
            notes(deliver_pending(options["state"], validate=options["validate"]))
            return
        notes = WebhookNotes(self.stdout.write, every=every)
        pump = WebhookPump(options["state"], every, on_report=notes, validate_first=options["validate"])
        with contextlib.suppress(KeyboardInterrupt):
            pump.run()

    def _scenarios(self, options: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(SCENARIOS, indent=2))


def _apply_faults(sandbox: Sandbox, options: dict[str, Any]) -> list[str]:
    """Apply every knob option given; returns their names."""
    changed: list[str] = []
    if options["clear"]:
        sandbox.clear_faults()
        changed.append("clear")
    simple: dict[str, Callable[[Any], Any]] = {
        "fault_seed": sandbox.set_fault_seed,
        "plan": sandbox.set_plan,
        "legacy_tokens": sandbox.set_legacy_tokens,
        "app_disabled": sandbox.set_app_disabled,
        "meeting_daily_limit": sandbox.set_meeting_daily_limit,
        "timeout_mode": sandbox.set_timeout_mode,
    }
    for name, setter in simple.items():
        if options[name] is not None:
            setter(options[name])
            changed.append(name)
    if options["rate_limits"] is not None:
        sandbox.set_rate_limits(options["rate_limits"])
        changed.append("rate_limits")
    changed += _apply_latency_and_rates(sandbox, options)
    changed += _apply_rules(sandbox, options)
    changed += _apply_scopes_and_clock(sandbox, options)
    return changed


def _apply_latency_and_rates(sandbox: Sandbox, options: dict[str, Any]) -> list[str]:
    changed = []
    for option, knob in (("latency_ms", "latency_ms"), ("jitter_ms", "latency_jitter_ms")):
        if options[option] is not None:
            sandbox.set_knob(knob, options[option])
            changed.append(knob)
    for name in ("rate_429", "rate_5xx", "rate_timeout", "status_5xx"):
        if options[name] is not None:
            sandbox.set_knob(name, options[name])
            changed.append(name)
    return changed


def _apply_rules(sandbox: Sandbox, options: dict[str, Any]) -> list[str]:
    changed = []
    if options["fail_next"]:
        method, path = _route(options["fail_next"])
        sandbox.fail_next(
            method,
            path,
            count=options["count"],
            status=options["status"],
            code=options["code"],
            message=options["message"],
            kind=options["kind"],
            after_write=options["after_write"],
        )
        changed.append("fail_next")
    if options["drop_next_write"]:
        method, path = _route(options["drop_next_write"])
        sandbox.drop_next_write(options["count"], method=method, path=path)
        changed.append("drop_next_write")
    return changed


def _apply_scopes_and_clock(sandbox: Sandbox, options: dict[str, Any]) -> list[str]:
    changed = []
    if options["default_scopes"]:
        sandbox.set_scopes(DEFAULT_SCOPES)
        changed.append("scopes")
    elif options["scopes"] is not None:
        sandbox.set_scopes(s.strip() for s in options["scopes"].split(",") if s.strip())
        changed.append("scopes")
    if options["real_clock"]:
        sandbox.real_clock()
        changed.append("clock")
    elif options["clock"]:
        try:
            moment = datetime.fromisoformat(options["clock"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise CommandError(f"--clock: not an ISO 8601 time: {options['clock']!r}") from exc
        sandbox.set_clock(
            moment if moment.tzinfo else moment.replace(tzinfo=UTC), frozen=not options["running_clock"]
        )
        changed.append("clock")
    if options["advance"] is not None:
        sandbox.advance(options["advance"])
        changed.append("advance")
    return changed


def serve_app(options: dict[str, Any]) -> SandboxApp:
    """The app ``serve`` runs: the sandbox's credentials unless the flags override them."""
    return make_app(
        options["state"],
        account_id=options["account_id"],
        client_id=options["client_id"],
        client_secret=options["client_secret"],
    )
