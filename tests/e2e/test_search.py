"""A new IT admin finds people and meetings in the mirror, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_typing_part_of_a_name_shows_matching_users_and_the_url_follows(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.click("nav.mainnav >> text=Users")
    expect(page).to_have_url(dashboard.url + "/users/")
    total = page.locator(".result-meta").inner_text()
    page.fill("#user-q", "marc")  # Marcus Okafor, the seed's new host
    expect(page.locator(".result-meta")).to_contain_text("marc")
    expect(page.locator("#user-results").get_by_role("link", name="Marcus Okafor")).to_be_visible()
    expect(page.locator(".result-meta")).not_to_have_text(total)
    expect(page).to_have_url(re.compile(r"/users/\?q=marc"))  # bookmarkable
    screenshot(page, "users-search-marc")
    page.reload()
    expect(page.locator("#user-q")).to_have_value("marc")
    assert console_errors == []


def test_a_user_page_says_who_can_schedule_for_whom_and_lists_their_meetings(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/?q=okafor")
    page.locator("#user-results").get_by_role("link", name="Marcus Okafor").click()
    page.wait_for_url(re.compile(r"/users/[^/?]+/$"))
    delegations = page.locator("section.delegations")
    expect(delegations).to_contain_text("Elena Novak can schedule meetings for Marcus Okafor")
    expect(page.locator("main")).to_contain_text("Upcoming meetings hosted")
    screenshot(page, "user-detail")
    assert console_errors == []


def test_finding_a_meeting_by_a_word_of_its_topic(page, dashboard, console_errors):
    login(page, dashboard, "auditor")
    page.click("nav.mainnav >> text=Meetings")
    page.fill("#meeting-q", "pipeline")
    expect(page.locator(".result-meta")).to_contain_text("pipeline")
    results = page.locator("#meeting-results")
    expect(results.get_by_text("Q3 Pipeline Review - West Region")).to_be_visible()
    results.get_by_role("link", name="Q3 Pipeline Review - West Region").click()
    page.wait_for_url(re.compile(r"/meetings/85010000001/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Dana Whitfield")
    expect(main).to_contain_text("Scheduler of record")
    screenshot(page, "meeting-detail")
    assert console_errors == []


def test_hostile_input_is_shown_as_text(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/")
    page.fill("#user-q", '<script>alert(1)</script> "NEAR(" -- ;')
    expect(page.locator(".result-meta")).to_contain_text("NEAR")
    expect(page.locator(".result-meta")).to_contain_text("<script>alert(1)</script>")
    assert console_errors == []


def test_refreshing_one_row_from_zoom_swaps_just_that_row(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/?q=okafor")
    row = page.locator("#user-results tbody tr", has_text="Marcus Okafor")
    row.get_by_role("button", name=re.compile("Refresh Marcus Okafor")).click()
    expect(page.get_by_role("status")).to_contain_text("Refreshed from Zoom")
    expect(page).to_have_url(re.compile(r"/users/\?q=okafor$"))  # still on the same search
    expect(row.get_by_role("link", name="Marcus Okafor")).to_be_visible()
    screenshot(page, "users-row-refreshed")
    assert console_errors == []


def test_a_meeting_read_from_a_list_says_what_is_not_known_until_refreshed(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/meetings/?q=pipeline")
    page.locator("#meeting-results").get_by_role("link", name="Q3 Pipeline Review - West Region").click()
    page.wait_for_url(re.compile(r"/meetings/85010000001/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Not known yet")
    main.get_by_role("button", name=re.compile("Refresh from Zoom")).first.click()
    expect(page.locator(".messages")).to_contain_text("Refreshed from Zoom")
    expect(main).not_to_contain_text("Not known yet")
    screenshot(page, "meeting-detail-refreshed")
    assert console_errors == []


@pytest.mark.parametrize("path", ["/users/?q=a", "/meetings/?q=review", "/audit/", "/mirror/"])
def test_narrow_screens_scroll_tables_not_the_page(page, dashboard, console_errors, path):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, dashboard, "itadmin" if path != "/audit/" else "auditor")
    page.goto(dashboard.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert console_errors == []


def test_a_pending_user_whose_email_has_a_slash_is_found_and_opened(page, dashboard, console_errors):
    """Zoom accepts such emails; a pending user's page is keyed by theirs (escaped twice, see
    accounts/zoom_keys.py), which the real server must hand back intact."""
    dashboard.manage(
        "shell",
        "-c",
        "from django.utils import timezone; from accounts.models import ZoomUser; "
        "ZoomUser.objects.create(zoom_id=None, email='field/sales+pat@example.com', first_name='Pat', "
        "last_name='Slash', display_name='Pat Slash', status='pending', synced_at=timezone.now())",
    )
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/?q=slash")
    page.locator("#user-results").get_by_role("link", name="Pat Slash").click()
    page.wait_for_url(re.compile(r"/users/field%252Fsales\+pat@example\.com/$"))
    expect(page.locator("main")).to_contain_text("field/sales+pat@example.com")
    assert console_errors == []
