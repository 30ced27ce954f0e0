"""Benchmark the audit export: CSV and JSON Lines of N events (no filter), streamed from raw rows, and the
manifest pass (the same stream, hashed, not kept).

    .venv/bin/python bench/bench_audit_export.py --rows 1000000 --keep /tmp/audit-bench/sqlite1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5462/postgres .venv/bin/python bench/bench_audit_export.py ...

Uses bench_audit_verify's throwaway (or kept) database and chain. Measures rows/s (wall and CPU time),
the bytes, and Python's peak traced memory of one CSV pass (tracemalloc, on a 100k-row pass: tracing
slows the pass, so it is timed separately). CPU probe before and after. Target: 50,000 rows/s or more,
flat memory. Results: bench/results/audit_export.json (latest run, and per vendor under "by_vendor").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_audit_verify as chain_bench  # type: ignore[import-not-found]

RESULTS = chain_bench.ROOT / "bench" / "results" / "audit_export.json"
TARGET_ROWS_PER_SECOND = 50_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)
    with chain_bench.temporary_database(args.keep) as url:
        os.environ["DATABASE_URL"] = url
        result = run(args.rows, args.repeat)
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    by_vendor = {**previous.get("by_vendor", {}), result["database_vendor"]: result}
    RESULTS.write_text(json.dumps({**result, "by_vendor": by_vendor}, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _pass(fmt: str, as_of_seq: int) -> dict[str, Any]:
    from zoomadmin_site.audit.export import export_stream

    stream = export_stream(fmt=fmt, as_of_seq=as_of_seq, filters={})
    cpu, wall = time.process_time(), time.perf_counter()
    for _chunk in stream:
        pass
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "rows": stream.row_count,
        "bytes": stream.byte_count,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(stream.row_count / wall),
        "rows_per_cpu_second": round(stream.row_count / cpu),
    }


def _peak_memory(as_of_seq: int) -> float:
    from zoomadmin_site.audit.export import export_stream

    stream = export_stream(fmt="csv", as_of_seq=as_of_seq, filters={})
    tracemalloc.start()
    for _chunk in stream:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 1e6, 2)


def run(rows: int, repeat: int) -> dict[str, Any]:
    chain_bench.setup_django()
    import django
    from django.db import connection

    from bench.harness import cpu_probe_ms

    chain_bench.ensure_chain(rows)
    probe_before, load_before = cpu_probe_ms(), os.getloadavg()[0]
    passes = {fmt: [_pass(fmt, rows) for _ in range(max(1, repeat))] for fmt in ("csv", "jsonl")}
    probe_after = cpu_probe_ms()
    best = {fmt: max(runs, key=lambda r: r["rows_per_second"]) for fmt, runs in passes.items()}
    return {
        "benchmark": "audit_export",
        "rows": rows,
        "target_rows_per_second": TARGET_ROWS_PER_SECOND,
        "best": best,
        "runs": passes,
        "peak_traced_memory_mb_100k_rows_csv": _peak_memory(min(rows, 100_000)),
        "cpu_probe_ms": {"before": probe_before, "after": probe_after},
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "database_vendor": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "machine": f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} CPUs",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    main()
