"""The audit log list: filters in a shareable GET form, htmx live filtering, keyset paging, chain status."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db
URL = "/audit/"
COUNTS_URL = "/audit/counts/"


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
        {"request_id": "has spaces in it"},
        {"request_id": "x" * 65},
        {"q": "x" * 201},
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
    html = audrey_client.get(URL).content.decode()
    status = re.search(r'<p class="chain-status[^"]*" id="chain-status">(.*?)</p>', html, re.S).group(1)
    assert "never verified" in status
    # The auditor's way to the integrity page, where Verify now is.
    assert f'href="{reverse("audit:integrity")}"' in status


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


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_chain_status_from_the_listed_event_is_the_models_markup(audrey_client, variety, settings, outcome):
    """The chain status line reads the last verification as a ListedEvent; rendered from the model
    instance of the same event instead, in a time zone other than UTC, the line is the same bytes."""
    from django.template.loader import render_to_string

    settings.TIME_ZONE = "America/St_Johns"
    audit_record(
        action="audit.verify",
        outcome=outcome,
        reason="BROKEN at seq 3: <its> content & hash",
        after={"last_seq": 41, "events": 41},
    )
    response = audrey_client.get(URL)
    context = {key: response.context[key] for key in response.context.keys()}  # noqa: SIM118 - a ContextList
    verification = context["verification"]
    model = AuditEvent.objects.get(seq=verification.seq)
    from_model = render_to_string(
        "audit/event_list.html", {**context, "verification": model}, request=response.wsgi_request
    )
    status = r'<p class="chain-status[^"]*" id="chain-status">.*?</p>'
    assert re.search(status, response.content.decode(), re.S).group(0) == re.search(
        status, from_model, re.S
    ).group(0)


def test_request_id_filter_shows_the_events_of_one_request(audrey_client, variety):
    one = audit_record(action="role_change.request", outcome="succeeded", request_id="a1b2c3")
    two = audit_record(action="role_change.preflight", outcome="succeeded", request_id="a1b2c3")
    audit_record(action="role_change.request", outcome="succeeded", request_id="ffff00")
    response = audrey_client.get(URL, {"request_id": "a1b2c3"})
    assert _seqs(response) == [two.seq, one.seq]
    assert 'value="a1b2c3"' in response.content.decode()


def test_request_id_combines_with_the_other_filters(audrey_client, variety):
    audit_record(action="role_change.request", outcome="succeeded", request_id="r-1", target_label="Dana Lee")
    failed = audit_record(
        action="role_change.execute", outcome="failed", request_id="r-1", target_label="Dana Lee"
    )
    audit_record(action="role_change.execute", outcome="failed", request_id="r-2", target_label="Dana Lee")
    response = audrey_client.get(URL, {"request_id": "r-1", "outcome": "failed", "q": "dana"})
    assert _seqs(response) == [failed.seq]


def test_every_filter_at_once_narrows_to_the_one_matching_event(audrey_client, alice, variety):
    today = timezone.localdate().isoformat()
    wanted = audit_record(
        action="role_change.execute",
        outcome="failed",
        actor=alice,
        target_type="zoom_user",
        target_id="u-42",
        target_label="Dana Lee",
        reason="Zoom said 1001 again",
        request_id="req-9",
    )
    query = {
        "q": "again",
        "actor": "alice",
        "action": "role_change",
        "outcome": "failed",
        "target_type": "zoom_user",
        "target_id": "u-42",
        "request_id": "req-9",
        "operation": str(wanted.operation_id),
        "date_from": today,
        "date_to": today,
    }
    assert _seqs(audrey_client.get(URL, query)) == [wanted.seq]
    for name in query:  # each filter alone would not be enough: the others keep out the variety's events
        assert wanted.seq in _seqs(audrey_client.get(URL, {name: query[name]}))
    assert _seqs(audrey_client.get(URL, {**query, "request_id": "req-8"})) == []


def _chips(html: str) -> dict[str, tuple[str, str]]:
    """Outcome chip label -> (its count as shown, its href)."""
    nav = re.search(r'<nav class="outcome-chips"[^>]*>(.*?)</nav>', html, re.S).group(1)
    found = re.findall(
        r'<a class="chip[^"]*" href="([^"]*)"[^>]*>([^<]*?) <span class="chip-count">([^<]*)</span>', nav
    )
    return {label: (count, href) for href, label, count in found}


def _counts_url(list_html: str) -> str:
    """Where the list page loads its counts from: its placeholder's hx-get (htmx asks it on load)."""
    found = re.search(r'<nav class="outcome-chips"[^>]* hx-get="([^"]*)" hx-trigger="load"', list_html)
    assert found, "the list page has no counts placeholder"
    return markup.unescape(found.group(1))


def _loaded_counts(client, list_response) -> str:
    """The chips the list page loads into itself, fetched as htmx does."""
    response = client.get(_counts_url(list_response.content.decode()), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a fragment, for the placeholder's place
    return response.content.decode()


def test_counts_per_outcome_ignore_the_outcome_filter_and_link_to_it(audrey_client, variety):
    audit_record(action="role_change.execute", outcome="failed", target_label="Dana Lee", reason="again")
    listed = audrey_client.get(URL, {"q": "dana", "outcome": "succeeded"})
    html = _loaded_counts(audrey_client, listed)
    chips = _chips(html)
    assert chips["Failed"][0] == "2"  # counted with the q filter, outcome ignored
    assert chips["Succeeded"][0] == "0"
    assert chips["Any outcome"][0] == "2"
    assert chips["Failed"][1] == f"{URL}?q=dana&amp;outcome=failed"
    assert chips["Any outcome"][1] == f"{URL}?q=dana"
    assert 'class="chip chip-succeeded chip-current"' in html
    # Following a chip's link shows what it counted (the URL round trip).
    followed = audrey_client.get(chips["Failed"][1].replace("&amp;", "&"))
    assert len(_seqs(followed)) == 2
    assert {e.outcome for e in followed.context["page"].events} == {"failed"}


def test_counts_drop_the_paging_position(audrey_client, audrey):
    for n in range(60):
        audit_record(action="mirror.sync", outcome="failed", target_id=str(n))
    first = audrey_client.get(URL, {"action": "mirror.sync"})
    older = first.context["page"].older_cursor
    second = audrey_client.get(URL, {"action": "mirror.sync", "after_seq": older})
    assert _counts_url(second.content.decode()) == f"{COUNTS_URL}?action=mirror.sync"
    html = _loaded_counts(audrey_client, second)
    assert _chips(html)["Failed"] == ("60", f"{URL}?action=mirror.sync&amp;outcome=failed")


def test_counts_over_the_cap_are_lower_bounds_and_say_so(audrey_client, audrey, monkeypatch):
    from zoomadmin_site.audit import views

    monkeypatch.setattr(views, "OUTCOME_COUNT_CAP", 5)
    for n in range(3):
        audit_record(action="mirror.sync", outcome="denied", target_id=str(n))
    html = _loaded_counts(audrey_client, audrey_client.get(URL, {"action": "mirror.sync"}))
    assert _chips(html)["Denied"][0] == "3"
    assert "Counted among the newest" not in html  # every matching event counted
    for n in range(4):
        audit_record(action="mirror.sync", outcome="failed", target_id=str(n))
    html = _loaded_counts(audrey_client, audrey_client.get(URL, {"action": "mirror.sync"}))
    chips = _chips(html)
    assert (chips["Failed"][0], chips["Denied"][0], chips["Any outcome"][0]) == ("4+", "1+", "5+")
    assert "Counted among the newest 5 matching events" in html
    assert "+ means at least" in html


def test_no_counts_when_the_filters_cannot_be_used(audrey_client, variety):
    response = audrey_client.get(URL, {"request_id": "<script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "These filters cannot be used" in html
    assert "Request id:" in html
    assert 'class="outcome-chips"' not in html
    # Asked for all the same, the counts say nothing (as htmx loads them), or the problems (a page).
    bad = {"request_id": "<script>"}
    fragment = audrey_client.get(COUNTS_URL, bad, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip() == ""
    page = audrey_client.get(COUNTS_URL, bad).content.decode()
    assert "These filters cannot be used" in page
    assert "<script>" not in page


def test_counts_without_javascript_are_a_page_of_their_own(audrey_client, variety):
    """The placeholder links to the counts for a browser without JavaScript: a whole page, naming the
    filters, whose chips link back to the list."""
    listed = audrey_client.get(URL, {"q": "dana", "after_seq": 999})
    html = listed.content.decode()
    assert f'<noscript><a class="small" href="{COUNTS_URL}?q=dana">' in html
    page = audrey_client.get(COUNTS_URL, {"q": "dana"}).content.decode()
    assert "<h1>Events per outcome</h1>" in page
    assert f'href="{URL}?q=dana">Back to these events</a>' in page
    assert "Filters: Search <strong>dana</strong>" in page
    dated = audrey_client.get(COUNTS_URL, {"q": "dana", "date_from": "2026-03-01"}).content.decode()
    assert "Filters: Search <strong>dana</strong>, From <strong>2026-03-01</strong>" in dated
    assert _chips(page)["Failed"] == ("1", f"{URL}?q=dana&amp;outcome=failed")


def test_rows_escape_and_isolate_what_they_show(audrey_client, audrey):
    event = audit_record(
        action="role_change.execute",
        outcome="failed",
        actor_label="<b>mallory</b>",
        target_type="zoom_user",
        target_id="u-1",
        target_label="Eve \u202eevil\u202c <script>alert(1)</script>",
        reason="x" * 300,
    )
    html = audrey_client.get(URL).content.decode()
    row = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<script>" not in row and "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "&lt;b&gt;mallory&lt;/b&gt;" in row and "<bdi>" in row
    assert f'<a href="{reverse("audit:event_detail", args=[event.seq])}">{event.seq}</a>' in row
    local = timezone.localtime(event.time)
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M:%S}</time>' in row
    assert '<span class="badge badge-failed">Failed</span>' in row
    assert "…" in row  # the sentence cut at 240 characters
    assert '<span class="muted small">zoom_user</span>' in row


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": 'da"na <b>', "outcome": "failed", "date_to": "2026-03-01"},
        {"date_from": "bad", "request_id": "x y"},
    ],
)
def test_filter_inputs_are_the_markup_djangos_widgets_give(db, data):
    from accounts.templatetags.audit_tables import _field
    from zoomadmin_site.audit.forms import AuditFilterForm

    form = AuditFilterForm(data)
    form.is_valid()
    for bound in form.visible_fields():
        django_markup = re.sub(r">\s+<", "><", str(bound))
        assert django_markup in _field(bound), bound.name
        assert f'<label for="{bound.id_for_label}">{bound.label}</label>' in _field(bound)
        for error in bound.errors:
            assert f'<ul class="errorlist" id="{bound.auto_id}_error"><li>' in _field(bound)
            assert "Enter" in error


def test_every_filter_round_trips_through_the_url(audrey_client, variety):
    for n in range(60):
        audit_record(
            action="role_change.execute", outcome="failed", request_id="rq-1", target_label=f"Dana {n}"
        )
    query = {"q": "dana", "action": "role_change", "outcome": "failed", "request_id": "rq-1"}
    first = audrey_client.get(URL, query)
    html = first.content.decode()
    for name, value in query.items():
        assert f'name="{name}" value="{value}"' in html or f'<option value="{value}" selected>' in html
    older = re.search(r'<a class="btn" rel="next" href="([^"]*)"', html).group(1).replace("&amp;", "&")
    assert older.startswith(f"{URL}?q=dana&action=role_change&outcome=failed&request_id=rq-1&after_seq=")
    second = audrey_client.get(older)
    assert len(_seqs(first)) + len(_seqs(second)) == 60
    listed = [e.seq for e in second.context["page"].events]
    assert set(AuditEvent.objects.filter(seq__in=listed).values_list("request_id", flat=True)) == {"rq-1"}
