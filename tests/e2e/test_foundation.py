"""A new operator logs in and finds their way around, in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_login_page_then_dashboard_with_navigation(page, dashboard, console_errors):
    page.goto(dashboard.url + "/meetings/")
    assert page.url.startswith(dashboard.url + "/login/?next=/meetings/")
    assert page.locator("h1").inner_text() == "Log in to Zoom Admin"
    login(page, dashboard, "itadmin")
    nav = page.locator("nav.mainnav a")
    assert nav.all_inner_texts() == ["Users", "Meetings", "Approvals"]  # no audit log for IT admins
    assert "IT admin" in page.locator(".operator").inner_text()
    assert page.locator(".mode-badge").inner_text().lower() == "sandbox"
    path = screenshot(page, "dashboard-itadmin")
    assert path.stat().st_size > 10_000
    assert console_errors == []


def test_wrong_password_is_refused_with_a_message(page, dashboard):
    page.goto(dashboard.url + "/login/")
    page.fill("#id_username", "itadmin")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "correct username and password" in page.locator("[role=alert]").inner_text()


def test_it_admin_is_told_which_permission_the_audit_log_needs(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    response = page.goto(dashboard.url + "/audit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You can't open this page"
    assert "View and export the audit log" in page.locator("main").inner_text()
    response = page.goto(dashboard.url + "/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"


def test_narrow_screen_keeps_the_navigation_usable(page, dashboard, console_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, dashboard, "manager")
    assert page.locator("nav.mainnav").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-narrow")
    assert console_errors == []


def test_logout_ends_the_session(page, dashboard):
    login(page, dashboard, "manager")
    page.click("text=Log out")
    page.goto(dashboard.url + "/")
    assert "/login/" in page.url
