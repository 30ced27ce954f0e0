"""Role-change benchmark: the preflight's latency against Zoom's, and /approvals/ under load.

    .venv/bin/python -m bench.role_changes
    .venv/bin/python -m bench.role_changes --only preflight --latency-ms 150

Targets (the role-change issue):
- preflight: with every sandbox call answering after `--latency-ms` (150 ms), opening the preflight takes
  at most 2x one call's latency: its independent Zoom reads run at the same time.
- approvals: `/approvals/` with 10,000 requests in the table answers with a p95 of at most 25 ms
  (gunicorn, 2 workers, 10 concurrent clients, server-side times from the access log).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from bench.harness import (
    Deployment,
    Server,
    latency_ratio,
    log,
    run_parts,
    summarize,
    write_result,
    wrk,
)

PREFLIGHT_TARGET_RATIO = 2.0
APPROVALS_P95_TARGET_MS = 25.0

PREFLIGHT = """
import json, statistics, time
from django.contrib.auth import get_user_model
from accounts.role_changes import role_change_preflight
from zoomadmin_site.zoom import get_zoom_client
actor = get_user_model().objects.get(username="bench-operator")
client = get_zoom_client()
email = "priya.raman@example.com"
client.get_user(user_id=email)  # token fetched and cached: a preflight after the first one needs none
one_call, preflights = [], []
for _ in range({rounds}):
    start = time.perf_counter(); client.get_user(user_id=email); one_call.append(time.perf_counter() - start)
    start = time.perf_counter()
    plan = role_change_preflight(user_key=email, role={{"role_name": "Admin"}}, actor=actor)
    preflights.append(time.perf_counter() - start)
    assert not plan.blocked, [c.reason for c in plan.failures]
ms = lambda times: [t * 1000 for t in times]
reads = len(plan.zoom_reads)
print(json.dumps({{"one_call_ms": ms(one_call), "preflight_ms": ms(preflights), "zoom_reads": reads}}))
"""

FILL_REQUESTS = """
import json, random, uuid
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status
requester = get_user_model().objects.get(username="bench-operator")
rng = random.Random(11)
statuses = [Status.PENDING] * 4 + [Status.SUCCEEDED] * 3 + [Status.REJECTED, Status.EXPIRED, Status.FAILED]
now = timezone.now()
rows = []
for i in range({count}):
    at = now - timedelta(minutes=i)
    email = f"user{{i}}@example.com"
    rows.append(ChangeRequest(
        kind=Kind.ROLE_CHANGE, status=rng.choice(statuses), requester=requester,
        requester_label=requester.username,
        target_type="zoom_user", target_id=uuid.uuid4().hex[:22], target_label=f"User {{i}} <{{email}}>",
        target_email=email, current={{"role_id": "2", "role_name": "Member", "email": email}},
        intended={{"role_id": "1", "role_name": "Admin"}}, summary=f"Change {{email}} from Member to Admin",
        reason="bench", plan={{}}, plan_fingerprint="0" * 64, approvals_required=1,
        created_at=at, updated_at=at, expires_at=at + timedelta(hours=72)))
ChangeRequest.objects.bulk_create(rows, batch_size=2000)
pending = ChangeRequest.objects.filter(status="pending").count()
print(json.dumps({{"requests": ChangeRequest.objects.count(), "pending": pending}}))
"""

MANAGER = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from zoomadmin_site.roles import MANAGER
User = get_user_model()
manager = User.objects.filter(username="bench-manager").first() or User.objects.create_user(
    "bench-manager", "manager@ops.example.com", "{password}")
manager.groups.set([Group.objects.get(name=MANAGER)])
"""


def measure_preflight(dep: Deployment, *, latency_ms: int, rounds: int) -> dict[str, Any]:
    dep.manage("zoom_sandbox", "seed", "--users", "300", "--meetings", "300", "--reset")
    dep.manage("zoom_sandbox", "faults", "--latency-ms", str(latency_ms), "--rate-limits", "off")
    log(f"preflight: {rounds} rounds at {latency_ms} ms per Zoom call")
    raw = json.loads(dep.manage("shell", "-c", PREFLIGHT.format(rounds=rounds)).strip().splitlines()[-1])
    return {
        "latency_ms": latency_ms,
        "rounds": rounds,
        "zoom_reads_per_preflight": raw["zoom_reads"],
        **latency_ratio(raw["one_call_ms"], raw["preflight_ms"], target=PREFLIGHT_TARGET_RATIO),
    }


def measure_approvals(dep: Deployment, *, count: int, seconds: int) -> dict[str, Any]:
    from bench.harness import BENCH_PASSWORD

    dep.manage("shell", "-c", MANAGER.format(password=BENCH_PASSWORD))
    filled = json.loads(dep.manage("shell", "-c", FILL_REQUESTS.format(count=count)).strip().splitlines()[-1])
    log(f"approvals: {filled['requests']:,} requests ({filled['pending']:,} pending)")
    paths = ["/approvals/"]
    with Server(dep) as server:
        cookie = server.session_cookie("bench-manager")
        wrk(server.url, paths, cookie=cookie, seconds=2)  # warm-up
        server.wait_idle()
        server.reset_log()
        wrk(server.url, paths, cookie=cookie, seconds=seconds)
        server.wait_idle()
        answers = server.answers(paths)
    summary = summarize(answers)
    return {
        **filled,
        **summary,
        "p95_target_ms": APPROVALS_P95_TARGET_MS,
        "ok": summary["p95_ms"] <= APPROVALS_P95_TARGET_MS and summary["non_200"] == 0,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    only = set((args.only or "preflight,approvals").split(","))
    parts = {
        "preflight": lambda dep: measure_preflight(dep, latency_ms=args.latency_ms, rounds=args.rounds),
        "approvals": lambda dep: measure_approvals(dep, count=args.requests, seconds=args.seconds),
    }
    chosen = {name: measure for name, measure in parts.items() if name in only}
    return run_parts("role_changes", database_url=args.database_url, keep=args.keep, parts=chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", help="preflight,approvals (default both)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    data = run(args)
    write_result(args.name or f"role-changes-{data['database']}", data)
    print(
        json.dumps(
            {
                k: {m: v for m, v in data[k].items() if m in ("ratio_p50", "ratio_p95", "p95_ms", "ok")}
                for k in ("preflight", "approvals")
                if k in data
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
