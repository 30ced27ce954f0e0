"""One audit event: every field, pretty JSON, its operation's other events, its hashes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zoomadmin_site.audit.services import audit_finish, audit_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(alice):
    started = audit_start(
        action="role_change.execute",
        actor=alice,
        target_type="zoom_user",
        target_id="u-42",
        target_label="Dana Lee",
        before={"role_id": "2"},
        reason="Needs admin for the migration",
        preflight={"checks": [{"name": "approved", "status": "pass"}]},
    )
    finished = audit_finish(
        started,
        outcome="unverified",
        after={"role_id": "1"},
        zoom_calls=[
            {
                "method": "PATCH",
                "path": "/users/u-42",
                "status": 504,
                "zoom_code": None,
                "zoom_message": "Gateway timeout",
                "tracking_id": "trk-9",
            }
        ],
    )
    return started, finished


def test_detail_shows_every_field(audrey_client, operation):
    _, finished = operation
    html = audrey_client.get(reverse("audit:event_detail", args=[finished.seq])).content.decode()
    for text in (
        f"Audit event {finished.seq}",
        "role_change.execute",
        "alice",
        "Dana Lee",
        "u-42",
        "Needs admin for the migration",
        "badge badge-unverified",
        "Gateway timeout",
        "trk-9",
        "/users/u-42",
        str(finished.operation_id),
        finished.hash,
        finished.prev_hash,
    ):
        assert text in html, text


def test_detail_pretty_prints_json(audrey_client, operation):
    started, _ = operation
    html = audrey_client.get(reverse("audit:event_detail", args=[started.seq])).content.decode()
    assert "{\n  &quot;role_id&quot;: &quot;2&quot;\n}" in html
    assert "&quot;status&quot;: &quot;pass&quot;" in html


def test_detail_links_the_other_events_of_the_same_operation(audrey_client, operation):
    started, finished = operation
    html = audrey_client.get(reverse("audit:event_detail", args=[started.seq])).content.decode()
    assert f'href="{reverse("audit:event_detail", args=[finished.seq])}"' in html
    html = audrey_client.get(reverse("audit:event_detail", args=[finished.seq])).content.decode()
    assert f'href="{reverse("audit:event_detail", args=[started.seq])}"' in html


def test_detail_links_the_targets_history(audrey_client, operation):
    _, finished = operation
    html = audrey_client.get(reverse("audit:event_detail", args=[finished.seq])).content.decode()
    assert "/audit/?target_type=zoom_user&amp;target_id=u-42" in html


@pytest.mark.parametrize("seq", [999_999, 0, 2**63, 10**30])
def test_unknown_seq_is_a_404_page(audrey_client, operation, seq):
    response = audrey_client.get(f"/audit/{seq}/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_non_numeric_seq_is_a_404(audrey_client, db):
    assert audrey_client.get("/audit/abc/").status_code == 404
