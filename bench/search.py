"""Search benchmark: our user and meeting search against Django admin's changelist search, same tables,
same queries, same server (gunicorn, 2 workers), 10 concurrent clients (wrk).

    .venv/bin/python -m bench.search --users 100000 --meetings 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres .venv/bin/python -m bench.search ...

The sandbox is seeded at the given size and the mirror is filled by a real full sync (`zoom_sync`, with
the sandbox's rate limits off so that filling 100k users does not take hours; the sync benchmark measures
the rate-limited case). Targets: server-side p95 <= 25 ms and >= 5x the admin's throughput.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.harness import (
    BENCH_OPERATOR,
    BENCH_SUPERUSER,
    Deployment,
    Server,
    environment,
    log,
    summarize,
    write_result,
    wrk,
)

P95_TARGET_MS = 25.0
SPEEDUP_TARGET = 5.0

SAMPLE_QUERIES = """
import json, random
from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
rng = random.Random(7)
fields = ("first_name", "last_name", "email", "dept", "zoom_id")
# The same sample on every run and either database (by Zoom's keys: row ids depend on the sync's order),
# so that runs compare.
emails = rng.sample(sorted(ZoomUser.objects.filter(gone_at=None).values_list("email", flat=True)), 40)
by_email = {row[2]: row for row in ZoomUser.objects.filter(email__in=emails).values_list(*fields)}
users = [by_email[e] for e in emails]
ids = rng.sample(sorted(ZoomMeeting.objects.filter(gone_at=None).values_list("meeting_id", flat=True)), 40)
sampled = ZoomMeeting.objects.filter(meeting_id__in=ids).values_list("topic", "meeting_id", "host_name")
by_id = {row[1]: row for row in sampled}
meetings = [by_id[i] for i in ids]
def words(text): return [w for w in text.replace(":", " ").split() if len(w) > 2]
u = []
for first, last, email, dept, zid in users[:40]:
    u += [last[:5].lower(), first.lower(), email.split("@")[0], dept.lower()[:4], (zid or "")[:6]]
    u += [last[:2].lower()]
m = []
for topic, mid, host in meetings[:40]:
    m += [rng.choice(words(topic) or [topic]).lower(), str(mid)[:7], host.split()[0].lower()]
print(json.dumps({"users": [q for q in u if q][:120], "meetings": [q for q in m if q][:120]}))
"""


def populate(dep: Deployment, *, users: int, meetings: int) -> dict[str, Any]:
    log(f"seeding the sandbox: {users:,} users, {meetings:,} meetings")
    started = time.monotonic()
    dep.manage("zoom_sandbox", "seed", "--users", str(users), "--meetings", str(meetings))
    seeded = time.monotonic() - started
    dep.manage("zoom_sandbox", "faults", "--rate-limits", "off")
    log("full sync into the mirror (sandbox limits off)")
    started = time.monotonic()
    dep.manage("zoom_sync", "--workers", "4", env={"ZOOM_RATE_LIMIT_PER_SECOND": "0"})
    synced = time.monotonic() - started
    log(f"seeded in {seeded:.0f} s, synced in {synced:.0f} s")
    return {"seed_seconds": round(seeded, 1), "sync_seconds_unthrottled": round(synced, 1)}


def targets(queries: dict[str, list[str]]) -> dict[str, Target]:
    def paths(prefix: str, qs: list[str]) -> list[str]:
        return [prefix + quote(q) for q in qs]

    users, meetings = queries["users"], queries["meetings"]
    return {
        "users_search_htmx": (paths("/users/?q=", users), True, BENCH_OPERATOR),
        "users_search_page": (paths("/users/?q=", users), False, BENCH_OPERATOR),
        "users_admin_changelist": (paths("/admin/accounts/zoomuser/?q=", users), False, BENCH_SUPERUSER),
        "meetings_search_htmx": (paths("/meetings/?q=", meetings), True, BENCH_OPERATOR),
        "meetings_search_page": (paths("/meetings/?q=", meetings), False, BENCH_OPERATOR),
        "meetings_admin_changelist": (
            paths("/admin/meetings/zoommeeting/?q=", meetings),
            False,
            BENCH_SUPERUSER,
        ),
    }


ROUNDS = 4  # each target's load comes in this many turns, the targets taking turns


Target = tuple[list[str], bool, str]  # paths, as htmx requests?, as which operator


def measure(server: Server, targets: dict[str, Target], *, seconds: int) -> dict[str, Any]:
    """Load each target for `seconds` in all, in ROUNDS turns with the other targets between: this
    machine's speed drifts over minutes, and taking turns spreads the drift over every target alike
    instead of favouring whichever ran in a quiet minute."""
    answers: dict[str, list] = {name: [] for name in targets}
    busy: dict[str, float] = dict.fromkeys(targets, 0.0)  # seconds from each turn's start to its last answer
    # Idle means no request finished for longer than the slowest one takes: after wrk hangs up the
    # workers still answer what it had sent (the admin's take seconds each, one after another).
    quiet = 1.0
    cookies = {who: server.session_cookie(who) for _paths, _htmx, who in targets.values()}
    for turn in range(ROUNDS):
        for name, (paths, htmx, who) in targets.items():
            cookie = cookies[who]
            # The previous target's last requests must not share the CPU with this one's.
            server.wait_idle(quiet=quiet)
            # Warm caches and connections (longer the first time), unmeasured.
            wrk(server.url, paths[:10], cookie=cookie, seconds=2 if turn == 0 else 1, htmx=htmx)
            server.wait_idle(quiet=quiet)
            server.reset_log()
            started = time.time()
            wrk(server.url, paths, cookie=cookie, seconds=max(1, seconds // ROUNDS), htmx=htmx)
            server.wait_idle(quiet=_quiet_after(server.answers()))
            done = server.answers(paths)
            quiet = _quiet_after(done)
            # Throughput from the server's log: requests still running when wrk hangs up (the admin's
            # take seconds each) count, and so does the time they take.
            busy[name] += max(server.last_answer_at() - started, 0.001)
            answers[name] += done
            log(f"  {name}, turn {turn + 1} of {ROUNDS}: {len(done)} answers")
    results = {}
    for name in targets:
        rate = len(answers[name]) / busy[name]
        results[name] = {"requests_per_second": round(rate, 2), "requests": len(answers[name])}
        results[name] |= summarize(answers[name])
        log(f"{name}: {rate:.1f} req/s, p95 {results[name]['p95_ms']} ms")
    return results


def _quiet_after(answers: list[tuple[str, str, float]]) -> float:
    """Seconds without an answer that mean the workers are idle: the slowest answer and half again."""
    return max(1.0, 1.5 * max((ms for _url, _status, ms in answers), default=0.0) / 1000)


def prepare(args: argparse.Namespace) -> tuple[Deployment, dict[str, Any]]:
    """A seeded and synced deployment; with --workdir, made once and reused by later runs."""
    marker = Path(args.workdir) / "prepared.json" if args.workdir else None
    if marker and marker.exists():
        saved = json.loads(marker.read_text())
        log(f"reusing the deployment in {args.workdir}")
        dep = Deployment.create(database_url=saved["database_url"], keep=Path(args.workdir), reuse=True)
        dep.setup()  # migrations and static files of the code as it is now
        return dep, saved["setup"]
    dep = Deployment.create(database_url=args.database_url, keep=Path(args.workdir) if args.workdir else None)
    dep.setup()
    setup = populate(dep, users=args.users, meetings=args.meetings)
    if marker:
        marker.write_text(
            json.dumps(
                {
                    "database_url": dep.database_url,
                    "setup": setup,
                    "users": args.users,
                    "meetings": args.meetings,
                }
            )
        )
    return dep, setup


def run(args: argparse.Namespace) -> dict[str, Any]:
    dep, setup = prepare(args)
    try:
        queries = json.loads(dep.manage("shell", "-c", SAMPLE_QUERIES).strip().splitlines()[-1])
        random.Random(1).shuffle(queries["users"])
        results: dict[str, Any] = {}
        with Server(dep, workers=2) as server:
            wanted = set(args.only.split(",")) if args.only else None
            chosen = {name: t for name, t in targets(queries).items() if not wanted or name in wanted}
            log(f"{len(chosen)} targets, {args.seconds} s each in {ROUNDS} turns, 10 connections")
            results = measure(server, chosen, seconds=args.seconds)
        return {
            "benchmark": "search",
            "database": dep.vendor,
            "users": args.users,
            "meetings": args.meetings,
            "seconds_per_target": args.seconds,
            "setup": setup,
            "results": results,
            "verdict": verdict(results) if not args.only else None,
            "queries": queries,
            "environment": environment(),
        }
    finally:
        if not (args.keep or args.workdir):
            dep.cleanup()


def verdict(results: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for entity in ("users", "meetings"):
        ours, admin = results[f"{entity}_search_htmx"], results[f"{entity}_admin_changelist"]
        page = results[f"{entity}_search_page"]
        speedup = (
            ours["requests_per_second"] / admin["requests_per_second"]
            if admin["requests_per_second"]
            else None
        )
        out[entity] = {
            "p95_ms_live_search": ours["p95_ms"],
            "p95_ms_full_page": page["p95_ms"],
            "p95_target_ms": P95_TARGET_MS,
            "p95_ok": ours["p95_ms"] <= P95_TARGET_MS and page["p95_ms"] <= P95_TARGET_MS,
            "throughput_vs_admin": round(speedup, 1) if speedup else None,
            "throughput_target": SPEEDUP_TARGET,
            "throughput_ok": bool(speedup and speedup >= SPEEDUP_TARGET),
        }
    return out


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20, help="load per target")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary deployment")
    parser.add_argument(
        "--workdir", help="prepare the seeded, synced deployment here once and reuse it on later runs"
    )
    parser.add_argument("--only", help="comma-separated targets to measure (default: all)")
    parser.add_argument("--name", default=None, help="result file name (default: search-<database>)")
    args = parser.parse_args()
    data = run(args)
    write_result(args.name or f"search-{data['database']}", data)
    if data["verdict"] is None:
        print(
            json.dumps(
                {
                    k: {m: v[m] for m in ("requests_per_second", "p50_ms", "p95_ms")}
                    for k, v in data["results"].items()
                },
                indent=2,
            )
        )
        return
    print(json.dumps(data["verdict"], indent=2))


if __name__ == "__main__":
    main()
