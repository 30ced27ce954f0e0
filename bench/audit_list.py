"""Audit list benchmark: `/audit/` with combined filters over 1M events, as an auditor loads it: the page
(events, chain status) and, as a target of its own, the counts per outcome that the page loads into itself
once shown (`/audit/counts/` with the same filters). gunicorn with 2 workers, 10 concurrent clients (wrk).

    .venv/bin/python -m bench.audit_list --rows 1000000 --workdir /tmp/audit-list-sqlite
    .venv/bin/python -m bench.audit_list --database-url postgres://postgres@127.0.0.1:5450/postgres ...

The events are bench_audit_verify's: correctly chained (hashed by the same code as audit_record),
bulk-inserted with plain INSERTs, 40 actors, 5 actions, 6 outcomes, 5,000 target users, a reason on a
quarter of them, one request id each, 7 seconds apart (1M events span 81 days). `--workdir` keeps the
filled deployment and reuses it (migrations of the code as it is now applied again). Target: server-side
p95 <= 25 ms for every filter combination, the page's and its counts' requests alike. The machine is
shared: CPU probes before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.harness import (
    Deployment,
    Server,
    cpu_probe_ms,
    environment,
    log,
    write_result,
)
from bench.search import Target, measure

P95_TARGET_MS = 25.0
BENCH_AUDITOR = "bench-auditor"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # bench_audit_verify's first event; one every 7 s
STEP_SECONDS = 7
ACTIONS = ("role_change.execute", "host_transfer.execute", "mirror.sync", "auth.login", "webhook.rejected")
OUTCOMES = ("started", "succeeded", "failed", "unverified", "denied", "skipped")

FILL = """
import json, sys, time
sys.path.insert(0, "bench")
import bench_audit_verify as chain
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from zoomadmin_site.roles import AUDITOR
started = time.monotonic()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM audit_auditevent")
    present = cursor.fetchone()[0]
if present == 0 and {rows}:
    chain.insert_chain({rows})  # seq 1 onwards: before any other event (operators created, logins)
inserted = time.monotonic() - started
User = get_user_model()
auditor = User.objects.filter(username="{auditor}").first() or User.objects.create_user(
    "{auditor}", "", "{password}"
)
auditor.groups.set([Group.objects.get(name=AUDITOR)])
started = time.monotonic()
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE audit_auditevent" if connection.vendor == "postgresql" else "ANALYZE")
analyzed = time.monotonic() - started
print(json.dumps({{"insert_seconds": round(inserted, 1), "analyze_seconds": round(analyzed, 1)}}))
"""


def prepare(args: argparse.Namespace) -> tuple[Deployment, dict[str, Any]]:
    """A deployment holding `rows` chained events; with --workdir, made once and reused by later runs."""
    from bench.harness import BENCH_PASSWORD

    marker = Path(args.workdir) / "prepared.json" if args.workdir else None
    if marker and marker.exists():
        saved = json.loads(marker.read_text())
        log(f"reusing the deployment in {args.workdir}")
        dep = Deployment.create(database_url=saved["database_url"], keep=Path(args.workdir), reuse=True)
        dep.setup()  # migrations (new indexes) and static files of the code as it is now
        fill = dep.manage("shell", "-c", FILL.format(auditor=BENCH_AUDITOR, password=BENCH_PASSWORD, rows=0))
        return dep, {**saved["setup"], "reanalyze": json.loads(fill.strip().splitlines()[-1])}
    dep = Deployment.create(database_url=args.database_url, keep=Path(args.workdir) if args.workdir else None)
    dep.manage("migrate", "--no-input", "-v0")
    log(f"inserting {args.rows:,} chained events")
    fill = dep.manage(
        "shell", "-c", FILL.format(auditor=BENCH_AUDITOR, password=BENCH_PASSWORD, rows=args.rows)
    )
    dep.setup()  # the operators (and their audit events) after the chain
    setup = json.loads(fill.strip().splitlines()[-1])
    log(f"filled: {setup}")
    if marker:
        marker.write_text(json.dumps({"database_url": dep.database_url, "setup": setup, "rows": args.rows}))
    return dep, setup


def _path(**query: str) -> str:
    return "/audit/?" + urlencode(query)


def _day(seq: int) -> dt.date:
    return (START + dt.timedelta(seconds=seq * STEP_SECONDS)).date()


def paths(rows: int, *, variants: int = 40) -> dict[str, list[str]]:
    """Each combination with `variants` different values (the same on every run and database)."""
    rng = random.Random(13)
    users = [f"u{rng.randrange(5000):05d}" for _ in range(variants)]
    seqs = [rng.randrange(1, rows + 1) for _ in range(variants)]
    q_outcome = []
    for n, user in enumerate(users):
        # A rare term (one user's label: 1 event in 5,000) and a common one (a reason on 1 in 4), half each.
        q = user if n % 2 else rng.choice(("quarterly", "access review"))
        q_outcome.append(_path(q=q, outcome=OUTCOMES[n % len(OUTCOMES)]))
    # Free text of two words, one common (every label has "User"): with a rare one (one user's 200 events)
    # or a middling one (ten users' 2,000), half each.
    q_phrase = [_path(q=f"User {user}" if n % 2 else f"user {user[:5]}") for n, user in enumerate(users)]
    actor_action_dates = []
    for n, seq in enumerate(seqs):
        actor = n % 40
        first = _day(seq)
        actor_action_dates.append(
            _path(
                actor=f"operator{actor}",
                action=ACTIONS[actor % len(ACTIONS)]
                if n % 2
                else ACTIONS[actor % len(ACTIONS)].split(".")[0],
                date_from=first.isoformat(),
                date_to=(first + dt.timedelta(days=[0, 6, 30][n % 3])).isoformat(),
            )
        )
    date_ranges = []
    for n, seq in enumerate(seqs):
        # Anyone's events in 1, 7 or 31 days; alone, with an action area, an outcome, or from a day on
        # with a common term (a quarter's export starts from such a list).
        first = _day(seq)
        dates = {"date_from": first.isoformat()}
        if n % 4 != 3:
            dates["date_to"] = (first + dt.timedelta(days=[0, 6, 30][n % 3])).isoformat()
        extra = [{}, {"action": ACTIONS[n % len(ACTIONS)].split(".")[0]}, {"outcome": OUTCOMES[n % 6]}]
        date_ranges.append(_path(**dates, **(extra[n % 4] if n % 4 != 3 else {"q": "quarterly"})))
    return {
        "newest": ["/audit/"] + [_path(after_seq=str(seq)) for seq in seqs[: variants - 1]],
        "q_outcome": q_outcome,
        "q_phrase": q_phrase,
        "actor_action_date_range": actor_action_dates,
        "request_id": [_path(request_id=uuid.UUID(int=seq).hex) for seq in seqs],
        "target": [_path(target_type="zoom_user", target_id=user) for user in users],
        "target_q_date_from": [
            _path(target_id=user, q="review", date_from=_day(seq).isoformat())
            for user, seq in zip(users, seqs, strict=True)
        ],
        "date_range": date_ranges,
    }


def with_counts(groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each combination's pages, and the counts each page loads: "<combination> counts" (the page's query
    without its paging position, which the counts ignore, as the page's placeholder asks for them)."""
    counted = {}
    for name, urls in groups.items():
        counted[name] = urls
        counted[f"{name} counts"] = [_counts_path(url) for url in urls]
    return counted


def _counts_path(url: str) -> str:
    query = [(k, v) for k, v in parse_qsl(urlsplit(url).query) if k not in ("after_seq", "before_seq")]
    return "/audit/counts/" + (f"?{urlencode(query)}" if query else "")


def run(args: argparse.Namespace) -> dict[str, Any]:
    dep, setup = prepare(args)
    try:
        probe_before = cpu_probe_ms()
        wanted = set(args.only.split(",")) if args.only else None
        chosen: dict[str, Target] = {
            # The counts as the page's placeholder asks for them: an htmx request, answered with the chips.
            name: (urls, name.endswith(" counts"), BENCH_AUDITOR)
            for name, urls in with_counts(paths(args.rows)).items()
            if not wanted or name in wanted or name.removesuffix(" counts") in wanted
        }
        with Server(dep, workers=2) as server:
            log(f"{len(chosen)} targets, {args.seconds} s each, 10 connections")
            results = measure(server, chosen, seconds=args.seconds)
        probe_after = cpu_probe_ms()
        worst = max(r["p95_ms"] for r in results.values())
        return {
            "benchmark": "audit_list",
            "database": dep.vendor,
            "rows": args.rows,
            "seconds_per_target": args.seconds,
            "setup": setup,
            "p95_target_ms": P95_TARGET_MS,
            "worst_p95_ms": worst,
            "p95_ok": worst <= P95_TARGET_MS,
            "results": results,
            "cpu_probe_ms_before": probe_before,
            "cpu_probe_ms_after": probe_after,
            "paths": with_counts(paths(args.rows)),
            "environment": environment(),
        }
    finally:
        if not (args.keep or args.workdir):
            dep.cleanup()


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20, help="load per target")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary deployment")
    parser.add_argument("--workdir", help="fill the deployment here once and reuse it on later runs")
    parser.add_argument("--only", help="comma-separated targets to measure (default: all)")
    parser.add_argument("--name", default=None, help="result file name (default: audit-list-<database>)")
    args = parser.parse_args()
    data = run(args)
    write_result(args.name or f"audit-list-{data['database']}", data)
    summary = {
        k: {m: v[m] for m in ("requests_per_second", "p50_ms", "p95_ms")} for k, v in data["results"].items()
    }
    print(json.dumps({"p95_ok": data["p95_ok"], "worst_p95_ms": data["worst_p95_ms"], **summary}, indent=2))


if __name__ == "__main__":
    main()
