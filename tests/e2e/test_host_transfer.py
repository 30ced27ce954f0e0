"""Host transfers in a real browser against the served dashboard: one meeting moved after its predicted
3000 is fixed by the one-click remedy, then a departing host's meetings moved by an offboarding job."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import conftest
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e
DANA, MARCUS, ELENA = "dana.whitfield@example.com", "marcus.okafor@example.com", "elena.novak@example.com"
BLOCKED, ALTERNATIVES = 85010000001, 85010000009  # created under Dana; alternative hosts Marcus and Elena
REASON = "Dana leaves the company on Friday"
# Puts the West Region review back with Dana (its scheduler of record, so no grant is needed), in case
# the single-meeting test moved it: the offboarding test then finds the fix it needs.
GIVE_BACK = f"""
from django.contrib.auth import get_user_model
from meetings.host_transfers import host_transfer_execute
from zoomadmin_site.changes.services import ChangeRefused
try:
    host_transfer_execute(meeting_id="{BLOCKED}", new_host="{DANA}", reason="e2e: back to Dana",
                          actor=get_user_model().objects.get(username="itadmin"))
except ChangeRefused:
    pass
"""


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """A served dashboard of this module's own: these tests move meetings and add scheduling assistants in
    Zoom, which the other browser tests (which read the same scenario meetings) must not see."""
    yield from conftest.dashboard.__wrapped__(tmp_path_factory)


def pick_host(page, picker, text: str, name: str, shot: str = "") -> None:
    """Type in a host picker and choose with the keyboard: Tab down the list of matches, Enter."""
    box = picker.get_by_role("searchbox")
    box.fill(text)
    option = picker.get_by_role("button", name=re.compile(name))
    expect(option).to_be_visible()
    if shot:
        screenshot(page, shot)
    names = picker.locator(".picker-option strong").all_inner_texts()
    for _ in range(names.index(name) + 1):
        page.keyboard.press("Tab")
    expect(option).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker.locator(".picker-picked")).to_contain_text(name)


def test_a_single_transfer_fixed_by_the_remedy(page, dashboard, console_errors):
    login(page, dashboard, "itadmin")
    page.goto(f"{dashboard.url}/meetings/{BLOCKED}/")
    expect(page.locator("h1")).to_have_text("Q3 Pipeline Review - West Region")
    meeting_url = page.url
    page.get_by_role("link", name="Transfer host").click()
    panel = page.locator("#host-transfer")
    expect(panel.locator("form")).to_be_visible()
    expect(page).to_have_url(meeting_url)  # in place
    pick_host(page, panel.locator("#picker-new_host"), "mar", "Marcus Okafor", shot="host-transfer-search")
    expect(panel.get_by_label("New host")).to_have_value(MARCUS)
    screenshot(page, "host-transfer-form")

    panel.get_by_label("Reason").fill(REASON)
    panel.get_by_role("button", name="Check", exact=True).click()
    plan = panel.locator(".plan-box")
    expect(plan).to_contain_text("cannot be moved yet")
    expect(plan).to_contain_text("code 3000")
    expect(plan).to_contain_text("Dry run: the exact Zoom calls a transfer makes (none made yet)")
    expect(plan).to_contain_text(f"PATCH /meetings/{BLOCKED}")
    expect(panel.get_by_role("button", name="Transfer", exact=True)).to_have_count(0)
    screenshot(page, "host-transfer-predicted-3000")

    plan.get_by_role("button", name=f"Add {DANA} as a scheduling assistant of {MARCUS}").click()
    expect(panel).to_contain_text(f"{DANA} may now schedule for {MARCUS}")
    expect(panel.locator(".plan-box h3").first).to_contain_text("passed")
    expect(panel.get_by_label("Reason")).to_have_value(REASON)  # the input is kept
    panel.get_by_label(re.compile("Remove the assistant grant I just added")).check()
    screenshot(page, "host-transfer-remedied")

    panel.get_by_role("button", name="Transfer", exact=True).click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text(f"Moved: Zoom shows {MARCUS} as the host")
    expect(messages).to_contain_text("the meeting id and join link are unchanged")
    expect(messages).to_contain_text(f"The grant is taken back: {DANA} may no longer schedule for {MARCUS}")
    expect(page).to_have_url(meeting_url)
    expect(page.locator(".page-head .lead")).to_contain_text(f"Meeting {BLOCKED}")
    host = page.locator("dl.facts dt", has_text=re.compile(r"^Host$")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(host).to_contain_text("Marcus Okafor")
    screenshot(page, "host-transfer-done")
    assert console_errors == [], console_errors


def test_an_offboarding_plan_run_to_the_end(page, dashboard, console_errors):
    dashboard.manage("shell", "-c", GIVE_BACK)
    login(page, dashboard, "itadmin")
    page.goto(f"{dashboard.url}/users/?q=dana")
    page.locator("#user-results").get_by_role("link", name="Dana Whitfield").click()
    expect(page.get_by_role("link", name="Transfer all meetings")).to_be_visible()
    screenshot(page, "user-page-transfer-all")
    page.get_by_role("link", name="Transfer all meetings").click()
    expect(page.locator("h1")).to_have_text("Transfer all meetings of Dana Whitfield")
    pick_host(page, page.locator("#picker-new_host"), "marcus", "Marcus Okafor")
    page.get_by_role("button", name="Make the plan").click()

    matrix = page.locator("table.matrix")
    row = matrix.locator("tr", has_text="Q3 Pipeline Review - West Region")
    expect(row).to_contain_text("Needs attention")
    cell = row.locator(".mx-fail").first
    cell.focus()
    expect(row.locator(".mx-tip:visible")).to_contain_text("code 3000")  # the reason, on focus
    screenshot(page, "offboarding-plan")

    board = matrix.locator("tr", has_text="Board Prep - Finance")
    pick_host(page, board.locator(".host-picker"), "elena", "Elena Novak")
    page.get_by_role("button", name="Make the plan again with these new hosts").click()
    expect(page).to_have_url(re.compile(f"override_{ALTERNATIVES}=elena"))
    fixes = page.locator(".fixes")
    expect(fixes.get_by_role("button")).to_have_count(1)  # listed once
    fixes.get_by_role("button", name=f"Add {DANA} as a scheduling assistant of {MARCUS}").click()
    expect(page.locator(".messages")).to_contain_text(f"{DANA} may now schedule for {MARCUS}")
    expect(fixes).to_contain_text("None needed")
    board = page.locator("table.matrix tr", has_text="Board Prep - Finance")
    expect(board.get_by_role("searchbox")).to_have_value(ELENA)  # the override survived the fix
    expect(page.locator("table.matrix tr", has_text="Q3 Pipeline Review - West Region")).to_contain_text(
        "Ready"
    )
    run = page.get_by_role("button", name=re.compile(r"Run: move \d+ meetings?"))
    ready = int(re.search(r"move (\d+)", run.inner_text()).group(1))
    assert ready >= 3
    screenshot(page, "offboarding-fixed")

    page.get_by_label("Reason").fill(REASON)
    run.click()
    page.wait_for_url(re.compile(r"/transfers/jobs/\d+/$"))
    progress = page.locator("#job-progress")
    expect(progress.locator(".job-status .badge")).to_have_text("Done")
    expect(progress.locator(".job-counts")).to_contain_text(f"{ready} moved")
    items = progress.locator("table.job-items tbody tr")
    expect(items.filter(has_text="Moved")).to_have_count(ready)
    expect(items.filter(has_text="Board Prep - Finance")).to_contain_text(ELENA)
    expect(items.filter(has_text="Board Prep - Finance")).to_contain_text("Moved")
    expect(items.filter(has_text="Failed")).to_have_count(0)
    screenshot(page, "transfer-job-done")
    page.get_by_role("link", name="← Transfer jobs").click()
    expect(page.locator("main table")).to_contain_text(DANA)
    screenshot(page, "transfer-jobs")
    assert console_errors == [], console_errors
