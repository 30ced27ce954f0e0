"""Benchmark `manage.py audit_verify`: how long the full hash-chain walk takes for N events.

    .venv/bin/python bench/bench_audit_verify.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/zdash .venv/bin/python bench/bench_audit_verify.py

Builds a throwaway database (a temporary SQLite file, or a temporary database on the PostgreSQL server
DATABASE_URL points at), migrates the audit app, bulk-inserts N precomputed, correctly chained events
(hashed by the same code as audit_record), then times `audit_verify`. Results go to
bench/results/audit_verify.json: the latest run at the top level, and the latest run per database
vendor under "by_vendor". The target is 10 seconds or less for 1M events, on SQLite and on PostgreSQL.

The machine is shared: each run times `audit_verify` --repeat times (best and median recorded) and
records a CPU probe (bench.harness.cpu_probe_ms) and the load average before and after, and the CPU
seconds of each run (this process and audit_verify's worker processes, not the database server's).
`--keep DIR` keeps the SQLite file (or, on PostgreSQL, a database named after DIR's last part) and
reuses it when it already holds the chain, so repeated runs skip the slow insert.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "audit_verify.json"
BATCH = 10_000
TARGET_SECONDS = 10.0
ACTIONS = ("role_change.execute", "host_transfer.execute", "mirror.sync", "auth.login", "webhook.rejected")
OUTCOMES = ("started", "succeeded", "failed", "unverified", "denied", "skipped")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="events to create and verify")
    parser.add_argument("--chunk-size", type=int, default=5000, help="audit_verify --chunk-size")
    parser.add_argument("--repeat", type=int, default=3, help="timed audit_verify runs")
    parser.add_argument("--keep", type=Path, default=None, help="keep and reuse the database (see above)")
    parser.add_argument("--workers", type=int, default=2, help="audit_verify --workers")
    args = parser.parse_args(argv)
    with temporary_database(args.keep) as vendor_url:
        os.environ["DATABASE_URL"] = vendor_url
        result = run(args.rows, args.chunk_size, args.repeat, args.workers)
    write_results(result)
    print(json.dumps(result, indent=2))


class temporary_database:
    """A throwaway database URL: a SQLite file in a temp dir, or a new database on DATABASE_URL's server."""

    def __init__(self, keep: Path | None = None) -> None:
        self.keep = keep

    def __enter__(self) -> str:
        self.url = os.environ.get("DATABASE_URL", "")
        if self.url.startswith(("postgres://", "postgresql://")):
            if self.keep:
                self.name = f"zdash_bench_audit_{self.keep.name}"
                import psycopg

                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    self._admin(f'CREATE DATABASE "{self.name}"')
            else:
                self.name = f"zdash_bench_audit_{os.getpid()}"
                self._admin(f'CREATE DATABASE "{self.name}"')
            return urlunsplit(urlsplit(self.url)._replace(path=f"/{self.name}"))
        if self.keep:
            self.keep.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{self.keep.resolve()}/bench.sqlite3"
        self.tmp = tempfile.mkdtemp(prefix="bench-audit-")
        return f"sqlite:///{self.tmp}/bench.sqlite3"

    def __exit__(self, *exc: object) -> None:
        from django.db import connections

        connections.close_all()
        if self.keep:
            return
        if hasattr(self, "name"):
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoomadmin_site.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_chain(rows: int) -> float | None:
    """Migrate, and insert `rows` chained events unless the database already holds exactly those (plus
    the audit.verify / audit.export events earlier runs appended). Returns the insert time, or None."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "audit", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_auditevent WHERE seq = %s", [rows])
        found = cursor.fetchone()
    if found and found[0] == last_hash_of(rows):
        return None
    if found:
        raise SystemExit("The kept database holds another chain: remove it (or pick another --keep).")
    started = time.perf_counter()
    insert_chain(rows)
    return time.perf_counter() - started


def last_hash_of(rows: int) -> str:
    last = ""
    for batch in chained_batches(rows):
        last = batch[-1]["hash"]
    return last


def cpu_seconds() -> float:
    """CPU time of this process and of its ended children (audit_verify's worker processes); the
    database server's own CPU time is not included."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def run(rows: int, chunk_size: int, repeat: int = 3, workers: int = 2) -> dict[str, Any]:
    setup_django()
    import django
    from django.core.management import call_command
    from django.db import connection

    from bench.harness import cpu_probe_ms

    insert_seconds = ensure_chain(rows)
    probe_before = cpu_probe_ms()
    times, cpu, summary = [], [], ""
    load_before = os.getloadavg()[0]
    for _ in range(max(1, repeat)):
        out = io.StringIO()
        started, cpu_started = time.perf_counter(), cpu_seconds()
        call_command("audit_verify", chunk_size=chunk_size, workers=workers, stdout=out)
        times.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
        summary = out.getvalue().strip()
        if not summary.startswith("OK: "):
            raise SystemExit(f"unexpected audit_verify result: {summary}")
    probe_after = cpu_probe_ms()
    seconds = min(times)
    return {
        "benchmark": "audit_verify",
        "rows": rows,
        "target_seconds": TARGET_SECONDS,
        "seconds": round(seconds, 3),
        "seconds_median": round(sorted(times)[len(times) // 2], 3),
        "seconds_each": [round(t, 3) for t in times],
        "rows_per_second": round(rows / seconds),
        "cpu_seconds_each": [round(c, 2) for c in cpu],
        "cpu_seconds_best": round(min(cpu), 2),
        "rows_per_cpu_second": round(rows / min(cpu)),
        "workers": workers,
        "cpu_probe_ms": {"before": probe_before, "after": probe_after},
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "database_vendor": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "chunk_size": chunk_size,
        "insert_seconds": None if insert_seconds is None else round(insert_seconds, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "result": summary[:80] + "…",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def insert_chain(rows: int, event: Callable[[int], dict[str, Any]] | None = None) -> None:
    """Bulk-insert `rows` chained events with plain INSERTs (no ORM save), then set the chain head.
    `event(seq)` makes each event's values (default: this benchmark's fake events)."""
    from django.db import connection, transaction

    from zoomadmin_site.audit.models import AuditChainHead, AuditEvent

    fields = AuditEvent._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields if f.column)
    sql = f"INSERT INTO audit_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    last_seq, last_hash = 0, ""
    for batch in chained_batches(rows, event):
        params = [[f.get_db_prep_save(values.get(f.attname), connection) for f in fields] for values in batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        last_seq, last_hash = batch[-1]["seq"], batch[-1]["hash"]
    with transaction.atomic():
        AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": last_seq, "hash": last_hash})


def chained_batches(
    rows: int, event: Callable[[int], dict[str, Any]] | None = None
) -> Iterator[list[dict[str, Any]]]:
    from zoomadmin_site.audit.chain import event_hash, json_safe

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def default(seq: int) -> dict[str, Any]:
        return fake_event(seq, start + dt.timedelta(seconds=seq * 7, microseconds=seq % 997))

    make = event or default
    prev_hash, batch = "", []
    for seq in range(1, rows + 1):
        values = make(seq)
        for name in ("before", "after", "preflight", "zoom_calls"):
            values[name] = json_safe(values[name])
        values["prev_hash"] = prev_hash
        values["hash"] = prev_hash = event_hash(values)
        batch.append(values)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def fake_event(seq: int, when: dt.datetime) -> dict[str, Any]:
    user = f"u{seq % 5000:05d}"
    calls = []
    if seq % 3 == 0:
        calls = [{"method": "PATCH", "path": f"/users/{user}", "status": 204, "zoom_code": None,
                  "zoom_message": "", "tracking_id": f"trk-{seq}"}]  # fmt: skip
    return {
        "seq": seq,
        "time": when,
        "actor_id": None,
        "actor_label": f"operator{seq % 40}",
        "action": ACTIONS[seq % len(ACTIONS)],
        "target_type": "zoom_user",
        "target_id": user,
        "target_label": f"User {user}",
        "before": {"role_id": "2", "type": 1, "email": f"{user}@example.com"},
        "after": {"role_id": "1", "type": 2, "email": f"{user}@example.com"},
        "reason": "Quarterly access review" if seq % 4 == 0 else "",
        "preflight": {"checks": [{"name": "approved", "status": "pass"}]} if seq % 5 == 0 else None,
        "zoom_calls": calls,
        "outcome": OUTCOMES[seq % len(OUTCOMES)],
        "request_id": uuid.UUID(int=seq).hex,
        "source_ip": f"10.0.{seq % 250}.{seq % 200}",
        "operation_id": uuid.UUID(int=seq // 2 + 1),
    }


def write_results(result: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    by_vendor = {**previous.get("by_vendor", {}), result["database_vendor"]: result}
    RESULTS.write_text(json.dumps({**result, "by_vendor": by_vendor}, indent=2) + "\n")


if __name__ == "__main__":
    main()
