"""Shared pieces of the benchmarks: a throwaway deployment (database, sandbox, static files) driven
through manage.py exactly as `make run` drives it, gunicorn with an access log of server-side times, and
wrk as the load generator (loopback only, bounded in time)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WRK_SCRIPT = ROOT / "bench" / "wrk_paths.lua"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 - throwaway operators on loopback
# Our pages are measured as an IT admin sees them (the role's permission checks included); Django admin
# is for superusers only.
BENCH_OPERATOR = "bench-operator"
BENCH_SUPERUSER = "bench"
OPERATORS = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from zoomadmin_site.roles import IT_ADMIN
User = get_user_model()
User.objects.filter(username="{BENCH_SUPERUSER}").exists() or User.objects.create_superuser(
    "{BENCH_SUPERUSER}", "", "{BENCH_PASSWORD}"
)
operator = User.objects.filter(username="{BENCH_OPERATOR}").first() or User.objects.create_user(
    "{BENCH_OPERATOR}", "", "{BENCH_PASSWORD}"
)
operator.groups.set([Group.objects.get(name=IT_ADMIN)])
"""
ACCESS_LOG_FORMAT = "%(U)s?%(q)s %(s)s %(D)s"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Deployment:
    """A temporary Zoom Admin with its own database and sandbox state."""

    workdir: Path
    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    _pg_admin_url: str | None = None

    @classmethod
    def create(
        cls, *, database_url: str | None = None, keep: Path | None = None, reuse: bool = False
    ) -> Deployment:
        workdir = keep or Path(tempfile.mkdtemp(prefix="zoomadmin-bench-"))
        workdir.mkdir(parents=True, exist_ok=True)
        admin_url = None
        is_pg = bool(database_url and database_url.startswith(("postgres://", "postgresql://")))
        if database_url and is_pg and reuse:
            admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        elif database_url and is_pg:
            database_url, admin_url = _fresh_pg_database(database_url)
        url = database_url or f"sqlite:///{workdir / 'zoomadmin.sqlite3'}"
        dep = cls(workdir=workdir, database_url=url, _pg_admin_url=admin_url)
        dep.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ZOOM", "DJANGO_SETTINGS"))},
            "DJANGO_SETTINGS_MODULE": "zoomadmin_site.settings",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "DATABASE_URL": url,
            "ZOOM_MODE": "sandbox",
            "ZOOM_SANDBOX_STATE": str(workdir / "zoom-sandbox.sqlite3"),
            "STATIC_ROOT": str(workdir / "static"),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        }
        return dep

    @property
    def vendor(self) -> str:
        return "postgresql" if self._pg_admin_url else "sqlite"

    def manage(self, *args: str, env: dict[str, str] | None = None, quiet: bool = True) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=quiet,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout or ""

    def setup(self) -> None:
        self.manage("migrate", "--no-input", "-v0")
        self.manage("createcachetable")
        self.manage("collectstatic", "--no-input", "-v0")
        self.manage("shell", "-c", OPERATORS)

    def cleanup(self) -> None:
        if self._pg_admin_url:
            _drop_pg_database(self._pg_admin_url, self.database_url)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _fresh_pg_database(url: str) -> tuple[str, str]:
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = f"zoomadmin_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", base + "/postgres"


def _drop_pg_database(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


class Server:
    """gunicorn serving the deployment, logging each request's server-side time (microseconds)."""

    def __init__(self, deployment: Deployment, *, workers: int = 2) -> None:
        self.deployment = deployment
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = deployment.workdir / "access.log"
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "zoomadmin_site.wsgi:application",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=self.deployment.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def session_cookie(self, username: str) -> str:
        with httpx.Client(base_url=self.url) as client:
            page = client.get("/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token, "no CSRF token on the login page"
            response = client.post(
                "/login/",
                data={"username": username, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token[1]},
            )
            assert response.status_code == 302, f"login failed: {response.status_code}"
            return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    def reset_log(self) -> None:
        self.access_log.write_text("")

    def wait_idle(self, *, quiet: float = 1.0, timeout: float = 120.0) -> None:
        """Until no request has finished for `quiet` seconds (each finished request adds a log line)."""
        deadline = time.monotonic() + timeout
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now_size = self.access_log.stat().st_size if self.access_log.exists() else 0
            if now_size != size:
                size, since = now_size, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.1)

    def last_answer_at(self) -> float:
        """When the last request finished (the access log's last write), as time.time()."""
        return self.access_log.stat().st_mtime

    def answers(self, paths: list[str] | None = None) -> list[tuple[str, str, float]]:
        """(url, status, server-side ms) of each request finished since the last reset, to `paths` only
        if given (the previous target's stragglers are not this one's)."""
        wanted = set(paths) if paths else None
        return [line for line in self._log_lines() if wanted is None or line[0] in wanted]

    def _log_lines(self) -> list[tuple[str, str, float]]:
        lines = []
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                lines.append((parts[0].removesuffix("?"), parts[1], int(parts[2]) / 1000))
        return lines


def wrk(
    url: str, paths: list[str], *, cookie: str, seconds: int, connections: int = 10, htmx: bool = False
) -> None:
    """Run wrk over `paths` (round-robin) with a logged-in session. What it measures is read from the
    server's access log (Server.answers), which also sees the requests still running when wrk stops."""
    paths_file = Path(tempfile.mkstemp(prefix="wrk-paths-")[1])
    paths_file.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "WRK_PATHS": str(paths_file), "WRK_COOKIE": cookie, "WRK_HTMX": "1" if htmx else ""}
    subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "60s",
            "-s",
            str(WRK_SCRIPT),
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    paths_file.unlink()


def summarize(answers: list[tuple[str, str, float]], count: int = 8) -> dict[str, Any]:
    """Percentiles of the 200 answers, how many others there were, and the URLs with the slowest median
    answer (to see what a p95 is made of)."""
    by_url: dict[str, list[float]] = {}
    for url, status, ms in answers:
        if status == "200":
            by_url.setdefault(url, []).append(ms)
    times = [ms for values in by_url.values() for ms in values]
    medians = sorted(((statistics.median(v), url, len(v)) for url, v in by_url.items()), reverse=True)
    return {
        **percentiles(times),
        "non_200": len(answers) - len(times),
        "slowest": [{"url": url, "median_ms": round(m, 1), "requests": n} for m, url, n in medians[:count]],
    }


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "p99_ms": round(q[98], 2),
        "max_ms": round(ordered[-1], 2),
    }


def cpu_probe_ms(clock: Callable[[], float] = time.perf_counter) -> float:
    """A fixed pure-Python workload (hashing and arithmetic), best of three: how fast this machine is
    right now. Shared machines vary by a third from hour to hour; results only compare at similar probes.
    `clock=time.process_time` counts this process's CPU time only (waiting for a core left out)."""
    best = float("inf")
    for _ in range(3):
        started = clock()
        block = b"z" * 1000
        for _ in range(100_000):
            hashlib.sha256(block).digest()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, clock() - started)
    return round(best * 1000, 1)


def environment() -> dict[str, Any]:
    import django

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "cpu_probe_ms": cpu_probe_ms(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    log(f"wrote {path.relative_to(ROOT)}")
    return path


def run_parts(
    benchmark: str,
    *,
    database_url: str | None,
    keep: bool,
    parts: dict[str, Callable[[Deployment], dict[str, Any]]],
) -> dict[str, Any]:
    """A fresh deployment, each part measured on it in turn (its result under its name), CPU probes
    before and after, the environment; the deployment removed unless `keep`."""
    dep = Deployment.create(database_url=database_url)
    results: dict[str, Any] = {"benchmark": benchmark, "cpu_probe_ms_before": cpu_probe_ms()}
    try:
        dep.setup()
        results["database"] = dep.vendor
        for name, measure in parts.items():
            results[name] = measure(dep)
    finally:
        if not keep:
            dep.cleanup()
    results["cpu_probe_ms_after"] = cpu_probe_ms()
    results["environment"] = environment()
    return results


def latency_ratio(one_call_ms: list[float], measured_ms: list[float], *, target: float) -> dict[str, Any]:
    """How a multi-call operation's time compares with one Zoom call's (p50 of one call as the unit)."""
    one, measured = percentiles(one_call_ms), percentiles(measured_ms)
    return {
        "one_call_ms": one,
        "measured_ms": measured,
        "ratio_p50": round(measured["p50_ms"] / one["p50_ms"], 2),
        "ratio_p95": round(measured["p95_ms"] / one["p50_ms"], 2),
        "target_ratio": target,
        "ok": measured["p95_ms"] <= target * one["p50_ms"],
    }
