"""The integrity page: the last verification (intact, broken, never), the chain head to copy, the
checkpoints, the history and the nightly schedule; "Verify now" queues one background run at a time, for
auditors and superusers only."""

from __future__ import annotations

import datetime
import re
from html import unescape
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.db_triggers import remove_append_only_triggers
from zoomadmin_site.audit.integrity import audit_verify_run, cli_label, verify_run_request
from zoomadmin_site.audit.models import Action, AuditChainHead, AuditEvent, VerifyRun
from zoomadmin_site.audit.prune import audit_prune
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.tasks import schedule_next_verify

pytestmark = pytest.mark.django_db
PAGE = "audit:integrity"
VERIFY = "audit:integrity_verify"


def page_text(response) -> str:
    """The page's visible text on one line (tags dropped, entities decoded)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def verify_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.AUDIT_VERIFY).order_by("seq"))


def test_a_log_never_verified_says_so_and_how_to_verify(audrey_client):
    response = audrey_client.get(reverse(PAGE))
    assert response.status_code == 200
    text = page_text(response)
    assert "Never verified. Press “Verify now”, or run manage.py audit_verify" in text
    assert "No verification recorded yet." in text
    assert "No checkpoint: no event was ever pruned" in text
    assert response["Cache-Control"] == "no-store"


def test_an_intact_chain_shows_the_result_who_ran_it_and_the_head_to_copy(audrey_client, make_events):
    make_events(3)
    outcome = audit_verify_run(triggered_by="cli")
    head = AuditChainHead.objects.get(pk=1)
    response = audrey_client.get(reverse(PAGE))
    text = page_text(response)
    checked = outcome.report.events
    assert f"Intact The chain was intact up to event {checked}." in text
    assert f"Started by command line (command line) Events checked {checked} First broken event none" in text
    assert f"recorded as event {outcome.event.seq}" in text
    html = response.content.decode()
    assert f'<code id="chain-head-hash" class="audit-hash">{head.hash}</code>' in html
    assert f"audit chain head: seq {head.seq} sha256 {head.hash}" in html
    assert 'data-copy="chain-head-hash" hidden' in html  # shown by copy.js; the <code> is the fallback
    assert "/static/js/copy.js" in html and "<script>" not in html
    assert "1 event appended since the last verification (including its own)." in text


def test_a_broken_chain_names_the_first_broken_event(audrey_client, make_events):
    make_events(4)
    remove_append_only_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'edited' WHERE seq = 3")
    audit_verify_run(triggered_by="schedule")
    text = page_text(audrey_client.get(reverse(PAGE)))
    assert "Broken The chain breaks at event 3. BROKEN at seq 3" in text
    assert "First broken event 3" in text
    assert "Started by nightly schedule (nightly schedule)" in text


def test_the_history_lists_the_latest_ten_verifications_newest_first(audrey_client, make_events):
    make_events(1)
    for _ in range(12):
        audit_verify_run(triggered_by="cli")
    response = audrey_client.get(reverse(PAGE))
    shown = [
        int(seq) for seq in re.findall(r'<td class="num"><a href="/audit/(\d+)/">', response.content.decode())
    ]
    expected = [event.seq for event in verify_events()][::-1][:10]
    assert shown == expected


def test_checkpoints_are_listed_with_their_prune_event_and_verification_starts_after(request, db):
    now = timezone.now()
    with mock.patch(
        "zoomadmin_site.audit.services.timezone.now", return_value=now - datetime.timedelta(days=90)
    ):
        old = [audit_record(action="mirror.sync", outcome="succeeded", target_id=f"u-{n}") for n in range(3)]
    [batch] = audit_prune(days=30, now=now)
    audit_verify_run(triggered_by="cli")
    response = request.getfixturevalue("audrey_client").get(reverse(PAGE))  # audrey's events come later
    html, text = response.content.decode(), page_text(response)
    assert f'<td><code class="audit-hash">{old[-1].hash}</code></td>' in html
    assert f'<td class="num"><a href="/audit/{batch.event_seq}/">{batch.event_seq}</a></td>' in html
    assert "(from event 4: events 1 to 3 were pruned at a checkpoint)" in text
    assert "No checkpoint" not in text


def test_the_next_nightly_run_is_shown_once_booked(audrey_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.AUDIT_VERIFY_SCHEDULE = "03:30"
    text = page_text(audrey_client.get(reverse(PAGE)))
    assert "Nightly verification at 03:30 UTC is not booked in the task queue" in text
    when = schedule_next_verify()
    text = page_text(audrey_client.get(reverse(PAGE)))
    assert f"Nightly verification at 03:30 UTC: next run due {when:%Y-%m-%d %H:%M} UTC" in text


def test_a_malformed_schedule_is_named_on_the_page_not_a_500(audrey_client, settings):
    settings.AUDIT_VERIFY_SCHEDULE = "25:99"
    response = audrey_client.get(reverse(PAGE))
    assert response.status_code == 200
    assert "AUDIT_VERIFY_SCHEDULE must be a 24-hour UTC time" in page_text(response)


def test_verify_now_as_an_auditor_runs_a_verification_recorded_as_theirs(audrey_client, make_events):
    make_events(2)
    response = audrey_client.post(reverse(VERIFY), follow=True)
    assert response.redirect_chain == [(reverse(PAGE), 302)]
    (run,) = VerifyRun.objects.all()
    assert run.trigger == "ui" and run.status == "done" and run.requested_by_label == "audrey"
    (event,) = verify_events()
    assert run.event_seq == event.seq and event.actor_label == "audrey" and event.after["trigger"] == "ui"
    text = page_text(response)
    assert f"Verification #{run.pk} done: its result is below." in text
    assert "Started by audrey (verify now)" in text


def test_verify_now_while_one_is_queued_starts_no_second_and_says_so(audrey_client, root):
    waiting = verify_run_request(trigger="schedule")
    response = audrey_client.post(reverse(VERIFY), follow=True)
    text = page_text(response)
    assert "A verification is already queued (asked for by nightly schedule at" in text
    assert "so no second one was started" in text
    assert VerifyRun.objects.count() == 1 and not verify_events()
    assert waiting.pk == VerifyRun.objects.get().pk


def test_a_running_verification_is_shown_and_polled_until_done(audrey_client, audrey):
    run = verify_run_request(trigger="ui", actor=audrey)
    response = audrey_client.get(reverse(PAGE))
    html = response.content.decode()
    assert f"Verification running: #{run.pk} queued, asked for by audrey" in page_text(response)
    assert 'hx-get="/audit/integrity/" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert re.search(r'<button type="submit" class="btn btn-primary" disabled>Verify now</button>', html)

    from zoomadmin_site.audit.integrity import verify_run_execute

    verify_run_execute(run_id=run.pk)
    fragment = audrey_client.get(reverse(PAGE), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="integrity">')  # the region only, without the polling
    assert "<html" not in body and "hx-trigger" not in body
    assert "Verification running" not in page_text(fragment) and "Intact" in page_text(fragment)
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


def test_a_command_line_verification_shows_as_running_with_who_started_it_where(audrey_client):
    seen = []
    real = chain_verify

    def walk_and_look(**kwargs):
        seen.append(audrey_client.get(reverse(PAGE)))
        return real(**kwargs)

    with mock.patch("zoomadmin_site.audit.integrity.chain_verify", side_effect=walk_and_look):
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())
    (during,) = seen
    run = VerifyRun.objects.get()
    text = page_text(during).replace("( ", "(").replace(" )", ")")
    assert (
        f"Verification running: #{run.pk} running, started from the command line (manage.py audit_verify) "
        f"by {cli_label()} at" in text
    )
    assert "Walking the chain" in page_text(during) and "hx-trigger" in during.content.decode()
    assert re.search(r'class="btn btn-primary" disabled>Verify now<', during.content.decode())
    after = audrey_client.get(reverse(PAGE))
    assert "Verification running" not in page_text(after) and "Intact" in page_text(after)


def test_a_superuser_may_verify_too(root_client):
    assert root_client.post(reverse(VERIFY)).status_code == 302
    assert verify_events()[0].actor_label == "root"


@pytest.mark.parametrize("persona_client", ["charlie", "alice", "morgan"], indirect=True)
def test_operators_without_the_audit_permission_may_neither_see_nor_verify(persona_client):
    for response in (persona_client.get(reverse(PAGE)), persona_client.post(reverse(VERIFY))):
        assert response.status_code == 403
        assert "view_audit_log" in response.content.decode()
    assert not VerifyRun.objects.exists() and not verify_events()
    denied = AuditEvent.objects.get(action="access.denied")  # the refused POST is on the record
    assert denied.target_id == reverse(VERIFY)


@pytest.mark.parametrize("persona_client", ["anonymous"], indirect=True)
def test_anonymous_visitors_are_sent_to_log_in(persona_client):
    for response in (persona_client.get(reverse(PAGE)), persona_client.post(reverse(VERIFY))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not VerifyRun.objects.exists()


def test_verify_now_answers_get_with_405_and_the_page_answers_post_with_405(audrey_client):
    assert audrey_client.get(reverse(VERIFY)).status_code == 405
    assert audrey_client.post(reverse(PAGE)).status_code == 405
    assert not VerifyRun.objects.exists()


def test_verify_now_needs_the_csrf_token(audrey):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(audrey)
    assert client.post(reverse(VERIFY)).status_code == 403
    assert not VerifyRun.objects.exists()


def test_a_run_that_ended_without_a_result_is_named_until_a_later_verification(audrey_client, audrey):
    run = verify_run_request(trigger="ui", actor=audrey)
    VerifyRun.objects.filter(pk=run.pk).update(
        status="abandoned", active=False, finished_at=timezone.now(), error="Its worker stopped answering."
    )
    text = page_text(audrey_client.get(reverse(PAGE)))
    assert f"Verification #{run.pk} (abandoned, asked for by audrey) recorded no result: Its worker" in text
    audit_verify_run(triggered_by="cli")
    assert "recorded no result" not in page_text(audrey_client.get(reverse(PAGE)))
