"""Every view denies by default: it is public on purpose, or it names the permission it needs."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zoomadmin_site.roles import GROUPS, IT_ADMIN, PERMISSIONS

# The JSON API takes no session: its views are public to the login machinery and authenticate by API
# token themselves (they still name their permission, which the token's operator needs).
PUBLIC_VIEWS = {
    "login",
    "healthz",
    "mirror:webhook",
    "api:role_change_create",
    "api:role_change_detail",
    "api:openapi",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + (entry.name or str(entry.pattern)), entry.callback


def _own_views():
    for name, view in _walk(get_resolver().url_patterns):
        module = getattr(view, "__module__", "")
        if name.startswith("admin:"):
            continue  # Django admin: staff only, through admin_site.admin_view
        if module.startswith("django.contrib.auth.views") and name != "login":
            continue
        yield name, view


@pytest.mark.parametrize("name,view", list(_own_views()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_view_is_public_on_purpose_or_names_its_permission(name, view):
    if name in PUBLIC_VIEWS:
        assert getattr(view, "login_required", True) is False, f"{name} should be explicitly public"
    else:
        assert getattr(view, "login_required", True) is not False, f"{name} is public by accident"
        assert getattr(view, "required_permission", None) in PERMISSIONS, f"{name} names no permission"


def test_groups_hold_exactly_the_documented_permissions(db):
    from django.contrib.auth.models import Group

    for group_name, codenames in GROUPS.items():
        group = Group.objects.get(name=group_name)
        assert sorted(group.permissions.values_list("codename", flat=True)) == sorted(codenames)


def test_group_migration_is_idempotent_and_repairs_drift(db):
    from django.contrib.auth.models import Group

    from zoomadmin_site.roles import ensure_operator_groups

    Group.objects.get(name=IT_ADMIN).permissions.clear()
    ensure_operator_groups()
    ensure_operator_groups()
    assert Group.objects.filter(name=IT_ADMIN).count() == 1
    assert Group.objects.get(name=IT_ADMIN).permissions.count() == len(GROUPS[IT_ADMIN])


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/")


def test_operator_without_role_gets_a_403_page_naming_the_missing_permission(charlie_client):
    response = charlie_client.get(reverse("home"))
    assert response.status_code == 403
    assert "Browse Zoom users and meetings" in response.content.decode()
    assert "(browse)" in response.content.decode()


@pytest.mark.parametrize(
    "persona_client,expected",
    [("anonymous", 302), ("charlie", 403), ("alice", 200), ("morgan", 200), ("audrey", 200), ("root", 200)],
    indirect=["persona_client"],
)
def test_dashboard_permission_boundary(persona_client, expected):
    assert persona_client.get(reverse("home")).status_code == expected


def test_header_shows_operator_and_role(alice_client):
    body = alice_client.get(reverse("home")).content.decode()
    assert "alice" in body
    assert IT_ADMIN in body


@pytest.mark.parametrize(
    "persona_client,links",
    [
        ("alice", ["Users", "Meetings", "Approvals"]),
        ("morgan", ["Users", "Meetings", "Approvals"]),
        ("audrey", ["Users", "Meetings", "Approvals", "Audit log"]),
        ("root", ["Users", "Meetings", "Approvals", "Audit log"]),
    ],
    indirect=["persona_client"],
)
def test_navigation_offers_only_the_pages_the_operator_may_open(persona_client, links):
    nav = persona_client.get(reverse("home")).content.decode().split('<nav class="mainnav"')[1]
    nav = nav.split("</nav>")[0]
    assert re.findall(r">([^<>]+)</a>", nav) == links


def test_login_with_wrong_password_shows_a_message_and_no_session(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_logout(client, alice):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    "persona_client,expected",
    [("anonymous", 302), ("charlie", 302), ("alice", 302), ("audrey", 302), ("root", 200)],
    indirect=["persona_client"],
)
def test_django_admin_is_for_superusers_only(persona_client, expected):
    response = persona_client.get("/admin/")
    assert response.status_code == expected
    if expected == 302:
        assert "/login/" in response["Location"]


# Host transfers and offboarding: each view and the one permission it names.
TRANSFER_VIEWS = {
    "meetings:host_transfer": "transfer_host",
    "meetings:host_transfer_check": "transfer_host",
    "meetings:host_transfer_grant": "transfer_host",
    "meetings:host_transfer_run": "transfer_host",
    "meetings:new_host_search": "transfer_host",
    "meetings:new_host_pick": "transfer_host",
    "meetings:offboarding": "transfer_host",
    "meetings:offboarding_fix": "transfer_host",
    "meetings:offboarding_run": "transfer_host",
    "meetings:transfer_job_list": "transfer_host",
    "meetings:transfer_job": "transfer_host",
    "meetings:transfer_job_pause": "transfer_host",
    "meetings:transfer_job_resume": "transfer_host",
    "meetings:transfer_job_retry": "transfer_host",
    "meetings:transfer_job_report": "transfer_host",
}


@pytest.mark.parametrize(("name", "codename"), TRANSFER_VIEWS.items())
def test_host_transfer_views_need_the_transfer_host_permission(name, codename):
    views = dict(_own_views())
    assert name in views, f"{name} is not routed"
    assert views[name].required_permission == codename
    # Auditors read the jobs (list, page, report) and nothing else of host transfers.
    read_only = {"meetings:transfer_job_list", "meetings:transfer_job", "meetings:transfer_job_report"}
    assert views[name].read_only_permission == ("view_audit_log" if name in read_only else "")


def test_every_host_transfer_view_is_declared():
    routed = {
        name for name, _ in _own_views() if "transfer" in name or "offboarding" in name or "new_host" in name
    }
    assert routed == set(TRANSFER_VIEWS)
