"""Only auditors (and superusers) see the audit log; everyone else is turned away, and nobody can POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_urls(db):
    event = audit_record(action="mirror.sync", outcome="succeeded")
    return [
        reverse("audit:event_list"),
        reverse("audit:event_detail", args=[event.seq]),
        reverse("audit:event_export"),
    ]


@pytest.mark.parametrize("persona_client", ["anonymous"], indirect=True)
def test_anonymous_visitors_are_sent_to_log_in(persona_client, audit_urls):
    for url in audit_urls:
        response = persona_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona_client", ["charlie", "alice", "morgan"], indirect=True)
def test_operators_without_the_audit_permission_get_a_403_naming_it(persona_client, audit_urls):
    for url in audit_urls:
        response = persona_client.get(url)
        assert response.status_code == 403, url
        assert "view_audit_log" in response.content.decode()


@pytest.mark.parametrize("persona_client", ["audrey", "root"], indirect=True)
def test_auditors_and_superusers_can_open_every_audit_page(persona_client, audit_urls):
    for url in audit_urls:
        assert persona_client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona_client", ["audrey", "root"], indirect=True)
def test_the_audit_log_accepts_no_post(persona_client, audit_urls):
    for url in audit_urls:
        assert persona_client.post(url, {"q": "x"}).status_code == 405, url


def test_every_audit_view_declares_the_audit_permission():
    from zoomadmin_site.audit import urls

    for pattern in urls.urlpatterns:
        assert pattern.callback.required_permission == "view_audit_log", pattern.name
