"""Nothing shown to a logged-in operator is kept by browsers or proxies: every response to one says
`Cache-Control: no-store`, unless its view chose its own caching."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path, reverse

from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting
from zoomadmin_site.audit.services import audit_record

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@login_not_required
def plain_view(request):
    return HttpResponse("plain")


@login_not_required
def cached_view(request):
    response = HttpResponse("cacheable on purpose")
    response["Cache-Control"] = "public, max-age=60"
    return response


urlpatterns = [path("plain/", plain_view), path("cached/", cached_view)]


def assert_no_store(response) -> None:
    assert "no-store" in response.get("Cache-Control", ""), (
        response.request["PATH_INFO"],
        response.status_code,
    )


@pytest.fixture
def mirror():
    user = make_user(display_name="Ann Example")
    return user, make_meeting(user, topic="Quarterly review")


def test_an_it_admins_pages_and_fragments_are_not_stored(alice_client, mirror):
    user, meeting = mirror
    for url in (
        reverse("home"),
        reverse("accounts:user_list"),
        reverse("accounts:user_list") + "?q=ann",
        user.get_absolute_url(),
        reverse("meetings:meeting_list"),
        meeting.get_absolute_url(),
        reverse("accounts:approval_list"),
        reverse("mirror:overview"),
    ):
        assert_no_store(alice_client.get(url))
    assert_no_store(alice_client.get(reverse("accounts:user_list") + "?q=ann", **HTMX))
    assert_no_store(alice_client.get(reverse("meetings:meeting_list") + "?q=review", **HTMX))


def test_an_auditors_audit_log_pages_fragments_and_exports_are_not_stored(audrey_client):
    event = audit_record(action="auth.login", outcome="succeeded", actor_label="someone")
    for url in (
        reverse("home"),
        reverse("audit:event_list"),
        reverse("audit:event_detail", args=[event.seq]),
        reverse("audit:event_export"),
    ):
        assert_no_store(audrey_client.get(url))
    assert_no_store(audrey_client.get(reverse("audit:event_list") + "?q=auth", **HTMX))


def test_a_managers_pages_are_not_stored(morgan_client):
    for url in (reverse("home"), reverse("accounts:approval_list"), reverse("meetings:meeting_list")):
        assert_no_store(morgan_client.get(url))


def test_error_pages_shown_to_an_operator_are_not_stored(charlie_client):
    assert_no_store(charlie_client.get(reverse("home")))  # 403
    assert_no_store(charlie_client.get("/no-such-page/"))  # 404


def test_django_admin_pages_are_not_stored(root_client, alice):
    assert_no_store(root_client.get("/admin/"))
    assert_no_store(root_client.get(reverse("admin:auth_user_change", args=[alice.pk])))


def test_a_response_to_an_operator_without_its_own_caching_gets_no_store(alice_client, settings):
    settings.ROOT_URLCONF = __name__
    assert alice_client.get("/plain/")["Cache-Control"] == "no-store, private"


def test_a_view_that_chose_its_own_caching_keeps_it(alice_client, settings):
    settings.ROOT_URLCONF = __name__
    assert alice_client.get("/cached/")["Cache-Control"] == "public, max-age=60"


def test_anonymous_responses_are_left_alone(client, settings):
    settings.ROOT_URLCONF = __name__
    assert not client.get("/plain/").has_header("Cache-Control")
