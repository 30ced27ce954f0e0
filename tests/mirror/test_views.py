from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ZoomUser
from zoomadmin_site.mirror.models import SyncRun


@pytest.mark.parametrize(
    "persona_client,expected",
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
def test_mirror_overview_permission_boundary(persona_client, expected):
    assert persona_client.get(reverse("mirror:overview")).status_code == expected


@pytest.mark.parametrize(
    "persona_client,expected",
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
def test_only_it_admins_can_start_a_sync(persona_client, expected):
    response = persona_client.post(reverse("mirror:sync_start"))
    assert response.status_code == expected
    assert not SyncRun.objects.exists()


def test_sync_start_runs_the_sync_in_the_background_and_shows_progress(alice_client, zoom_sandbox):
    response = alice_client.post(reverse("mirror:sync_start"), follow=True)
    assert response.status_code == 200
    run = SyncRun.objects.get()  # the test settings' task backend runs the task at once
    assert run.status == SyncRun.Status.SUCCEEDED and run.requested_by.username == "alice"
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()
    body = response.content.decode()
    assert f"Sync #{run.pk} queued" in body
    assert "Users last synced" in body


def test_starting_a_second_sync_while_one_is_queued_explains_why_not(alice_client, zoom_sandbox, settings):
    SyncRun.objects.create(trigger=SyncRun.Trigger.SCHEDULE, requested_by_label="schedule")
    response = alice_client.post(reverse("mirror:sync_start"), follow=True)
    assert "A sync is already queued (started by schedule)" in response.content.decode()
    assert SyncRun.objects.count() == 1


def test_progress_panel_polls_only_while_a_run_is_active(alice_client):
    idle = alice_client.get(reverse("mirror:overview"), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in idle and "<html" not in idle
    SyncRun.objects.create(
        trigger=SyncRun.Trigger.UI, status=SyncRun.Status.RUNNING, phase="meetings", done=5, total=20
    )
    busy = alice_client.get(reverse("mirror:overview"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in busy and "5 of 20 (25%)" in busy
