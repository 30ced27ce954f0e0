"""Audit events read as sentences: a role change from request to Zoom's read-back."""

from __future__ import annotations

import pytest

from accounts.role_changes import role_change_approve, role_change_request
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.sentences import event_sentence

pytestmark = pytest.mark.django_db
PRIYA = "priya.raman@example.com"


def test_a_role_change_reads_as_a_story(zoom_sandbox, alice, morgan, audrey_client):
    request = role_change_request(
        user_key=PRIYA, role={"role_name": "Admin"}, reason="Runs webinars", actor=alice
    )
    role_change_approve(request_id=request.request.pk, actor=morgan, comment="Agreed with her manager")
    story = [
        event_sentence(e)
        for e in AuditEvent.objects.filter(action__startswith="role_change.").order_by("seq")
    ]
    n = request.request.pk
    assert (
        story[0] == f"alice asked to make Priya Raman <{PRIYA}> Admin (request #{n}) (reason: Runs webinars)"
    )
    assert story[1] == f"morgan approved request #{n} about Priya Raman <{PRIYA}>: “Agreed with her manager”"
    assert story[2].startswith("The check before changing Priya Raman")
    assert story[3] == f"Zoom Admin started changing Priya Raman <{PRIYA}>'s role for morgan"
    assert story[4].startswith(f"Zoom was read back: Zoom shows {PRIYA} as Admin (read back ")
    assert story[5].startswith(f"Zoom applied it: Zoom shows {PRIYA} as Admin")
    page = audrey_client.get("/audit/?action=role_change").content.decode()
    assert "asked to make Priya Raman" in page and "approved request #" in page


def test_an_action_without_its_own_sentence_still_reads(alice):
    from zoomadmin_site.audit.services import audit_record

    event = audit_record(action="mirror.sync", outcome="succeeded", actor=alice, reason="3 users changed")
    assert event_sentence(event) == "Mirror sync by alice: 3 users changed"


def test_two_clicks_answer_who_made_her_admin_who_approved_and_whether_zoom_applied_it(
    zoom_sandbox, alice, morgan, audrey_client
):
    request = role_change_request(
        user_key=PRIYA, role={"role_name": "Admin"}, reason="Runs webinars", actor=alice
    )
    role_change_approve(request_id=request.request.pk, actor=morgan, comment="ok")
    listing = audrey_client.get(
        "/audit/?q=priya&action=role_change.execute&outcome=succeeded"
    ).content.decode()
    final = AuditEvent.objects.get(action="role_change.execute", outcome="succeeded")
    assert f'href="/audit/{final.seq}/"' in listing  # click 1
    event_page = audrey_client.get(f"/audit/{final.seq}/").content.decode()
    assert f'href="/approvals/{request.request.pk}/"' in event_page  # click 2
    story = audrey_client.get(f"/approvals/{request.request.pk}/").content.decode()
    line = story.split('id="request-story">')[1].split("</p>")[0]
    assert "alice asked to make Priya Raman" in line and "Admin (reason: Runs webinars)" in line
    assert "approved by morgan" in line and "Zoom applied it, verified" in line


def test_labels_come_from_the_choices_as_get_display_gives_them():
    from zoomadmin_site.audit.models import AuditEvent
    from zoomadmin_site.audit.sentences import ACTION_LABELS, OUTCOME_LABELS

    for action in ACTION_LABELS:
        assert ACTION_LABELS[action] == AuditEvent(action=action).get_action_display()
    for outcome in OUTCOME_LABELS:
        assert OUTCOME_LABELS[outcome] == AuditEvent(outcome=outcome).get_outcome_display()
