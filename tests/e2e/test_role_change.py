"""An IT admin asks for a promotion, a manager approves it, Zoom changes, the audit log tells it all: in
a real browser, against the served dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e
REASON = "Runs the webinar team from next week"
COMMENT = "Agreed with her manager"


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_promotion_requested_approved_applied_and_audited(page, dashboard, console_errors):
    # The IT admin opens Priya's page and asks for Admin, in place.
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/?q=priya")
    page.locator("#user-results").get_by_role("link", name="Priya Raman").click()
    page.wait_for_url(re.compile(r"/users/[^/?]+/$"))
    user_url = page.url
    expect(page.locator(".page-head .lead")).to_contain_text("Member")
    page.get_by_role("link", name="Change role").click()
    form = page.locator("#role-change form")
    expect(form).to_be_visible()
    expect(page).to_have_url(user_url)  # in place: still the user's page
    screenshot(page, "role-change-form")
    form.get_by_label("New role").select_option(label="Admin")
    form.get_by_label("Reason").fill(REASON)
    form.get_by_role("button", name="Check").click()
    plan = page.locator("#role-change .plan-box")
    expect(plan).to_contain_text("every check passed")
    expect(plan).to_contain_text("POST /roles/1/members")
    expect(plan).to_contain_text("a manager approves it")
    expect(form.get_by_label("Reason")).to_have_value(REASON)  # the input is kept
    screenshot(page, "role-change-checked")
    page.get_by_role("button", name="Request change").click()
    expect(page.locator("#role-change")).to_contain_text("waits for a manager's approval")
    expect(page.locator("#role-requests")).to_contain_text("Waiting for approval")  # updated too
    screenshot(page, "role-change-requested")
    log_out(page)

    # A manager sees the count, opens the request, reads the live check and approves.
    login(page, dashboard, "manager")
    approvals = page.locator("nav.mainnav").get_by_role("link", name=re.compile("Approvals"))
    expect(approvals.locator(".nav-count")).to_have_text(re.compile(r"\d+"))
    approvals.click()
    row = page.locator("table.approvals tbody tr", has_text="priya.raman@example.com")
    expect(row).to_contain_text(REASON)
    screenshot(page, "approvals-list")
    row.get_by_role("link", name="Review").click()
    page.wait_for_url(re.compile(r"/approvals/\d+/$"))
    expect(page.locator("#live-preflight")).to_contain_text("Zoom is as it was")  # loaded after the page
    screenshot(page, "approval-detail")
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Your approval is recorded")
    expect(page.locator(".page-head .lead")).to_contain_text("Done, verified in Zoom")
    screenshot(page, "approval-done")
    # Gone from the waiting list, it is on the decided one: who approved, and that Zoom applied it.
    page.locator("nav.mainnav").get_by_role("link", name=re.compile("Approvals")).click()
    page.locator("nav.tabs").get_by_role("link", name="Decided").click()
    decided = page.locator("table.approvals-decided tbody tr", has_text="priya.raman@example.com")
    expect(decided).to_contain_text(COMMENT)
    expect(decided).to_contain_text("Done, verified in Zoom")
    page.goto(user_url)
    expect(page.locator(".page-head .lead")).to_contain_text("Admin")
    log_out(page)

    # The auditor finds the whole story in the audit log.
    login(page, dashboard, "auditor")
    page.goto(dashboard.url + "/audit/?action=role_change")
    events = page.locator("main table")
    for action in [
        "role_change.request",
        "role_change.approve",
        "role_change.execute",
        "role_change.read_back",
    ]:
        expect(events).to_contain_text(action)
    screenshot(page, "audit-role-change")
    assert console_errors == [], console_errors
