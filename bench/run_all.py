"""`make bench`: every benchmark at full size, JSON results in bench/results/.

Sizes can be lowered for a quick look:
    BENCH_USERS=2000 BENCH_MEETINGS=20000 BENCH_AUDIT_ROWS=100000 make bench
With DATABASE_URL pointing at a PostgreSQL server, the database benchmarks run there too.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.harness import ROOT, log


def _run(*args: str, env: dict[str, str] | None = None) -> None:
    log(" ".join(args))
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def main() -> None:
    users = os.environ.get("BENCH_USERS", "100000")
    meetings = os.environ.get("BENCH_MEETINGS", "1000000")
    rows = os.environ.get("BENCH_AUDIT_ROWS", "1000000")
    pg = os.environ.get("DATABASE_URL", "")
    sqlite_only = {"DATABASE_URL": ""}
    _run("bench/bench_audit_verify.py", "--rows", rows, env=sqlite_only)
    _run("bench/bench_audit_export.py", "--rows", rows, env=sqlite_only)
    _run("-m", "bench.search", "--users", users, "--meetings", meetings, env=sqlite_only)
    _run("-m", "bench.audit_list", "--rows", rows, env=sqlite_only)
    _run("bench/bench_audit_timelines.py", "--rows", rows, env=sqlite_only)
    if pg.startswith(("postgres://", "postgresql://")):
        _run("bench/bench_audit_verify.py", "--rows", rows)
        _run("bench/bench_audit_export.py", "--rows", rows)
        _run("-m", "bench.search", "--users", users, "--meetings", meetings, "--database-url", pg)
        _run("-m", "bench.audit_list", "--rows", rows, "--database-url", pg)
        _run("bench/bench_audit_timelines.py", "--rows", rows)
    _run("-m", "bench.sync", "--users", users, "--meetings", meetings, env=sqlite_only)
    _run("-m", "bench.role_changes", env=sqlite_only)
    _run("-m", "bench.host_transfers", env=sqlite_only)


if __name__ == "__main__":
    main()
