"""The served mode: ``manage.py zoom_sandbox serve`` on a port, reached with real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from zoomadmin_site.sandbox import Sandbox, make_app, make_threaded_server

from .receiver import SECRET, Receiver

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stdout.read() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("serve did not start listening")


@pytest.fixture
def serve(tmp_path):
    """Start ``manage.py zoom_sandbox serve`` in a subprocess with extra arguments and environment;
    returns (base URL, state path). Every process started is stopped by its pid."""
    processes: list[subprocess.Popen] = []

    def start(*arguments: str, env: dict[str, str] | None = None) -> tuple[str, Path]:
        state, port = tmp_path / f"served-{len(processes)}.sqlite3", _free_port()
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "manage.py", "zoom_sandbox", "serve", "--port", str(port)]
        command += ["--state", str(state), *arguments]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**environment, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        _wait_for(port, process)
        return f"http://127.0.0.1:{port}", state

    yield start
    for process in processes:
        process.terminate()
        process.wait(10)


@pytest.fixture
def served(serve):
    """``manage.py zoom_sandbox serve`` with its defaults; yields (base URL, state path)."""
    return serve()


def _token(base: str, account_id: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{base}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": account_id},
        auth=(client_id, secret),
    )


def test_served_sandbox_answers_real_http(served):
    base, state = served
    Sandbox(state).seed_demo(users=30, meetings=60)
    token = httpx.post(
        f"{base}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": "sandbox"},
        auth=("sandbox-client", "sandbox-secret"),
    ).json()["access_token"]
    with httpx.Client(base_url=f"{base}/v2", headers={"Authorization": f"Bearer {token}"}) as client:
        me = client.get("/users/me")
        assert me.status_code == 200 and me.json()["email"] == "zoom-api@example.com"
        assert me.headers["x-zm-trackingid"]
        assert client.get("/v2/users/me").json()["code"] == 2300
        Sandbox(state).set_timeout_mode("sleep", sleep_s=1.0)
        Sandbox(state).fail_next("GET", "/users/me", kind="timeout")
        with pytest.raises(httpx.ReadTimeout):
            client.get("/users/me", timeout=0.3)
    assert [c.status for c in Sandbox(state).calls(path="/v2/users/me")] == [200, 0]


def test_threaded_server_serves_concurrent_clients(tmp_path):
    state = tmp_path / "threads.sqlite3"
    Sandbox(state).set_rate_limits(False)
    server = make_threaded_server(make_app(state), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        token = httpx.post(
            f"{base}/oauth/token?grant_type=account_credentials&account_id=sandbox",
            auth=("sandbox-client", "sandbox-secret"),
        ).json()["access_token"]
        statuses: list[int] = []

        def worker() -> None:
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
                statuses.extend(client.get(f"{base}/v2/users/me").status_code for _ in range(10))

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert statuses == [200] * 60
        assert len(Sandbox(state).calls(path="/v2/users/me")) == 60
    finally:
        server.shutdown()
        server.server_close()


def test_serve_keeps_the_sandbox_credentials_when_real_zoom_credentials_are_configured(serve):
    real = {"ZOOM_ACCOUNT_ID": "real-acct", "ZOOM_CLIENT_ID": "real-id", "ZOOM_CLIENT_SECRET": "real-secret"}
    base, state = serve(env=real)
    assert _token(base, "real-acct", "real-id", "real-secret").status_code == 400
    assert _token(base, "sandbox", "sandbox-client", "sandbox-secret").status_code == 200
    assert Sandbox(state).account_id == "sandbox"


def test_serve_delivers_webhooks_in_the_background_after_validating_the_url(serve):
    receiver = Receiver()
    hooks = make_threaded_server(receiver, "127.0.0.1", 0)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        _base, state = serve("--webhooks-every", "0.2")
        sandbox = Sandbox(state)
        sandbox.set_webhook(f"http://127.0.0.1:{hooks.server_port}/zoom/webhooks/", SECRET)
        sandbox.create_user("hooked@example.com", first_name="Hoo", last_name="Ked")
        # The receiver hears the event before the serving process marks it delivered: wait for both.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            "user.created" in receiver.events and sandbox.outbox("delivered")
        ):
            time.sleep(0.05)
    finally:
        hooks.shutdown()
        hooks.server_close()
    assert receiver.events == ["endpoint.url_validation", "user.created"]
    assert [row["event"] for row in sandbox.outbox("delivered")] == ["user.created"]
