"""A refused state-changing request is an audit event: who, which method and path, which permission was
missing. Refused GETs are not recorded (see `zoomadmin_site.access.access_denied_record`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied").order_by("seq"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_refused_state_changing_request_is_audited_with_the_missing_permission(
    charlie_client, charlie, method
):
    response = getattr(charlie_client, method)(reverse("mirror:sync_start"))
    assert response.status_code == 403
    [event] = denied()
    assert (event.actor, event.actor_label, event.outcome) == (charlie, "charlie", "denied")
    assert (event.target_type, event.target_id) == ("url", "/mirror/sync/")
    assert event.after == {"method": method.upper(), "path": "/mirror/sync/", "permission": "sync_mirror"}
    assert f"{method.upper()} /mirror/sync/ refused: missing permission sync_mirror" == event.reason
    assert event.request_id == response["X-Request-ID"]


def test_an_auditor_refreshing_a_user_is_refused_and_audited(audrey_client, audrey):
    url = reverse("mirror:user_refresh", args=["abc123"])
    assert audrey_client.post(url).status_code == 403
    [event] = denied()
    assert (event.actor, event.target_id, event.after["permission"]) == (audrey, url, "sync_mirror")


def test_a_post_to_a_page_the_operator_may_not_browse_names_browse(charlie_client):
    assert charlie_client.post(reverse("home")).status_code == 403
    [event] = denied()
    assert event.after["permission"] == "browse"


def test_the_403_page_still_names_the_missing_permission(charlie_client):
    body = charlie_client.post(reverse("mirror:sync_start")).content.decode()
    assert "Refresh the local mirror from Zoom" in body and "(sync_mirror)" in body


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_refused_read_is_not_audited(charlie_client, method):
    assert getattr(charlie_client, method)(reverse("home")).status_code == 403
    assert denied() == []


def test_a_403_without_a_named_permission_is_audited_too(client, django_user_model, alice):
    staff = django_user_model.objects.create_user("staffer", password="x", is_staff=True)
    client.force_login(staff)
    response = client.post(reverse("admin:auth_user_change", args=[alice.pk]), {"username": "mallory"})
    assert response.status_code == 403
    [event] = denied()
    assert (event.actor, event.after["permission"]) == (staff, "")
    assert event.reason.startswith(f"POST /admin/auth/user/{alice.pk}/change/ refused")


def test_anonymous_callers_are_sent_to_log_in_and_nothing_is_recorded(client, db):
    response = client.post(reverse("mirror:sync_start"))
    assert response.status_code == 302
    assert denied() == []
