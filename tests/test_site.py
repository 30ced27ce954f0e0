"""Site-wide behaviour: health endpoint, request ids, security headers and strict CSP on every page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

HTML_PAGES = [
    "home",
    "accounts:user_list",
    "meetings:meeting_list",
    "accounts:approval_list",
    "audit:event_list",
]


def test_healthz_tells_anonymous_callers_only_the_status(client, db, settings):
    settings.ZOOM_CLIENT_SECRET = "very-secret-value"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_shows_database_and_zoom_mode_to_logged_in_operators_without_secrets(
    charlie_client, settings
):
    from django.db import connection

    settings.ZOOM_CLIENT_SECRET = "very-secret-value"
    response = charlie_client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "database_vendor": connection.vendor,
        "zoom_mode": "sandbox",
    }
    assert "very-secret-value" not in response.content.decode()


class DownConnection:
    vendor = "sqlite"

    def cursor(self):
        raise RuntimeError("database is down")


def test_healthz_is_degraded_when_the_database_is_unreachable(client, db, monkeypatch):
    monkeypatch.setattr("zoomadmin_site.views.connection", DownConnection())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}


def test_healthz_names_the_unreachable_database_to_operators(charlie_client, monkeypatch):
    monkeypatch.setattr("zoomadmin_site.views.connection", DownConnection())
    response = charlie_client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_every_response_carries_a_request_id(client, db):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def _assert_strict_page(response):
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script found"
    assert "<style" not in html, "inline style element found"
    assert not re.search(r"\sstyle=", html), "style attribute found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"
    # Every script and stylesheet comes from this site (not a CDN): no src or href to another host. (A
    # plain "cdn" substring test failed whenever the random CSRF token happened to contain those letters.)
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", html), "off-site asset"


@pytest.mark.parametrize("name", HTML_PAGES)
def test_every_page_has_security_headers_and_a_strict_csp(root_client, name):
    response = root_client.get(reverse(name))
    assert response.status_code == 200
    _assert_strict_page(response)


def test_detail_pages_have_security_headers_and_a_strict_csp(root_client):
    from tests.accounts.factories import make_user
    from tests.meetings.factories import make_meeting
    from zoomadmin_site.audit.services import audit_record
    from zoomadmin_site.mirror.models import SyncRun

    user = make_user(display_name="<b>Ann</b>")
    meeting = make_meeting(user, topic="<script>alert(1)</script>")
    event = audit_record(action="auth.login", outcome="succeeded", actor_label="someone")
    run = SyncRun.objects.create(trigger=SyncRun.Trigger.UI, status=SyncRun.Status.SUCCEEDED)
    for url in (
        user.get_absolute_url(),
        meeting.get_absolute_url(),
        reverse("audit:event_detail", args=[event.seq]),
        reverse("mirror:overview"),
        reverse("mirror:run_detail", args=[run.pk]),
    ):
        response = root_client.get(url)
        assert response.status_code == 200, url
        _assert_strict_page(response)


def test_the_server_error_page_is_strict_and_names_the_request(client, db):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.failing_urls"):
        response = client.get("/boom/")
    assert response.status_code == 500
    _assert_strict_page(response)
    assert response["X-Request-ID"] in response.content.decode()


def test_login_page_is_strict(client, db):
    _assert_strict_page(client.get(reverse("login")))


def test_error_pages_are_strict_too(charlie_client):
    _assert_strict_page(charlie_client.get(reverse("home")))
    response = charlie_client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_strict_page(response)


def test_htmx_is_served_from_our_static_files(root_client):
    html = root_client.get(reverse("home")).content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2[^"]*\.js"', html)
    assert '"includeIndicatorStyles": false' in html


def test_dashboard_shows_mirror_counts_and_recent_activity_to_auditors(audrey_client, alice):
    from django.utils import timezone

    from accounts.models import ZoomUser
    from zoomadmin_site.audit.services import audit_record

    now = timezone.now()
    ZoomUser.objects.create(zoom_id="a", email="a@example.com", display_name="A", type=2, synced_at=now)
    ZoomUser.objects.create(email="p@example.com", display_name="P", status="pending", synced_at=now)
    audit_record(action="mirror.sync", outcome="succeeded", actor_label="system", target_label="Full sync #9")
    body = audrey_client.get(reverse("home")).content.decode()
    assert "1 active · 1 licensed · 1 invited" in body
    assert "Full sync #9" in body and "Recent activity" in body
    assert "<bdi>Mirror sync by system</bdi>" in body  # the audit log's sentence, not only its code
    from django.test import Client

    it_admin = Client()
    it_admin.force_login(alice)
    assert "Recent activity" not in it_admin.get(reverse("home")).content.decode()  # no audit permission
