"""``manage.py zoom_sandbox``: seed, faults, calls, webhook, deliver-webhooks, serve, reset, scenarios."""

from __future__ import annotations

import json
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zoomadmin_site.management.commands.zoom_sandbox import serve_app
from zoomadmin_site.sandbox import Sandbox, make_app

from .conftest import api_client


def _run(*args: str) -> str:
    out = StringIO()
    call_command("zoom_sandbox", *args, stdout=out)
    return out.getvalue()


def test_seed_then_refuse_to_seed_again_without_reset(tmp_path):
    state = str(tmp_path / "cmd.sqlite3")
    assert "Seeded 30 users, 90 meetings" in _run(
        "seed", "--state", state, "--users", "30", "--meetings", "90"
    )
    with pytest.raises(CommandError):
        _run("seed", "--state", state, "--users", "30", "--meetings", "90")
    assert "Seeded 20 users" in _run("seed", "--state", state, "--users", "20", "--meetings", "20", "--reset")


def test_faults_set_and_show(tmp_path):
    state = str(tmp_path / "cmd.sqlite3")
    out = _run(
        "faults",
        "--state",
        state,
        "--latency-ms",
        "250",
        "--rate-5xx",
        "0.1",
        "--fail-next",
        "PATCH /meetings/*",
        "--count",
        "2",
        "--status",
        "400",
        "--code",
        "3000",
        "--drop-next-write",
        "POST /roles/*/members",
        "--plan",
        "free",
        "--scopes",
        "user:read:admin",
        "--clock",
        "2026-01-05T10:00:00Z",
        "--advance",
        "60",
        "--legacy-tokens",
        "on",
        "--rate-limits",
        "off",
    )
    assert out.startswith("Updated:")
    knobs = Sandbox(state).knobs()
    assert knobs["latency_ms"] == 250 and knobs["rate_5xx"] == 0.1 and knobs["plan"] == "free"
    assert knobs["fail_next"][0]["method"] == "PATCH" and knobs["fail_next"][0]["count"] == 2
    assert knobs["drop_next_write"][0]["path"] == "/roles/*/members"
    assert knobs["scopes"] == ["user:read:admin"] and knobs["legacy_tokens"] is True
    assert Sandbox(state).now().isoformat() == "2026-01-05T10:01:00+00:00"
    shown = json.loads(_run("faults", "--state", state))
    assert shown["rate_limits"] is False
    _run("faults", "--state", state, "--clear", "--default-scopes", "--real-clock")
    assert Sandbox(state).knobs()["fail_next"] == []


def test_calls_webhook_scenarios_and_reset(tmp_path):
    state = str(tmp_path / "cmd.sqlite3")
    sandbox = Sandbox(state)
    with api_client(make_app(state)) as client:
        client.patch("/users/me", json={"dept": "Ops"})
    assert "204 PATCH /v2/users/me" in _run("calls", "--state", state, "--writes")
    assert _run(
        "webhook", "--state", state, "--url", "http://127.0.0.1:1/hook", "--secret-token", "x"
    ).startswith("Webhook events go to")
    assert sandbox.knob("webhook")["url"] == "http://127.0.0.1:1/hook"
    assert "transfer_blocked" in json.loads(_run("scenarios", "--state", state))
    _run("reset", "--state", state)
    assert sandbox.calls() == []


def test_deliver_webhooks_holds_events_while_the_url_does_not_validate(tmp_path):
    state = str(tmp_path / "cmd.sqlite3")
    _run("webhook", "--state", state, "--url", "http://127.0.0.1:1/hook", "--secret-token", "x")
    sandbox = Sandbox(state)
    sandbox.create_user("queued@example.com")
    out = _run("deliver-webhooks", "--state", state)
    assert out.startswith("Webhook URL validation: FAILED (ConnectError")
    assert "1 event(s) held until the URL validates" in out
    assert [e["status"] for e in sandbox.outbox()] == ["pending"]


def test_serve_flags_override_the_credentials_without_renaming_the_account(tmp_path):
    state = str(tmp_path / "cmd.sqlite3")
    make_app(state)  # the in-process app created the state: account "sandbox"
    options = {"state": state, "account_id": "acme", "client_id": "acme-client", "client_secret": "acme-s"}
    served = serve_app(options)
    with httpx.Client(transport=httpx.WSGITransport(app=served)) as client:
        token = client.post(
            "https://zoom.us/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "acme"},
            auth=("acme-client", "acme-s"),
        )
    assert token.status_code == 200
    assert Sandbox(state).account_id == "sandbox"
    make_app(state)  # and the in-process app opens it again
    assert Sandbox(state).account_id == "sandbox"
