"""An event's page answers "who asked, who approved, did Zoom apply it", and each change request and
offboarding job has a chain of custody: every event tied to it, in order, as sentences."""

from __future__ import annotations

import functools
import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.role_changes import role_change_approve, role_change_reject, role_change_request
from meetings.offboarding import offboarding_plan, transfer_job_create, transfer_job_run
from zoomadmin_site.audit import views
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.timelines import change_request_events, transfer_job_events
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status

pytestmark = pytest.mark.django_db

PRIYA = "priya.raman@example.com"  # a Member in the sandbox
NORA = "nora.haddad@example.com"  # an Admin
DANA, MARCUS = "dana.whitfield@example.com", "marcus.okafor@example.com"
REASON = "Runs the webinar team"
COMMENT = "Agreed with her manager"


@pytest.fixture
def promoted(zoom_sandbox, alice, morgan):
    """alice asks to make Priya Admin, morgan approves, Zoom applies it: the request."""
    audit_record(action="auth.login", outcome="succeeded", actor=alice)  # an unrelated event
    request = role_change_request(
        user_key=PRIYA, role={"role_name": "Admin"}, reason=REASON, actor=alice
    ).request
    done = role_change_approve(request_id=request.pk, actor=morgan, comment=COMMENT)
    assert done.status == "succeeded", done.outcome_reason
    return done


def event(action, outcome="succeeded"):
    return AuditEvent.objects.filter(action=action, outcome=outcome).order_by("seq").last()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_every_event_of_a_request_and_nothing_else_is_its_timeline(promoted):
    events = change_request_events(request_id=promoted.pk)
    assert [(e.action, e.outcome) for e in events] == [
        ("role_change.request", "succeeded"),
        ("role_change.approve", "succeeded"),
        ("role_change.preflight", "succeeded"),
        ("role_change.execute", "started"),
        ("role_change.read_back", "succeeded"),
        ("role_change.execute", "succeeded"),
    ]
    assert change_request_events(request_id=promoted.pk + 1) == []


def test_the_request_events_page_answers_who_asked_who_approved_and_whether_zoom_applied_it(
    audrey_client, promoted
):
    html = page(audrey_client, reverse("audit:event_detail", args=[event("role_change.request").seq]))
    story = text_of(html.split('id="story"')[1].split("</dl>")[0])
    assert "Asked by alice" in story and f"Reason: {REASON}" in story
    assert "Approved by morgan" in story and COMMENT in story
    assert "Yes: Zoom applied it" in story
    assert "Read back from Zoom and verified" in story
    read_back = event("role_change.read_back")
    assert f'href="{reverse("audit:event_detail", args=[read_back.seq])}"' in html


def test_an_events_page_lists_the_related_events_and_links_the_chain_of_custody(audrey_client, promoted):
    finished = event("role_change.execute")
    html = page(audrey_client, reverse("audit:event_detail", args=[finished.seq]))
    related = html.split('id="related-events"')[1].split("</section>")[0]
    for other in change_request_events(request_id=promoted.pk):
        if other.seq != finished.seq:
            assert f'href="{reverse("audit:event_detail", args=[other.seq])}"' in related
    assert 'aria-current="true"' in related  # this event is marked, not linked
    assert "morgan approved request" in text_of(related)
    timeline_url = reverse("audit:change_request_timeline", args=[promoted.pk])
    assert f'href="{timeline_url}"' in html
    assert f'href="{reverse("accounts:approval_detail", args=[promoted.pk])}"' in html


def test_an_events_page_links_the_user_by_url_name(audrey_client, promoted):
    finished = event("role_change.execute")
    html = page(audrey_client, reverse("audit:event_detail", args=[finished.seq]))
    user_url = reverse("accounts:user_detail", args=[finished.target_id])
    assert f'<a href="{user_url}" id="target-link">' in html


def test_an_events_page_shows_the_diff_of_before_and_after_by_dotted_path(audrey_client, promoted):
    finished = event("role_change.execute")
    html = page(audrey_client, reverse("audit:event_detail", args=[finished.seq]))
    diff = html.split('id="audit-diff"')[1].split("</table>")[0]
    rows = [text_of("<tr" + row) for row in diff.split("<tr")[2:]]
    assert rows[0].split() == ["role_id", "2", "→", "1"]  # what changed comes first
    assert rows[1].split() == ["role_name", "Member", "→", "Admin"]
    assert f"request (not recorded) → {promoted.pk}" in [" ".join(row.split()) for row in rows]  # after only
    assert any(row.split()[:2] == ["email", PRIYA] for row in rows)  # before only
    assert "unchanged field" in html  # the rest is folded away


def test_an_events_page_shows_the_preflight_checklist_and_every_zoom_call(audrey_client, promoted):
    started = event("role_change.execute", "started")
    html = page(audrey_client, reverse("audit:event_detail", args=[started.seq]))
    preflight = html.split('id="preflight"')[1].split("</section>")[0]
    assert 'class="checklist"' in preflight
    for check in started.preflight["checks"]:
        assert check["label"] in text_of(preflight)
    assert "POST /roles/1/members" in preflight
    finished = event("role_change.execute")
    html = page(audrey_client, reverse("audit:event_detail", args=[finished.seq]))
    preflight = html.split('id="preflight"')[1].split("</section>")[0]
    assert 'class="checklist"' in preflight  # the closing event shows the plan its operation started with
    assert f'href="{reverse("audit:event_detail", args=[started.seq])}"' in preflight
    approval = event("role_change.approve")
    html = page(audrey_client, reverse("audit:event_detail", args=[approval.seq]))
    preflight = html.split('id="preflight"')[1].split("</section>")[0]
    assert 'class="checklist"' in preflight and "when the change was requested" in preflight
    assert f'href="{reverse("audit:event_detail", args=[event("role_change.request").seq])}"' in preflight
    finished = event("role_change.execute")
    calls = page(audrey_client, reverse("audit:event_detail", args=[finished.seq]))
    calls = calls.split('id="zoom-calls"')[1].split("</table>")[0]
    assert "POST" in calls and "/roles/1/members" in calls and "GET" in calls
    for call in finished.zoom_calls:
        assert f'<td class="num">{call["status"]}</td>' in calls


def test_the_change_request_timeline_lists_every_event_as_sentences_in_order(audrey_client, promoted):
    html = page(audrey_client, reverse("audit:change_request_timeline", args=[promoted.pk]))
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    seqs = [int(s) for s in re.findall(r'href="/audit/(\d+)/"', timeline)]
    assert seqs == [e.seq for e in change_request_events(request_id=promoted.pk)]
    words = text_of(timeline)
    assert words.index("alice asked to make") < words.index("morgan approved request")
    assert words.index("morgan approved request") < words.index("Zoom applied it")
    assert "Yes: Zoom applied it" in text_of(html)
    assert f'href="{reverse("accounts:approval_detail", args=[promoted.pk])}"' in html


def test_the_request_page_links_its_chain_of_custody_for_those_who_may_see_the_audit_log(
    client, audrey, alice, promoted
):
    url = reverse("accounts:approval_detail", args=[promoted.pk])
    timeline_url = reverse("audit:change_request_timeline", args=[promoted.pk])
    client.force_login(audrey)
    assert f'href="{timeline_url}"' in page(client, url)
    client.force_login(alice)  # an IT admin: no audit log
    assert f'href="{timeline_url}"' not in page(client, url)


def test_a_request_no_event_names_is_a_404_that_says_so(audrey_client, db):
    response = audrey_client.get(reverse("audit:change_request_timeline", args=[4242]))
    assert response.status_code == 404
    assert "No audit event names change request #4242" in response.content.decode()


@pytest.fixture
def offboarded(zoom_sandbox, alice):
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)
    return transfer_job_run(job_id=job.pk, workers=1)


def test_the_transfer_job_timeline_holds_each_meetings_request_execution_and_read_back(
    audrey_client, offboarded
):
    moved = offboarded.items.filter(status="moved")
    assert moved.exists()
    timeline = transfer_job_events(job_id=offboarded.pk)
    assert sorted(timeline.requests) == sorted(
        offboarded.items.exclude(change_request=None).values_list("change_request_id", flat=True)
    )
    steps = {(e.action, e.outcome) for e in timeline.events}
    assert {("host_transfer.request", "succeeded"), ("host_transfer.read_back", "succeeded")} <= steps
    assert ("host_transfer.execute", "succeeded") in steps
    assert all(e.action.startswith("host_transfer.") for e in timeline.events)
    assert [e.seq for e in timeline.events] == sorted(e.seq for e in timeline.events)
    html = page(audrey_client, reverse("audit:job_timeline", args=[offboarded.pk]))
    for request_id in timeline.requests:
        assert f'href="{reverse("audit:change_request_timeline", args=[request_id])}"' in html
    assert "asked to move" in text_of(html)
    read_backs = [e for e in timeline.events if e.action == "host_transfer.read_back"]
    for read_back in read_backs:  # each step names its meeting: the sentence does not
        line = html.split(f"#{read_back.seq} · ")[1].split("</div>")[0]
        assert read_back.target_label in text_of(line)


def test_an_item_refused_because_its_meeting_had_another_open_change_is_in_the_jobs_timeline(
    audrey_client, zoom_sandbox, alice
):
    plan = offboarding_plan(source=DANA, default_new_host=MARCUS, actor=alice)
    busy = next(item for item in plan.items if item.status == "pending")
    open_one = ChangeRequest.objects.create(
        kind=Kind.HOST_TRANSFER,
        status=Status.APPROVED,
        requester_label="bob",
        target_type="zoom_meeting",
        target_id=str(busy.meeting_id),
        reason="moved by hand",
    )
    job = transfer_job_create(plan=plan, reason="Dana leaves", actor=alice, start=False)
    job = transfer_job_run(job_id=job.pk, workers=1)
    item = job.items.get(meeting_id=busy.meeting_id)
    assert item.status == "failed" and item.change_request_id is None
    assert "already open" in item.reason
    timeline = transfer_job_events(job_id=job.pk)
    refusals = [e for e in timeline.events if e.outcome == "denied"]
    assert [(e.action, e.target_id) for e in refusals] == [("host_transfer.request", str(busy.meeting_id))]
    assert refusals[0].after["job"] == job.pk and refusals[0].after["item"] == item.pk
    assert refusals[0].after["open_request"] == open_one.pk
    assert timeline.requests and all(isinstance(n, int) for n in timeline.requests)  # not a request
    html = text_of(page(audrey_client, reverse("audit:job_timeline", args=[job.pk])))
    assert f"to {MARCUS} was refused" in html and f"already open (request #{open_one.pk}" in html


def test_a_transfer_jobs_timeline_pages_through_long_jobs(audrey_client, offboarded):
    everything = transfer_job_events(job_id=offboarded.pk).events
    first = transfer_job_events(job_id=offboarded.pk, limit=3)
    assert first.events == everything[:3] and first.next_seq == everything[3].seq
    rest = transfer_job_events(job_id=offboarded.pk, from_seq=first.next_seq)
    assert rest.events == everything[3:]


def test_a_transfer_jobs_timeline_pages_back_to_earlier_events(audrey_client, offboarded, monkeypatch):
    everything = [e.seq for e in transfer_job_events(job_id=offboarded.pk).events]
    assert len(everything) >= 7
    assert transfer_job_events(job_id=offboarded.pk, limit=3).prev_seq is None
    third = transfer_job_events(job_id=offboarded.pk, from_seq=everything[6], limit=3)
    second = transfer_job_events(job_id=offboarded.pk, from_seq=third.prev_seq, limit=3)
    assert [e.seq for e in second.events] == everything[3:6] and second.next_seq == everything[6]
    assert second.prev_seq == everything[0]
    # From a position between pages, the page before still ends just before it.
    between = transfer_job_events(job_id=offboarded.pk, from_seq=everything[1], limit=3)
    assert between.prev_seq == everything[0]
    monkeypatch.setattr(views, "transfer_job_events", functools.partial(transfer_job_events, limit=3))
    url = reverse("audit:job_timeline", args=[offboarded.pk])
    html = page(audrey_client, f"{url}?from_seq={everything[3]}")
    assert f'rel="prev" href="{url}?from_seq={everything[0]}"' in html
    assert f'rel="next" href="{url}?from_seq={everything[6]}"' in html
    assert 'rel="prev"' not in page(audrey_client, url)


def test_an_event_of_a_job_links_the_jobs_timeline(audrey_client, offboarded):
    opening = event("host_transfer.request")
    html = page(audrey_client, reverse("audit:event_detail", args=[opening.seq]))
    assert f'href="{reverse("audit:job_timeline", args=[offboarded.pk])}"' in html
    meeting_url = reverse("meetings:meeting_detail", args=[opening.target_id])
    assert f'<a href="{meeting_url}" id="target-link">' in html


def test_the_job_page_links_its_chain_of_custody(client, root, offboarded):
    client.force_login(root)
    html = page(client, reverse("meetings:transfer_job", args=[offboarded.pk]))
    assert f'href="{reverse("audit:job_timeline", args=[offboarded.pk])}"' in html


@pytest.mark.parametrize("bad", ["-1", "abc", "1e5", "٣", str(2**64)])
def test_a_bad_timeline_position_is_a_400_that_says_so(audrey_client, db, bad):
    response = audrey_client.get(reverse("audit:job_timeline", args=[1]), {"from_seq": bad})
    assert response.status_code == 400
    assert "whole number" in response.content.decode()


def test_an_unknown_job_is_a_404(audrey_client, db):
    assert audrey_client.get(reverse("audit:job_timeline", args=[99])).status_code == 404


@pytest.mark.parametrize("name", ["change_request_timeline", "job_timeline"])
@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("charlie", 403), ("audrey", 404)])
def test_timelines_need_the_audit_permission(client, request, name, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"audit:{name}", args=[1])).status_code == status


@pytest.mark.parametrize("name", ["change_request_timeline", "job_timeline"])
def test_timelines_are_read_only(audrey_client, name):
    assert audrey_client.post(reverse(f"audit:{name}", args=[1])).status_code == 405


def test_a_rejected_requests_story_says_who_rejected_it_and_that_zoom_was_not_called(
    audrey_client, zoom_sandbox, alice, morgan
):
    submitted = role_change_request(user_key=PRIYA, role={"role_name": "Admin"}, reason=REASON, actor=alice)
    role_change_reject(request_id=submitted.request.pk, actor=morgan, comment="Not this quarter")
    html = page(audrey_client, reverse("audit:change_request_timeline", args=[submitted.request.pk]))
    story = text_of(html.split('id="story"')[1].split("</dl>")[0])
    assert "Rejected by morgan" in story and "Not this quarter" in story
    assert "No: role change rejected, Zoom was not called" in story


def test_a_demotions_story_says_it_needed_no_approval(audrey_client, zoom_sandbox, alice):
    submitted = role_change_request(
        user_key=NORA, role={"role_name": "Member"}, reason="Left IT", actor=alice
    )
    assert submitted.request.status == "succeeded", submitted.request.outcome_reason
    html = page(audrey_client, reverse("audit:change_request_timeline", args=[submitted.request.pk]))
    story = text_of(html.split('id="story"')[1].split("</dl>")[0])
    assert "Asked by alice" in story and "No approval needed" in story
    assert "Yes: Zoom applied it" in story


def test_a_pending_requests_story_says_it_waits(audrey_client, zoom_sandbox, alice):
    submitted = role_change_request(user_key=PRIYA, role={"role_name": "Admin"}, reason=REASON, actor=alice)
    html = page(audrey_client, reverse("audit:change_request_timeline", args=[submitted.request.pk]))
    assert "Not yet: waiting for a decision" in text_of(html)


def test_in_two_clicks_from_the_list_an_auditor_sees_who_asked_who_approved_and_that_zoom_applied_it(
    audrey_client, promoted
):
    """The "Done when" of the auditor's workspace: filter, then follow the sentence."""
    listing = page(audrey_client, reverse("audit:event_list") + "?q=priya&action=role_change.execute")
    finished = event("role_change.execute")
    url = reverse("audit:event_detail", args=[finished.seq])
    linked = [text_of(text).strip() for text in re.findall(rf'<a href="{url}">(.*?)</a>', listing, re.S)]
    assert any(text.startswith("Zoom applied it") for text in linked), linked
    story = text_of(page(audrey_client, url).split('id="story"')[1].split("</dl>")[0])
    assert "Asked by alice" in story and "Approved by morgan" in story and "Yes: Zoom applied it" in story


def test_a_time_bound_change_and_the_request_that_put_it_back_link_each_other(
    audrey_client, zoom_sandbox, alice, morgan
):
    import datetime as dt

    from django.utils import timezone

    from zoomadmin_site.changes.services import change_revert_due

    submitted = role_change_request(
        user_key=PRIYA, role={"role_name": "Admin"}, reason=REASON, actor=alice, duration_hours=2
    )
    role_change_approve(request_id=submitted.request.pk, actor=morgan, comment=COMMENT)
    (revert,) = change_revert_due(now=timezone.now() + dt.timedelta(hours=3))
    original_url = reverse("audit:change_request_timeline", args=[submitted.request.pk])
    revert_url = reverse("audit:change_request_timeline", args=[revert.pk])
    assert f'href="{revert_url}"' in page(audrey_client, original_url)
    html = page(audrey_client, revert_url)
    assert f'href="{original_url}"' in html
    assert "No approval needed" in text_of(html)


@pytest.mark.parametrize(
    ("target_type", "target_id"), [("zoom_meeting", "12/34"), ("zoom_user", ""), ("x", "y")]
)
def test_a_target_the_dashboard_has_no_page_for_is_shown_unlinked(audrey_client, target_type, target_id):
    recorded = audit_record(
        action="mirror.drift", outcome="succeeded", target_type=target_type, target_id=target_id
    )
    html = page(audrey_client, reverse("audit:event_detail", args=[recorded.seq]))
    assert 'id="target-link"' not in html
