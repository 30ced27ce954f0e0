"""'Refresh this row from Zoom' on the user and meeting pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Delegation, ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request


@pytest.fixture
def synced(zoom_sandbox):
    sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk)
    return zoom_sandbox


def test_refreshing_a_user_reads_their_profile_and_both_sides_of_their_delegations(alice_client, synced):
    user = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    synced.update_user(user.email, dept="Field Sales")
    dana = ZoomUser.objects.get(email=SCENARIOS["old_host"]["email"])
    synced.add_assistant(host=user.email, assistant=dana.email)
    response = alice_client.post(reverse("mirror:user_refresh", args=[user.zoom_id]), follow=True)
    assert "Refreshed from Zoom just now." in response.content.decode()
    assert ZoomUser.objects.get(pk=user.pk).dept == "Field Sales"
    delegation = Delegation.objects.filter(assistant_zoom_id=dana.zoom_id, host_zoom_id=user.zoom_id)
    assert delegation.filter(gone_at=None).exists()


def test_refreshing_a_meeting_learns_its_scheduler_of_record(alice_client, synced):
    meeting_id = SCENARIOS["transfer_works"]["meeting_id"]
    assert ZoomMeeting.objects.get(meeting_id=meeting_id).assistant_id == ""  # lists do not carry it
    alice_client.post(reverse("mirror:meeting_refresh", args=[meeting_id]))
    meeting = ZoomMeeting.objects.get(meeting_id=meeting_id)
    assert meeting.assistant_id == synced.api_user_id
    assert meeting.scheduler_of_record_id == synced.api_user_id


def test_refreshing_a_meeting_zoom_no_longer_has_marks_it_gone(alice_client, synced):
    meeting = ZoomMeeting.objects.get(meeting_id=SCENARIOS["transfer_blocked"]["meeting_id"])
    ZoomMeeting.objects.filter(pk=meeting.pk).update(meeting_id=89999999999)
    response = alice_client.post(reverse("mirror:meeting_refresh", args=[89999999999]), follow=True)
    assert "Zoom no longer has this meeting" in response.content.decode()
    assert ZoomMeeting.objects.get(pk=meeting.pk).gone_at is not None


def test_zoom_errors_during_a_refresh_are_explained_and_change_nothing(alice_client, synced):
    user = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    synced.fail_next("GET", "/users/*", status=503, count=10)
    response = alice_client.post(reverse("mirror:user_refresh", args=[user.zoom_id]), follow=True)
    assert response.status_code == 200
    assert "Zoom did not answer as expected" in response.content.decode()


@pytest.mark.parametrize(
    "persona_client,expected",
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403)],
    indirect=["persona_client"],
)
def test_only_it_admins_can_refresh_rows(persona_client, expected):
    response = persona_client.post(reverse("mirror:meeting_refresh", args=[85010000001]))
    assert response.status_code == expected


def test_detail_pages_offer_the_refresh_button_to_it_admins(alice_client, synced):
    user = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    page = alice_client.get(user.get_absolute_url()).content.decode()
    assert f'action="{reverse("mirror:user_refresh", args=[user.zoom_id])}"' in page


def test_refreshing_a_user_whose_email_changed_in_zoom_updates_their_row(alice_client, synced):
    user = ZoomUser.objects.get(email=SCENARIOS["new_host"]["email"])
    synced.update_user(user.email, email="marcus.o@example.com", email_lc="marcus.o@example.com")
    response = alice_client.post(reverse("mirror:user_refresh", args=[user.zoom_id]), follow=True)
    assert response.status_code == 200
    assert "Refreshed from Zoom just now." in response.content.decode()
    refreshed = ZoomUser.objects.get(pk=user.pk)
    assert (refreshed.email, refreshed.zoom_id) == ("marcus.o@example.com", user.zoom_id)
    assert ZoomUser.objects.filter(zoom_id=user.zoom_id).count() == 1


def test_refreshing_a_pending_user_by_email_adopts_the_id_zoom_gives(alice_client, synced):
    pending = ZoomUser.objects.get(email="olivia.grant@example.com", zoom_id=None)
    response = alice_client.post(reverse("mirror:user_refresh", args=[pending.email]), follow=True)
    assert response.status_code == 200
    refreshed = ZoomUser.objects.get(pk=pending.pk)
    assert refreshed.zoom_id == synced.user(pending.email)["id"]
    assert ZoomUser.objects.filter(email=pending.email).count() == 1


@pytest.mark.parametrize(
    "key",
    ["me", "a b", "..", "x" * 65, "nobody@", "<script>alert(1)</script>", "\u202eevil@example.com", "a/b"],
)
def test_a_user_key_zoom_would_not_take_is_refused_without_calling_zoom(alice_client, zoom_sandbox, key):
    before = zoom_sandbox.last_call_id()
    response = alice_client.post(reverse("mirror:user_refresh", args=[key]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "is neither a Zoom user id nor an email address" in html and "Zoom was not asked" in html
    assert "<script>alert" not in html
    assert zoom_sandbox.last_call_id() == before


@pytest.mark.parametrize("meeting_id", ["1", "12345678", "1000000000000", "99999999999999999999999999"])
def test_a_meeting_id_zoom_would_not_give_is_refused_without_calling_zoom(
    alice_client, zoom_sandbox, meeting_id
):
    before = zoom_sandbox.last_call_id()
    response = alice_client.post(f"/meetings/{meeting_id}/refresh/", {"row": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert "is not a Zoom meeting id" in response.content.decode()
    assert zoom_sandbox.last_call_id() == before


def test_a_well_shaped_key_is_asked_of_zoom(alice_client, zoom_sandbox):
    """The counterpart of the two above: the call log does move when a key is worth a call."""
    before = zoom_sandbox.last_call_id()
    alice_client.post(reverse("mirror:user_refresh", args=["NoSuchUserInZoom1"]))
    alice_client.post(reverse("mirror:meeting_refresh", args=[89999999999]))
    assert [c.path for c in zoom_sandbox.calls(since_id=before) if "/oauth" not in c.path][-2:] == [
        "/v2/users/NoSuchUserInZoom1",
        "/v2/meetings/89999999999",
    ]


def test_a_pending_user_whose_email_has_a_slash_is_listed_shown_and_refreshed(alice_client, synced):
    """Zoom takes such emails; a pending user has no id, so their pages are keyed by the email."""
    email = "sales/emea+o'neil@example.com"
    synced.create_user(email, first_name="Slash", last_name="Pending", status="pending")
    sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk)
    pending = ZoomUser.objects.get(email=email)
    assert pending.zoom_id is None
    listing = alice_client.get("/users/", {"q": "slash"})
    assert listing.status_code == 200
    detail_url = reverse("accounts:user_detail", args=[email])
    refresh_url = reverse("mirror:user_refresh", args=[email])
    html = listing.content.decode()
    assert f'href="{escape(detail_url)}"' in html and f'formaction="{escape(refresh_url)}"' in html
    assert "Slash Pending" in alice_client.get(detail_url).content.decode()
    before = synced.last_call_id()
    response = alice_client.post(refresh_url, follow=True)
    # The user's page again. (The sandbox decodes %2F in a path before routing it, so it cannot find
    # this user and the page says Zoom did not answer as expected; the call itself went out, once.)
    assert response.status_code == 200 and response.redirect_chain == [(detail_url, 302)]
    calls = [c for c in synced.calls(since_id=before) if "/oauth" not in c.path]
    assert [(c.method, c.path) for c in calls] == [("GET", f"/v2/users/{email}")]
