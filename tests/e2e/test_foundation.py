"""A new operator logs in and finds their way around, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_login_page_then_dashboard_with_navigation(page, dashboard, console_errors):
    page.goto(dashboard.url + "/meetings/")
    expect(page).to_have_url(dashboard.url + "/login/?next=/meetings/")
    expect(page.locator("h1")).to_have_text("Log in to Zoom Admin")
    login(page, dashboard, "itadmin")
    nav = page.locator("nav.mainnav a")
    expect(nav).to_have_text(["Users", "Meetings", "Approvals"])  # no audit log for IT admins
    expect(page.locator(".operator")).to_contain_text("IT admin")
    expect(page.locator(".mode-badge")).to_have_text(re.compile("^sandbox$", re.IGNORECASE))
    path = screenshot(page, "dashboard-itadmin")
    assert path.stat().st_size > 10_000
    assert console_errors == []


def test_wrong_password_is_refused_with_a_message(page, dashboard):
    page.goto(dashboard.url + "/login/")
    page.fill("#id_username", "itadmin")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("correct username and password")


def test_it_admin_is_told_which_permission_the_audit_log_needs(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    response = page.goto(dashboard.url + "/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You can't open this page")
    expect(page.locator("main")).to_contain_text("View and export the audit log")
    response = page.goto(dashboard.url + "/no-such-page/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")


def test_narrow_screen_keeps_the_navigation_usable(page, dashboard, console_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, dashboard, "manager")
    expect(page.locator("nav.mainnav")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-narrow")
    assert console_errors == []


def test_logout_ends_the_session(page, dashboard):
    login(page, dashboard, "manager")
    page.click("text=Log out")
    expect(page).to_have_url(re.compile("/login/"))
    page.goto(dashboard.url + "/")
    expect(page).to_have_url(dashboard.url + "/login/?next=/")
