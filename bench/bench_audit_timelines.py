"""Benchmark the auditor's chain-of-custody reads over a large log: one change request's events
(`change_request_events`, what an event's page and /audit/changes/<id>/ run), one offboarding job's
(`transfer_job_events`), and those two pages and an event's page rendered whole.

    .venv/bin/python bench/bench_audit_timelines.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/zdash .venv/bin/python bench/bench_audit_timelines.py

A throwaway database (as bench_audit_verify.py) holds N events written the way the change flows write
them: in every 10, one change request's 6 events (request, approve, preflight, execute started,
read-back, execute finished, all naming the request) and 4 others (sign-ins, syncs). Every other request
is a host transfer of an offboarding job of 300 meetings. Each read runs --samples times on random
requests / jobs; p50 and p95 in ms go to bench/results/audit_timelines.json (the latest run per vendor).
The machine is shared: a CPU probe is recorded before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_audit_verify import insert_chain, setup_django, temporary_database  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "audit_timelines.json"
BATCH = 10_000
JOB_SIZE = 300
STORY = (
    ("request", "succeeded"),
    ("approve", "succeeded"),
    ("preflight", "succeeded"),
    ("execute", "started"),
    ("read_back", "succeeded"),
    ("execute", "succeeded"),
)
OTHERS = (("auth.login", "succeeded"), ("mirror.sync", "succeeded"), ("auth.logout", "succeeded"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="events in the log")
    parser.add_argument("--samples", type=int, default=100, help="timed reads of each kind")
    parser.add_argument("--keep", type=Path, default=None, help="keep and reuse the database")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client speaks plain HTTP
    with temporary_database(args.keep) as url:
        os.environ["DATABASE_URL"] = url
        result = run(args.rows, args.samples)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    by_vendor = {**previous.get("by_vendor", {}), result["database_vendor"]: result}
    RESULTS.write_text(json.dumps({**result, "by_vendor": by_vendor}, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def fake_event(seq: int, when: dt.datetime) -> dict[str, Any]:
    block, position = divmod(seq - 1, 10)
    request = block + 1
    transfer = request % 2 == 0
    user = f"u{request % 5000:05d}"
    base = {
        "seq": seq,
        "time": when,
        "actor_id": None,
        "reason": "",
        "preflight": None,
        "zoom_calls": [],
        "request_id": uuid.UUID(int=seq).hex,
        "source_ip": "10.0.0.1",
        "operation_id": uuid.UUID(int=seq),
    }
    if position >= len(STORY):
        action, outcome = OTHERS[seq % len(OTHERS)]
        other = {"action": action, "outcome": outcome, "target_type": "", "target_id": "", "target_label": ""}
        return {**base, **other, "actor_label": f"operator{seq % 40}", "before": None, "after": None}
    step, outcome = STORY[position]
    kind = "host_transfer" if transfer else "role_change"
    if transfer and step == "approve":
        step = "preflight"  # a host transfer needs no approval
    after: dict[str, Any] | None = {"request": request, "role_id": "1"}
    if transfer and step == "request":
        after = {"request": request, "role_id": "1", "job": request // (2 * JOB_SIZE) + 1}
    preflight: dict[str, Any] | None = None
    if step == "execute" and outcome == "started":
        after, preflight = None, {"request": request, "checks": []}
    operation = uuid.UUID(int=10**12 + request) if step in ("execute", "read_back") else base["operation_id"]
    return {
        **base,
        "actor_label": f"operator{request % 40}",
        "action": f"{kind}.{step}",
        "outcome": outcome,
        "target_type": "zoom_meeting" if transfer else "zoom_user",
        "target_id": str(85_000_000_000 + request) if transfer else user,
        "target_label": f"Target {request}",
        "before": {"role_id": "2"},
        "after": after,
        "preflight": preflight,
        "operation_id": operation,
    }


def ensure_log(rows: int) -> float | None:
    from django.core.management import call_command
    from django.db import connection

    from zoomadmin_site.audit.models import AuditEvent

    call_command("migrate", verbosity=0)
    if AuditEvent.objects.filter(seq=rows, action__contains=".").exists():
        return None
    started = time.perf_counter()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    insert_chain(rows, lambda seq: fake_event(seq, start + dt.timedelta(seconds=seq * 7)))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
    return time.perf_counter() - started


def timed(samples: int, call: Callable[[], Any]) -> dict[str, float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "max_ms": round(times[-1], 2),
    }


def run(rows: int, samples: int) -> dict[str, Any]:
    setup_django()
    import django
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.harness import cpu_probe_ms
    from zoomadmin_site.audit.timelines import change_request_events, transfer_job_events
    from zoomadmin_site.roles import AUDITOR, ensure_operator_groups

    # Pages render with plain static URLs: no collected files (and manifest) needed.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}
    insert_seconds = ensure_log(rows)
    setup_test_environment()
    ensure_operator_groups()
    auditor, _ = get_user_model().objects.get_or_create(username="bench-auditor")
    auditor.groups.set([Group.objects.get(name=AUDITOR)])
    client = Client()
    client.force_login(auditor)
    requests = rows // 10
    jobs = max(1, requests // (2 * JOB_SIZE))
    pick = random.Random(7)

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def one_request() -> None:
        request = pick.randint(1, requests)
        assert len(change_request_events(request_id=request)) >= 5

    def request_event_page() -> None:
        page(f"/audit/{(pick.randint(1, requests) - 1) * 10 + 1}/")

    probe_before = cpu_probe_ms()
    result = {
        "change_request_events": timed(samples, one_request),
        "event_page": timed(samples, request_event_page),
        "change_request_page": timed(samples, lambda: page(f"/audit/changes/{pick.randint(1, requests)}/")),
        "transfer_job_events": timed(
            max(5, samples // 10), lambda: transfer_job_events(job_id=pick.randint(1, jobs))
        ),
        "transfer_job_page": timed(
            max(5, samples // 10), lambda: page(f"/audit/transfer-jobs/{pick.randint(1, jobs)}/")
        ),
    }
    probe_after = cpu_probe_ms()
    return {
        "benchmark": "audit_timelines",
        "rows": rows,
        "change_requests": requests,
        "jobs": jobs,
        "samples": samples,
        **result,
        "cpu_probe_ms": {"before": probe_before, "after": probe_after},
        "database_vendor": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "insert_seconds": None if insert_seconds is None else round(insert_seconds, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    main()
