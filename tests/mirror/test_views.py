from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ZoomRole, ZoomUser
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


def test_the_users_page_filter_lists_are_fresh_after_the_next_sync(
    alice_client, zoom_sandbox, django_capture_on_commit_callbacks
):
    """Roles and departments are cached for the search pages; a full sync drops them once written (on
    commit: the test's transaction never commits, so the callbacks are run here)."""
    alice_client.post(reverse("mirror:sync_start"))
    users = reverse("accounts:user_list")
    assert "Field Operations" not in alice_client.get(users).content.decode()  # now cached
    someone = ZoomUser.objects.filter(status="active").exclude(dept="").first()
    zoom_sandbox.update_user(someone.email, dept="Field Operations")
    ZoomRole.objects.filter(role_id="2").update(name="Member (renamed here)")
    assert "Field Operations" not in alice_client.get(users).content.decode()  # still the cached list
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("mirror:sync_start"))
    body = alice_client.get(users).content.decode()
    assert '<option value="Field Operations">Field Operations</option>' in body
    assert "Member (renamed here)" not in body  # the sync wrote Zoom's name back, and the page shows it


def test_forgetting_the_filter_lists_waits_for_the_commit(alice_client, django_capture_on_commit_callbacks):
    from accounts.selectors import forget_filter_lists, role_names

    ZoomRole.objects.create(role_id="r-ops", name="Ops", synced_at=timezone.now())
    assert role_names()["r-ops"] == "Ops"
    ZoomRole.objects.filter(role_id="r-ops").update(name="Operations")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        forget_filter_lists()
    assert role_names()["r-ops"] == "Ops"  # not before the change is committed
    for callback in callbacks:
        callback()
    assert role_names()["r-ops"] == "Operations"
