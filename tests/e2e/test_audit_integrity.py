"""An auditor checks the audit log's integrity in a real browser: Verify now, a verification followed
until its result is in (htmx polling, no reload), and the chain head copied with the copy button."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

QUEUE_ONE = """
from zoomadmin_site.audit.integrity import verify_run_request
print(verify_run_request(trigger="schedule").pk)
"""
RUN_IT = """
from zoomadmin_site.audit.integrity import verify_run_execute
verify_run_execute(run_id={run_id})
"""


def test_an_auditor_verifies_now_and_copies_the_chain_head(page, dashboard, console_errors):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dashboard.url)
    login(page, dashboard, "auditor")
    page.goto(dashboard.url + "/audit/integrity/")
    expect(page.locator("h1")).to_have_text("Audit log integrity")
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator(".message-success")).to_contain_text("done: its result is below")
    expect(page.locator("#chain-result")).to_contain_text("Intact")
    expect(page.locator("#integrity dl.facts").first).to_contain_text("auditor (verify now)")

    head_hash = page.locator("#chain-head-hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", head_hash)
    copy = page.locator('button[data-copy="chain-head-hash"]')
    expect(copy).to_be_visible()  # copy.js shows it; without JavaScript it stays hidden
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == head_hash
    screenshot(page, "audit-integrity")
    assert console_errors == []


def test_a_queued_verification_is_followed_until_its_result_is_in(page, dashboard, console_errors):
    run_id = int(dashboard.manage("shell", "-c", QUEUE_ONE).split()[-1])
    login(page, dashboard, "auditor")
    page.goto(dashboard.url + "/audit/integrity/")
    expect(page.locator("#verify-running")).to_contain_text(f"Verification running: #{run_id} queued")
    expect(page.get_by_role("button", name="Verify now")).to_be_disabled()

    dashboard.manage("shell", "-c", RUN_IT.format(run_id=run_id))  # what the background worker does
    expect(page.locator("#verify-running")).to_have_count(0, timeout=15_000)  # polled, no reload
    expect(page.locator("#chain-result")).to_contain_text("Intact")
    expect(page.locator("#integrity dl.facts").first).to_contain_text("nightly schedule")
    expect(page.get_by_role("button", name="Verify now")).to_be_enabled()
    assert console_errors == []
