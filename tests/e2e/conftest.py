"""Browser tests drive headless Chromium (Debian's package, through Playwright) against the dashboard
served the way `make run` serves it: migrated database, seeded sandbox, demo operators, collected static
files, gunicorn with DEBUG off. One server for the whole session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "e2e-demo-password"


@dataclass
class Dashboard:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp: Path) -> tuple[str, str | None]:
    """SQLite in the temp dir, or a fresh database beside the suite's PostgreSQL one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}", None
    import psycopg

    name = f"zoomadmin_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, admin_url


def _drop_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory) -> Iterator[Dashboard]:
    tmp = tmp_path_factory.mktemp("e2e")
    database_url, admin_url = _database_url(tmp)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS_MODULE", "ZOOM"))},
        "DJANGO_SETTINGS_MODULE": "zoomadmin_site.settings",
        "SECRET_KEY": "e2e-only-" + uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "ZOOM_MODE": "sandbox",
        "ZOOM_SANDBOX_STATE": str(tmp / "sandbox.sqlite3"),
        "ZOOMADMIN_DEMO_PASSWORD": DEMO_PASSWORD,
        "STATIC_ROOT": str(tmp / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "ZOOM_RATE_LIMIT_PER_SECOND": "1000",
        "ZOOM_WEBHOOK_SECRET_TOKEN": "e2e-webhook-secret",
    }
    dash = Dashboard(url=f"http://127.0.0.1:{port}", env=env)
    dash.manage("migrate", "--no-input", "-v0")
    dash.manage("createcachetable")
    dash.manage("collectstatic", "--no-input", "-v0")
    dash.manage("zoom_sandbox", "seed", "--users", "60", "--meetings", "400")
    dash.manage("zoom_sandbox", "faults", "--rate-limits", "off")
    dash.manage("demo_operators")
    dash.manage("zoom_sync")
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "zoomadmin_site.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(dash.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("dashboard did not start:\n" + (tmp / "server.log").read_text())
            time.sleep(0.2)
        yield dash
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        if admin_url:
            _drop_database(admin_url, database_url)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def console_errors(page) -> list[str]:
    """Collects console errors and page errors (CSP violations show up here)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def login(page, dashboard: Dashboard, username: str) -> None:
    page.goto(dashboard.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(dashboard.url + "/")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
