"""The meeting page: host, scheduler of record, alternative hosts, schedule, join link, audit history."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(db):
    return make_user(
        zoom_id="30R7kT7bTIKSNUFEuH_Qlg", email="jchill@example.com", first_name="Jill", last_name="Chill"
    )


@pytest.fixture
def assistant(db):
    return make_user(
        zoom_id="kFFvsJc-Q1OSxaJQLvaa_A", email="ada@example.com", first_name="Ada", last_name="Assist"
    )


def words(html: str) -> str:
    """The page without the <bdi> around text from Zoom (tests/test_bidi_isolation.py checks those)."""
    return html.replace("<bdi>", "").replace("</bdi>", "")


def page(client, meeting_id) -> str:
    response = client.get(f"/meetings/{meeting_id}/")
    assert response.status_code == 200
    return words(response.content.decode())


def test_meeting_page_shows_topic_host_and_schedule(alice_client, host):
    meeting = make_meeting(
        host, meeting_id=97763643886, topic="Roadmap review", duration=45, timezone="Asia/Tokyo"
    )
    html = page(alice_client, 97763643886)
    assert "Roadmap review" in html and "97763643886" in html and "45 minutes" in html
    assert f'<a href="/users/{host.zoom_id}/">Jill Chill</a>' in html
    assert meeting.start_time.strftime("%Y-%m-%d") in html and "Asia/Tokyo" in html
    # the meeting's type, worded so that it does not read as a status (which may not be known yet)
    assert "· Type: Scheduled" in html


def test_scheduler_of_record_is_the_host_when_they_created_it(alice_client, host):
    make_meeting(host, meeting_id=1001, details_synced_at=timezone.now())
    html = page(alice_client, 1001)
    assert "The host created this meeting themselves." in html


def test_scheduler_of_record_is_not_guessed_before_the_meeting_was_read_from_zoom(alice_client, host):
    make_meeting(host, meeting_id=1005)  # from a meeting list, which carries no assistant_id
    html = page(alice_client, 1005)
    assert "Not known yet." in html and "The host created this meeting themselves." not in html
    assert "Refresh from Zoom" in html


def test_scheduler_of_record_is_the_assistant_who_created_it(alice_client, host, assistant):
    meeting = make_meeting(
        host, meeting_id=1002, assistant_id=assistant.zoom_id, details_synced_at=timezone.now()
    )
    assert meeting.scheduler_of_record_id == assistant.zoom_id
    html = page(alice_client, 1002)
    assert f'<a href="/users/{assistant.zoom_id}/">Ada Assist</a>' in html
    assert "Created this meeting for the host, as their assistant, unless the meeting was moved" in html


def moved(meeting_id: int, *, from_user, to_user, scheduler, when="2026-11-20T10:00:00+00:00"):
    """A verified host transfer Zoom Admin made of the meeting (what the meeting page learns moves from)."""
    return ChangeRequest.objects.create(
        kind=Kind.HOST_TRANSFER,
        status=Status.SUCCEEDED,
        requester_label="alice",
        target_type="zoom_meeting",
        target_id=str(meeting_id),
        current={
            "meeting_id": meeting_id,
            "host_id": from_user.zoom_id,
            "host_email": from_user.email,
            "scheduler_of_record": scheduler.zoom_id,
        },
        intended={"host_id": to_user.zoom_id, "host_email": to_user.email},
        reason="offboarding",
        finished_at=datetime.datetime.fromisoformat(when),
    )


def scheduler_note(html: str) -> str:
    start = html.index("<dt>Scheduler of record</dt>")
    return " ".join(html[start : html.index("<dt>Alternative hosts</dt>")].split())


def test_meeting_moved_away_from_the_host_who_created_it_does_not_call_them_an_assistant(
    alice_client, host, assistant
):
    """The demo: Dana created her meeting, Zoom Admin moved it to Marcus; Zoom still names Dana."""
    marcus = make_user(email="marcus@example.com", first_name="Marcus", last_name="Okafor")
    make_meeting(marcus, meeting_id=1020, assistant_id=host.zoom_id, details_synced_at=timezone.now())
    moved(1020, from_user=host, to_user=marcus, scheduler=host)
    note = scheduler_note(page(alice_client, 1020))
    assert "Jill Chill" in note and "as their assistant" not in note
    assert (
        "Created this meeting as its host; it has been moved since and is now hosted by the host above"
        in note
    )
    assert "(Zoom Admin last moved it on 2026-11-20)." in note


def test_meeting_an_assistant_created_then_moved_names_the_host_it_was_created_for(
    alice_client, host, assistant
):
    marcus = make_user(email="marcus@example.com", first_name="Marcus", last_name="Okafor")
    make_meeting(marcus, meeting_id=1021, assistant_id=assistant.zoom_id, details_synced_at=timezone.now())
    moved(1021, from_user=host, to_user=marcus, scheduler=assistant)
    note = scheduler_note(page(alice_client, 1021))
    assert (
        f'Created this meeting for <a href="/users/{host.zoom_id}/">Jill Chill</a> (as their assistant)'
        in note
    )
    assert "is now hosted by the host above" in note


def test_meeting_moved_to_the_assistant_who_created_it(alice_client, host, assistant):
    # Zoom clears assistant_id when the meeting moves to its scheduler of record: they are now its host
    make_meeting(assistant, meeting_id=1022, details_synced_at=timezone.now())
    moved(1022, from_user=host, to_user=assistant, scheduler=assistant)
    note = scheduler_note(page(alice_client, 1022))
    assert "The host created this meeting themselves." not in note
    assert (
        "Created this meeting for " in note
        and "Jill Chill</a> (as their assistant); it has since been moved to them" in note
    )


def test_meeting_moved_back_to_the_host_who_created_it(alice_client, host, assistant):
    make_meeting(host, meeting_id=1023, details_synced_at=timezone.now())
    moved(1023, from_user=host, to_user=assistant, scheduler=host, when="2026-11-01T10:00:00+00:00")
    moved(1023, from_user=assistant, to_user=host, scheduler=host, when="2026-11-02T10:00:00+00:00")
    note = scheduler_note(page(alice_client, 1023))
    assert "Created this meeting as its host; it has been moved since and they host it again" in note
    assert "(Zoom Admin last moved it on 2026-11-02)." in note


def test_failed_or_other_meetings_transfers_do_not_count_as_moves(alice_client, host, assistant):
    make_meeting(host, meeting_id=1024, details_synced_at=timezone.now())
    ChangeRequest.objects.filter(pk=moved(1024, from_user=assistant, to_user=host, scheduler=host).pk).update(
        status=Status.FAILED
    )
    moved(9999, from_user=assistant, to_user=host, scheduler=host)
    assert "The host created this meeting themselves." in scheduler_note(page(alice_client, 1024))


def test_scheduler_missing_from_the_mirror_is_named_by_id(alice_client, host):
    make_meeting(host, meeting_id=1003, assistant_id="ghostId99", details_synced_at=timezone.now())
    html = page(alice_client, 1003)
    assert "ghostId99" in html and "(not in the mirror)" in html


def test_alternative_hosts_are_resolved_against_the_mirror(alice_client, host, assistant):
    alternates = "ADA@example.com;stranger@example.com, kFFvsJc-Q1OSxaJQLvaa_A"  # by email and by id
    make_meeting(host, meeting_id=1004, alternative_hosts=alternates)
    html = page(alice_client, 1004)
    assert html.count(f'<a href="/users/{assistant.zoom_id}/">Ada Assist</a>') == 2
    assert "stranger@example.com" in html


def test_recurring_meeting_shows_the_pattern_and_occurrences(alice_client, host):
    make_meeting(
        host,
        meeting_id=1005,
        type=8,
        recurrence={"type": 2, "repeat_interval": 2, "weekly_days": "2,4", "end_times": 6},
        occurrences=[
            {
                "occurrence_id": "1",
                "start_time": "2030-03-25T07:46:00Z",
                "duration": 60,
                "status": "available",
            },
            {"occurrence_id": "2", "start_time": "not a date", "status": "<b>odd</b>"},
            "garbage",
        ],
    )
    html = page(alice_client, 1005)
    assert "Every 2 weeks on Monday and Wednesday, 6 times" in html
    assert "2030-03-25 07:46" in html and "&lt;b&gt;odd&lt;/b&gt;" in html


def test_join_link_is_shown_without_its_passcode_and_start_url_never(alice_client, host):
    make_meeting(host, meeting_id=1006, join_url="https://example.zoom.us/j/1006?pwd=S3cr3tPass&from=addon")
    html = page(alice_client, 1006)
    assert "https://example.zoom.us/j/1006?from=addon" in html
    assert "S3cr3tPass" not in html and "Yes (not shown here)" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://[broken", "", "not a url"])
def test_odd_join_links_are_not_shown_as_links(alice_client, host, url):
    make_meeting(host, meeting_id=1007, join_url=url)
    html = page(alice_client, 1007)
    assert "javascript:" not in html and "Zoom gave no join link" in html


def test_gone_meeting_page_says_so(alice_client, host):
    make_meeting(host, meeting_id=1008, gone_at=timezone.now())
    assert "Zoom no longer lists this meeting" in page(alice_client, 1008)


def test_audit_history_of_the_meeting(client, audrey, host):
    from zoomadmin_site.audit.services import audit_record

    event = audit_record(
        action="host_transfer.execute",
        outcome="succeeded",
        target_type="zoom_meeting",
        target_id="1009",
        reason="<script>alert(1)</script>",
    )
    make_meeting(host, meeting_id=1009)
    client.force_login(audrey)
    html = page(client, 1009)
    assert "host_transfer.execute" in html and f'href="/audit/{event.seq}/"' in html
    assert "<script>alert(1)</script>" not in html


def test_refresh_button_placeholder_follows_the_sync_permission(client, alice, morgan, host):
    make_meeting(host, meeting_id=1010)
    client.force_login(alice)
    assert "Refresh from Zoom" in page(client, 1010)
    client.force_login(morgan)
    assert "Refresh from Zoom" not in page(client, 1010)


@pytest.mark.parametrize(
    ("meeting_id", "message"),
    [
        ("424242", "There is no meeting 424242 in the local mirror"),
        ("abc", "is not a Zoom meeting id"),
        ("-5", "is not a Zoom meeting id"),
        ("12.5", "is not a Zoom meeting id"),
        ("99999999999999999999", "is not a Zoom meeting id"),
        ("9" * 5000, "is not a Zoom meeting id"),
        ("%C2%B2", "is not a Zoom meeting id"),
        ("%3Cimg src=x onerror=alert(1)%3E", "is not a Zoom meeting id"),
    ],
)
def test_unknown_or_malformed_meeting_id_gives_a_helpful_404(alice_client, meeting_id, message):
    response = alice_client.get(f"/meetings/{meeting_id}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert message in html and "Meetings page" in html and "<img src=x" not in html


@pytest.mark.parametrize("alternates", [1, 40])
def test_meeting_page_query_count_is_constant(alice_client, django_assert_num_queries, host, alternates):
    people = [make_user() for _ in range(alternates)]
    make_meeting(host, meeting_id=1011, alternative_hosts=";".join(p.email for p in people))
    alice_client.get("/meetings/1011/")
    # operator, permissions and roles, meeting, people, audit (the session: cached)
    with django_assert_num_queries(5):
        alice_client.get("/meetings/1011/")


def test_meeting_page_with_a_known_scheduler_adds_one_query_for_moves(
    alice_client, django_assert_num_queries, host
):
    make_meeting(host, meeting_id=1012, details_synced_at=timezone.now())
    alice_client.get("/meetings/1012/")
    with django_assert_num_queries(6):  # and the host transfers Zoom Admin made of it
        alice_client.get("/meetings/1012/")


@pytest.mark.urls("tests.accounts.refresh_urls")
def test_refresh_button_posts_to_the_sync_view_once_it_exists(alice_client, host):
    make_meeting(host, meeting_id=85010001012)
    assert 'action="/mirror-test/meetings/85010001012/refresh/"' in page(alice_client, 85010001012)


@pytest.mark.parametrize("partial", ["refresh", "audit_history"])
def test_meeting_page_partials_render_on_their_own(rf, alice, host, partial):
    from django.template.loader import render_to_string

    from meetings.selectors import meeting_profile

    make_meeting(host, meeting_id=1013)
    request = rf.get("/")
    request.user = alice
    profile = meeting_profile(meeting_id=1013)
    context = {"profile": profile, "meeting": profile.meeting}
    html = render_to_string(f"meetings/meeting_detail.html#{partial}", context, request=request)
    assert html.strip() and "<html" not in html


# --- facts that Zoom's meeting lists (and so a full sync) do not carry --------------------------------


def test_after_a_sync_unknown_facts_say_so_instead_of_none(alice_client, host):
    make_meeting(host, meeting_id=1020, type=8)  # as the sync writes it: from a meeting list only
    html = page(alice_client, 1020)
    assert "Only what Zoom's meeting lists say is known about this meeting yet" in html
    assert html.count("Not known yet.") == 4  # scheduler, alternative hosts, status, occurrences
    assert "the pattern is not known yet" in html and "Recurring (no fixed pattern)" not in html
    assert "<dt>Next occurrence</dt>" in html
    alternative_hosts = html[html.index("<dt>Alternative hosts</dt>") :]
    assert not alternative_hosts.split("</dd>")[0].endswith("None")


def test_unknown_facts_offer_the_refresh_that_reads_them_only_to_those_who_may_sync(
    client, alice, morgan, host
):
    make_meeting(host, meeting_id=85010001021)
    client.force_login(alice)
    notice = page(client, 85010001021).split('class="message details-unknown"')[1].split("</div>")[0]
    assert (
        'action="/meetings/85010001021/refresh/"' in notice
        and "Refresh from Zoom</button></form> reads them now." in notice
    )
    client.force_login(morgan)
    html = page(client, 85010001021)
    assert "details-unknown" in html and "Refresh from Zoom" not in html


def test_facts_read_from_zoom_are_shown_plainly(alice_client, host):
    make_meeting(
        host,
        meeting_id=1022,
        type=8,
        status="waiting",
        details_synced_at=timezone.now(),
        recurrence={"type": 1, "repeat_interval": 1, "end_times": 3},
        occurrences=[{"occurrence_id": "1", "start_time": "2030-01-01T09:00:00Z", "status": "available"}],
    )
    html = page(alice_client, 1022)
    assert "Not known yet." not in html and "details-unknown" not in html
    assert "<dd>None</dd>" in html  # Zoom said: no alternative hosts
    assert "Every day, 3 times" in html and "2030-01-01 09:00" in html
    assert '<span class="badge badge-waiting">Waiting</span>' in html and "as Zoom last reported it" in html


def test_a_fixed_time_series_zoom_gave_no_pattern_for_says_so(alice_client, host):
    make_meeting(host, meeting_id=1023, type=8, details_synced_at=timezone.now())
    html = page(alice_client, 1023)
    assert "Recurring at fixed times (Zoom gave no readable pattern)" in html
    assert "the pattern is not known yet" not in html


def test_a_series_without_fixed_time_has_no_pattern_to_know(alice_client, host):
    make_meeting(host, meeting_id=1024, type=3, start_time=None)
    html = page(alice_client, 1024)
    assert "Recurring with no fixed time" in html and "the pattern is not known yet" not in html
    assert "<h3>Occurrences</h3>" not in html


def test_a_status_reported_by_a_webhook_is_known_without_reading_the_meeting(alice_client, host):
    make_meeting(host, meeting_id=1025, status="started")  # meeting.started webhook
    html = page(alice_client, 1025)
    assert '<span class="badge badge-started">Started</span>' in html and "as Zoom last reported it" in html
    assert html.count("Not known yet.") == 2  # still: scheduler and alternative hosts


def test_alternative_hosts_named_by_a_webhook_are_known_without_reading_the_meeting(alice_client, host):
    make_meeting(host, meeting_id=1026, alternative_hosts="stranger@example.com")
    html = page(alice_client, 1026)
    assert "stranger@example.com" in html
    people = html[html.index("<h2>People</h2>") : html.index("<h2>Schedule</h2>")]
    assert people.count("Not known yet.") == 1  # the scheduler of record only


def test_a_meeting_id_zoom_would_not_give_gets_no_working_refresh_button(alice_client, host):
    make_meeting(host, meeting_id=42)
    html = page(alice_client, 42)
    assert "/refresh/" not in html and "not of the shape of a Zoom meeting id" in html
