"""The operator backend reads an operator's permissions and roles in one query, with Django's answers,
kept on the user object for the request under a name of our own (`user.operator_access`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse

from zoomadmin_site.auth_backends import OperatorAccess, OperatorBackend
from zoomadmin_site.roles import AUDITOR, IT_ADMIN, MANAGER, operator_groups, operator_role_label, perm


def fresh(user):
    """The operator as the next request sees them: no per-request caches yet."""
    return type(user).objects.get(pk=user.pk)


def answers(backend, user):
    """(direct, through groups, all) permissions of `user` as `backend` answers for the next request."""
    user = fresh(user)
    return (
        backend.get_user_permissions(user),
        backend.get_group_permissions(user),
        backend.get_all_permissions(user),
    )


def django_answers(user):
    return answers(ModelBackend(), user)


def our_answers(user):
    return answers(OperatorBackend(), user)


@pytest.fixture
def mixed(alice):
    """An IT admin who is also an auditor, in an empty group, and holds one permission directly."""
    alice.groups.add(Group.objects.get(name=AUDITOR), Group.objects.create(name="Empty role"))
    alice.user_permissions.add(Permission.objects.get(codename="approve_role_change"))
    return alice


@pytest.mark.parametrize("persona", ["alice", "morgan", "audrey", "charlie", "mixed"])
def test_permissions_are_django_s_own(request, persona):
    user = request.getfixturevalue(persona)
    ours = our_answers(user)
    assert ours == django_answers(user)
    assert bool(ours[2]) == (persona != "charlie")


def test_direct_and_group_permissions_are_kept_apart(mixed):
    own, through_groups, everything = our_answers(mixed)
    assert own == {perm("approve_role_change")}
    assert perm("view_audit_log") in through_groups and perm("transfer_host") in through_groups
    assert perm("approve_role_change") not in through_groups
    assert everything == own | through_groups


def test_one_query_answers_every_check_and_the_role_names(mixed, django_assert_num_queries):
    user = fresh(mixed)
    with django_assert_num_queries(1):
        assert user.has_perm(perm("browse"))
        assert user.has_perm(perm("approve_role_change"))
        assert not user.has_perm("auth.add_user")
        assert operator_groups(user) == ["Auditor", "Empty role", IT_ADMIN]
        assert operator_role_label(user) == f"Auditor, Empty role, {IT_ADMIN}"


def test_the_access_is_kept_on_the_operator_for_the_rest_of_the_request(mixed, django_assert_num_queries):
    user = fresh(mixed)
    assert user.has_perm(perm("browse"))
    mixed.groups.clear()  # seen from the next request on (test_a_role_removed_is_gone_on_the_next_request)
    with django_assert_num_queries(0):
        assert user.has_perm(perm("transfer_host"))
        assert user.get_all_permissions() == user.operator_access.permissions
    assert user.operator_access == OperatorAccess(
        own=frozenset({perm("approve_role_change")}),
        through_groups=frozenset(
            perm(c)
            for c in ("browse", "sync_mirror", "request_role_change", "transfer_host", "view_audit_log")
        ),
        permissions=user.operator_access.own | user.operator_access.through_groups,
        roles=("Auditor", "Empty role", IT_ADMIN),
    )


def test_module_permissions_answer_from_the_same_query(mixed, django_assert_num_queries):
    user = fresh(mixed)
    with django_assert_num_queries(1):
        assert user.has_module_perms("zoomadmin_site")
        assert not user.has_module_perms("auth")
        assert operator_groups(user) == ["Auditor", "Empty role", IT_ADMIN]
    assert OperatorBackend().has_module_perms(fresh(mixed), "zoomadmin_site")


def test_django_admin_shows_a_staff_operator_the_apps_their_permissions_open(alice, client):
    alice.is_staff = True
    alice.save()
    alice.user_permissions.add(Permission.objects.get(codename="view_zoomuser"))
    client.force_login(alice)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:accounts_zoomuser_changelist") in response.content.decode()
    assert reverse("admin:auth_user_changelist") not in response.content.decode()
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_anonymous_visitors_hold_nothing_and_cost_no_query(db, django_assert_num_queries):
    visitor = AnonymousUser()
    with django_assert_num_queries(0):
        assert not visitor.has_perm(perm("browse"))
        assert OperatorBackend().get_all_permissions(visitor) == set()
        assert operator_groups(visitor) == []
        assert operator_role_label(visitor) == ""


def test_role_names_are_asked_for_when_no_check_has_run(morgan, django_assert_num_queries):
    user = fresh(morgan)
    with django_assert_num_queries(1):
        assert operator_role_label(user) == MANAGER


def test_inactive_operators_and_object_checks_hold_nothing(alice, django_assert_num_queries):
    alice.is_active = False
    alice.save()
    user = fresh(alice)
    with django_assert_num_queries(0):
        assert OperatorBackend().get_all_permissions(user) == set()
    alice.is_active = True
    alice.save()
    assert OperatorBackend().get_all_permissions(fresh(alice), obj=object()) == set()


def test_superusers_keep_django_s_path(root):
    everything = ModelBackend().get_all_permissions(fresh(root))
    assert everything == {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}
    assert our_answers(root) == django_answers(root)
    assert OperatorBackend().get_all_permissions(fresh(root)) == everything
    assert OperatorBackend().has_module_perms(fresh(root), "auth")
    assert operator_role_label(fresh(root)) == "Superuser"


def test_a_role_removed_is_gone_on_the_next_request(alice_client, alice):
    assert alice_client.get(reverse("meetings:meeting_list")).status_code == 200
    alice.groups.clear()
    response = alice_client.get(reverse("meetings:meeting_list"))
    assert response.status_code == 403


def test_the_header_names_every_role(mixed, client):
    client.force_login(mixed)
    body = client.get(reverse("home")).content.decode()
    assert f"Auditor, Empty role, {IT_ADMIN}" in body


def test_the_session_s_operator_is_django_s(mixed):
    ours, django = OperatorBackend().get_user(str(mixed.pk)), ModelBackend().get_user(mixed.pk)
    assert ours == django
    assert [getattr(ours, f.attname) for f in type(ours)._meta.concrete_fields] == [
        getattr(django, f.attname) for f in type(django)._meta.concrete_fields
    ]
    assert ours.last_login == django.last_login and ours.date_joined == django.date_joined
    assert ours._state.adding is False and ours._state.db == "default"


def test_the_session_s_operator_in_one_query(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert OperatorBackend().get_user(alice.pk).username == "alice"


@pytest.mark.parametrize("user_id", ["999999", "not-a-number", ""])
def test_no_operator_for_an_unknown_or_malformed_id(db, user_id):
    assert OperatorBackend().get_user(user_id) is None


def test_no_operator_once_deactivated(alice):
    alice.is_active = False
    alice.save()
    assert OperatorBackend().get_user(alice.pk) is None
