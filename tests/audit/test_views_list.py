"""The audit log list: filters in a shareable GET form, htmx live filtering, keyset paging, chain status."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
URL = "/audit/"


def _seqs(response) -> list[int]:
    return [event.seq for event in response.context["page"].events]


@pytest.fixture
def variety(audrey, alice):
    """A small, varied log (besides the logins the client fixtures record)."""
    return {
        "sync": audit_record(action="mirror.sync", outcome="succeeded", reason="nightly refresh"),
        "webhook": audit_record(action="webhook.rejected", outcome="denied", actor_label="zoom-webhook"),
        "role": audit_record(
            action="role_change.execute",
            outcome="failed",
            actor=alice,
            target_type="zoom_user",
            target_id="u-42",
            target_label="Dana Lee",
            reason="Zoom said 1001",
        ),
        "transfer": audit_record(
            action="host_transfer.execute",
            outcome="succeeded",
            actor=alice,
            target_type="zoom_meeting",
            target_id="8574",
            target_label="Board meeting",
        ),
    }


def test_the_list_is_at_the_url_the_navigation_links_to():
    assert reverse("audit:event_list") == URL


def test_list_shows_newest_first_with_outcome_badges(audrey_client, variety):
    response = audrey_client.get(URL)
    html = response.content.decode()
    seqs = _seqs(response)
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == variety["transfer"].seq
    assert 'class="badge badge-failed"' in html
    assert 'class="badge badge-denied"' in html
    assert "Dana Lee" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "dana"}, ["role"]),
        ({"q": "NIGHTLY"}, ["sync"]),
        ({"actor": "zoom-webhook"}, ["webhook"]),
        ({"action": "host_transfer.execute"}, ["transfer"]),
        ({"outcome": "denied"}, ["webhook"]),
        ({"target_type": "zoom_user", "target_id": "u-42"}, ["role"]),
        ({"actor": "alice", "outcome": "succeeded"}, ["transfer"]),
    ],
)
def test_filters_narrow_the_list(audrey_client, variety, query, expected):
    response = audrey_client.get(URL, query)
    assert _seqs(response) == sorted((variety[name].seq for name in expected), reverse=True)


def test_action_filter_without_a_dot_matches_the_whole_area(audrey_client, variety):
    audit_record(action="mirror.sync_interrupted", outcome="failed")
    response = audrey_client.get(URL, {"action": "mirror"})
    assert {e.action for e in response.context["page"].events} == {"mirror.sync", "mirror.sync_interrupted"}
    response = audrey_client.get(URL, {"action": "auth"})
    assert {e.action for e in response.context["page"].events} == {"auth.login"}


def test_operation_filter_shows_one_operation(audrey_client, variety):
    response = audrey_client.get(URL, {"operation": str(variety["role"].operation_id)})
    assert _seqs(response) == [variety["role"].seq]


def test_date_filters_are_inclusive_days(audrey_client, variety):
    today = timezone.localdate()
    everything = _seqs(audrey_client.get(URL))
    assert (
        _seqs(audrey_client.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
        == everything
    )
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert _seqs(audrey_client.get(URL, {"date_from": tomorrow})) == []
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert _seqs(audrey_client.get(URL, {"date_to": yesterday})) == []


def test_filters_are_a_shareable_get_form(audrey_client, variety):
    html = audrey_client.get(URL, {"q": "dana", "outcome": "failed"}).content.decode()
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", html).group(0)
    assert 'method="get"' in form
    assert f'action="{URL}"' in form
    assert 'value="dana"' in html
    assert '<option value="failed" selected>' in html


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "yesterday"},
        {"date_to": "2026-02-30"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "2026-03-02", "date_to": "2026-03-01"},
        {"after_seq": "abc"},
        {"after_seq": "-5"},
        {"before_seq": "99999999999999999999999999"},
        {"after_seq": "3", "before_seq": "5"},
        {"operation": "not-a-uuid"},
        {"outcome": "exploded"},
    ],
)
def test_malformed_query_strings_give_a_clear_form_error_not_a_server_error(audrey_client, query):
    response = audrey_client.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "These filters cannot be used" in html
    assert response.context["page"] is None


def test_keyset_paging_walks_older_and_back_newer(audrey_client, audrey):
    for n in range(120):
        audit_record(action="mirror.sync", outcome="succeeded", target_id=str(n))
    all_seqs = list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
    first = audrey_client.get(URL)
    page = first.context["page"]
    assert _seqs(first) == all_seqs[:50]
    assert page.newer_cursor is None
    assert f"after_seq={page.older_cursor}" in first.content.decode()

    second = audrey_client.get(URL, {"after_seq": page.older_cursor})
    assert _seqs(second) == all_seqs[50:100]
    third = audrey_client.get(URL, {"after_seq": second.context["page"].older_cursor})
    assert _seqs(third) == all_seqs[100:]
    assert third.context["page"].older_cursor is None

    back = audrey_client.get(URL, {"before_seq": third.context["page"].newer_cursor})
    assert _seqs(back) == all_seqs[50:100]
    newest = audrey_client.get(URL, {"before_seq": back.context["page"].newer_cursor})
    assert _seqs(newest) == all_seqs[:50]
    assert newest.context["page"].newer_cursor is None


def test_paging_keeps_the_filters(audrey_client, audrey):
    for n in range(120):
        audit_record(action="mirror.sync", outcome="failed" if n % 2 else "succeeded", target_id=str(n))
    first = audrey_client.get(URL, {"outcome": "failed"})
    older = first.context["page"].older_cursor
    assert f"outcome=failed&amp;after_seq={older}" in first.content.decode()
    second = audrey_client.get(URL, {"outcome": "failed", "after_seq": older})
    assert {e.outcome for e in second.context["page"].events} == {"failed"}
    assert len(_seqs(first)) + len(_seqs(second)) == 60


def test_htmx_requests_get_only_the_results_region(audrey_client, variety):
    response = audrey_client.get(URL, {"q": "dana"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Dana Lee" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(audrey_client, variety):
    response = audrey_client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_every_htmx_control_also_works_without_javascript(audrey_client, audrey):
    for n in range(150):
        audit_record(action="mirror.sync", outcome="succeeded", target_id=str(n))
    html = audrey_client.get(URL, {"after_seq": 120}).content.decode()
    tags = re.findall(r"<(?:a|form)\b[^>]*\bhx-get=[^>]*>", html)
    assert len(tags) >= 3  # the filter form, Newer and Older
    for tag in tags:
        hx_get = re.search(r'hx-get="([^"]*)"', tag).group(1)
        plain = re.search(r'(?:href|action)="([^"]*)"', tag).group(1)
        assert plain == hx_get, tag


def test_pages_have_no_inline_script_or_style(audrey_client, variety):
    for url in (URL, reverse("audit:event_detail", args=[variety["role"].seq])):
        html = audrey_client.get(url).content.decode()
        assert "style=" not in html
        assert "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_chain_status_says_when_the_chain_was_never_checked(audrey_client, db):
    assert "never verified" in audrey_client.get(URL).content.decode()


def test_chain_status_shows_the_last_verification_result_and_time(audrey_client, variety):
    call_command("audit_verify")
    verified = AuditEvent.objects.filter(action="audit.verify").get()
    html = audrey_client.get(URL).content.decode()
    status = re.search(r'<p class="chain-status[^"]*" id="chain-status">(.*?)</p>', html, re.S).group(1)
    assert "intact" in status
    assert f"up to seq {verified.seq - 1}" in status
    assert timezone.localtime(verified.time).strftime("%Y-%m-%d %H:%M:%S") in status


def test_chain_status_shows_a_failed_verification(audrey_client, variety):
    audit_record(
        action="audit.verify",
        outcome="failed",
        reason="BROKEN at seq 3: its content does not match its hash",
        target_type="audit_log",
        target_id="chain",
    )
    html = audrey_client.get(URL).content.decode()
    assert "broken" in html
    assert "BROKEN at seq 3" in html
