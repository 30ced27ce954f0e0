"""Fixtures for the Zoom sandbox tests: a fresh state file per test, a small seed, and httpx clients
talking to the WSGI app in-process (``httpx.WSGITransport``), exactly as the Django app does."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from zoomadmin_site.sandbox import Sandbox, make_app

API = "https://api.zoom.us/v2"
OAUTH = "https://zoom.us/oauth/token"
CREDENTIALS = ("sandbox-client", "sandbox-secret")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday; the frozen simulated clock of seeded tests


def get_token(app, **params: str) -> httpx.Response:
    query = {"grant_type": "account_credentials", "account_id": "sandbox", **params}
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
        return client.post(OAUTH, params=query, auth=CREDENTIALS)


class RefreshingToken(httpx.Auth):
    """Bearer auth that fetches a new token once after a 401 (expired token after the clock moved)."""

    def __init__(self, app) -> None:
        self.app = app
        self.token = get_token(app).json()["access_token"]

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.token = get_token(self.app).json()["access_token"]
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


def api_client(app, token: str | None = None) -> httpx.Client:
    """A client with a fixed ``token``, or (token=None) one that refreshes its token on 401."""
    if token is None:
        return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=API, auth=RefreshingToken(app))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=API)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "s.sqlite3"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seed, small (40 users, 200 meetings), made once with the clock frozen at NOW; each
    ``seeded`` test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"
    box = Sandbox(path)
    box.set_clock(NOW)
    box.seed_demo(users=40, meetings=200, seed=7)
    box.set_rate_limits(False)
    del box
    gc.collect()  # close the pooled connections before folding the WAL into the file
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sandbox(state_path: Path, request: pytest.FixtureRequest) -> Sandbox:
    """An empty account (owner + API user), or the seeded one when the test also asks for ``seeded``.
    Label rate limits are off unless a test turns them on."""
    if "seeded" in request.fixturenames:
        shutil.copyfile(request.getfixturevalue("seeded_template"), state_path)
    box = Sandbox(state_path)
    box.set_rate_limits(False)
    return box


@pytest.fixture
def seeded(sandbox: Sandbox) -> Sandbox:
    """The demo seed (a copy of ``seeded_template``), clock frozen at NOW."""
    return sandbox


@pytest.fixture
def app(sandbox: Sandbox):
    return make_app(sandbox.state_path)


@pytest.fixture
def zoom(app) -> Iterator[httpx.Client]:
    """An httpx client with a valid bearer token (renewed on 401), base URL https://api.zoom.us/v2."""
    with api_client(app) as client:
        yield client
