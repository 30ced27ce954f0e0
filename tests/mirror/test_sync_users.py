"""Users are matched on Zoom's id, not their email: emails change in Zoom, and the sync keeps up."""

from __future__ import annotations

import pytest

from accounts.mirroring import released_email, user_row
from accounts.models import ZoomUser
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request
from zoomadmin_site.sync.upsert import Drift, upsert_users
from zoomadmin_site.zoom import ZoomUser as ZoomApiUser

pytestmark = pytest.mark.django_db


def _sync() -> SyncRun:
    return sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk, workers=2)


def _change_email(sandbox, old: str, new: str) -> None:
    sandbox.update_user(old, email=new, email_lc=new.lower())


def _last_drift() -> dict:
    return AuditEvent.objects.filter(action="mirror.sync").order_by("-seq").first().after["drift"]


def test_a_user_whose_email_changed_in_zoom_keeps_their_row_and_every_later_sync_succeeds(zoom_sandbox):
    _sync()
    user = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    _change_email(zoom_sandbox, user.email, "marcus.o@example.com")

    assert _sync().status == SyncRun.Status.SUCCEEDED
    moved = ZoomUser.objects.get(pk=user.pk)
    assert (moved.email, moved.zoom_id, moved.gone_at) == ("marcus.o@example.com", user.zoom_id, None)
    assert not ZoomUser.objects.filter(email=SCENARIOS["new_host"]["email"]).exists()
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()
    assert _last_drift()["users"]["examples"]["updated"] == [user.zoom_id]
    assert _sync().status == SyncRun.Status.SUCCEEDED
    assert _last_drift()["users"]["updated"] == 0


def test_two_users_swapping_emails_in_one_sync_keep_their_ids_and_nobody_is_marked_gone(zoom_sandbox):
    _sync()
    dana = ZoomUser.objects.get(email=SCENARIOS["old_host"]["email"])
    marcus = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    _change_email(zoom_sandbox, dana.email, "swap@example.com")
    _change_email(zoom_sandbox, marcus.email, dana.email)
    _change_email(zoom_sandbox, "swap@example.com", marcus.email)

    assert _sync().status == SyncRun.Status.SUCCEEDED
    assert ZoomUser.objects.get(zoom_id=dana.zoom_id).email == marcus.email
    assert ZoomUser.objects.get(zoom_id=marcus.zoom_id).email == dana.email
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()
    assert not ZoomUser.objects.filter(gone_at__isnull=False).exists()


def test_a_pending_user_who_accepts_the_invitation_gets_their_id_on_the_same_row(zoom_sandbox):
    _sync()
    pending = ZoomUser.objects.get(email="olivia.grant@example.com")
    assert pending.zoom_id is None
    zoom_sandbox.set_user_status(pending.email, "active")

    assert _sync().status == SyncRun.Status.SUCCEEDED
    active = ZoomUser.objects.get(pk=pending.pk)
    assert active.zoom_id == zoom_sandbox.user(pending.email)["id"]
    assert active.status == "active" and active.gone_at is None
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()


def test_an_email_given_to_a_new_user_is_released_by_the_old_row_which_is_marked_gone(zoom_sandbox):
    _sync()
    leaver = ZoomUser.objects.get(email=SCENARIOS["promote_member"]["email"])
    # Zoom would have deleted the leaver; the sync sees only that the email now has another id.
    ZoomUser.objects.filter(pk=leaver.pk).update(zoom_id="left-the-company")

    assert _sync().status == SyncRun.Status.SUCCEEDED
    newcomer = ZoomUser.objects.get(email=leaver.email)
    assert newcomer.pk != leaver.pk and newcomer.zoom_id == leaver.zoom_id
    old = ZoomUser.objects.get(pk=leaver.pk)
    assert old.gone_at is not None and old.email == released_email(leaver.email, pk=leaver.pk)


def test_a_pending_row_keeps_the_id_a_refresh_learned_when_the_list_shows_none(zoom_sandbox):
    _sync()
    pending = ZoomUser.objects.get(email="olivia.grant@example.com")
    ZoomUser.objects.filter(pk=pending.pk).update(zoom_id="known-from-refresh")
    _sync()
    assert ZoomUser.objects.get(pk=pending.pk).zoom_id == "known-from-refresh"


def test_released_emails_are_unique_and_never_an_address():
    placeholder = released_email("a@example.com", pk=7)
    assert placeholder != released_email("a@example.com", pk=8)
    assert " " in placeholder and "a@example.com" in placeholder


def test_upsert_counts_an_email_change_as_one_updated_user(db):
    from django.utils import timezone

    now = timezone.now()
    ZoomUser.objects.create(zoom_id="u1", email="old@example.com", display_name="U", synced_at=now)
    drift = Drift()
    row = user_row(ZoomApiUser(id="u1", email="New@Example.com", first_name="U"), now=now)
    upsert_users([row], drift=drift)
    assert (drift.created, drift.updated) == (0, 1)
    assert list(ZoomUser.objects.values_list("zoom_id", "email")) == [("u1", "new@example.com")]
