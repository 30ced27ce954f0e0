"""An auditor answers "who made sam.oduya an Admin, who approved it, and did Zoom apply it" from /audit/,
and exports what the filters show: in a real browser, against the served dashboard."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e
SAM = "sam.oduya@example.com"  # a Member in the sandbox that no other browser test changes
REASON = "Runs the marketing webinars"
COMMENT = "Agreed with the marketing lead"
# The IT admin asks, a manager approves, Zoom applies it: through the services, as the web would.
PROMOTE = f"""
from django.contrib.auth import get_user_model
from accounts.role_changes import role_change_approve, role_change_request
operators = get_user_model().objects
itadmin, manager = operators.get(username="itadmin"), operators.get(username="manager")
asked = role_change_request(user_key={SAM!r}, role={{"role_name": "Admin"}}, reason={REASON!r}, actor=itadmin)
asked = asked.request
done = role_change_approve(request_id=asked.pk, actor=manager, comment={COMMENT!r})
print(done.pk, done.status)
"""


@pytest.fixture(scope="module")
def promotion(dashboard) -> int:
    request_id, status = dashboard.manage("shell", "-v", "0", "-c", PROMOTE).split()[-2:]
    assert status == "succeeded"
    return int(request_id)


def test_an_auditor_filters_opens_the_event_follows_its_chain_of_custody_and_exports(
    page, dashboard, promotion, console_errors
):
    login(page, dashboard, "auditor")
    page.goto(dashboard.url + "/audit/")
    filters = page.get_by_role("search", name="Filter the audit log")
    filters.get_by_label("Search").fill(SAM)
    filters.get_by_label("Action").fill("role_change.execute")
    filters.get_by_label("Outcome").select_option("succeeded")
    filters.get_by_role("button", name="Filter").click()  # the first click

    # The URL says what is shown: it can be shared or bookmarked.
    expect(page).to_have_url(re.compile(r"outcome=succeeded"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == [SAM] and query["action"] == ["role_change.execute"]
    assert query["outcome"] == ["succeeded"]
    filtered_url = page.url
    rows = page.locator("#results table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoom applied it")
    # The counts per outcome load into the page after it (their own request), for the same filters.
    chips = page.get_by_role("navigation", name="Events per outcome")
    expect(chips.locator(".chip-current")).to_have_text(re.compile(r"^\s*Succeeded\s+1\s*$"))
    expect(chips.get_by_role("link", name=re.compile(r"^Any outcome"))).to_have_attribute(
        "href", re.compile(r"^/audit/\?(?!.*outcome=).*action=role_change\.execute")
    )
    screenshot(page, "audit-filtered")

    # Second click, on the sentence: the event's page answers who asked, who approved, did Zoom apply it.
    rows.first.get_by_role("link", name=re.compile("Zoom applied it")).click()
    page.wait_for_url(re.compile(r"/audit/\d+/$"))
    story = page.locator("#story")
    expect(story).to_contain_text("Asked by itadmin")
    expect(story).to_contain_text(f"Reason: {REASON}")
    expect(story).to_contain_text("Approved by manager")
    expect(story).to_contain_text(COMMENT)
    expect(story).to_contain_text("Yes: Zoom applied it")
    expect(story).to_contain_text("Read back from Zoom and verified")
    diff = page.locator("#audit-diff")
    expect(diff.locator("tr", has_text="role_name")).to_contain_text(re.compile(r"Member\s*→\s*Admin"))
    related = page.locator("#related-events")
    expect(related).to_contain_text("itadmin asked to make")
    expect(related).to_contain_text("manager approved request")
    expect(related).to_contain_text("Zoom was read back")
    expect(page.locator("#zoom-calls")).to_contain_text("/roles/1/members")
    expect(page.locator("#target-link")).to_have_attribute("href", re.compile(r"^/users/[^/]+/$"))
    screenshot(page, "audit-event")

    # The change request's chain of custody: every event, in order, as sentences.
    page.get_by_role("link", name=f"Chain of custody of request #{promotion}").click()
    expect(page).to_have_url(re.compile(rf"/audit/changes/{promotion}/$"))
    timeline = page.locator("#timeline .timeline-event")
    expect(timeline.first).to_contain_text("itadmin asked to make")
    expect(timeline.last).to_contain_text("Zoom applied it")
    expect(page.locator("#timeline")).to_contain_text("manager approved request")
    screenshot(page, "audit-change-timeline")

    # Back on the filtered list, the export link downloads exactly the rows shown.
    page.goto(filtered_url)
    export = page.get_by_role("link", name=re.compile("Export", re.IGNORECASE)).first
    expect(export).to_have_attribute("href", re.compile("export"))
    with page.expect_download() as download_info:
        export.click()
    with open(download_info.value.path(), encoding="utf-8") as downloaded:
        exported = list(csv.DictReader(io.StringIO(downloaded.read())))
    assert len(exported) == 1, exported
    assert exported[0]["action"] == "role_change.execute" and exported[0]["outcome"] == "succeeded"
    assert SAM in exported[0]["target_label"] + exported[0]["before"]
    # Its signed manifest, linked beside it, proves the file complete (the check command says so).
    with page.expect_download() as manifest_info:
        page.locator(".export-links").get_by_role("link", name="CSV", exact=True).click()
    checked = dashboard.manage(
        "audit_export_check", str(download_info.value.path()), str(manifest_info.value.path())
    )
    assert "is exactly the export its manifest describes" in checked

    # A chip sets the outcome filter, and the form says so: the next filter change keeps it.
    chips.get_by_role("link", name=re.compile(r"^Any outcome")).click()
    expect(page).not_to_have_url(re.compile(r"outcome="))
    expect(filters.get_by_label("Outcome")).to_have_value("")
    chips.get_by_role("link", name=re.compile(r"^Succeeded")).click()
    expect(page).to_have_url(re.compile(r"outcome=succeeded"))
    expect(filters.get_by_label("Outcome")).to_have_value("succeeded")
    expect(filters.get_by_label("Search")).to_have_value(SAM)
    assert console_errors == [], console_errors
