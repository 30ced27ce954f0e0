"""Changes to operators' access made in Django admin are audit events: who did it (the admin logged in),
to whom, and the state before and after. Driven through admin's real views."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.urls import reverse

from tests.conftest import PASSWORD
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.roles import AUDITOR, IT_ADMIN, MANAGER

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase-42"
User = get_user_model()


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def latest(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def change_form(user, **changes) -> dict:
    """What admin's user change form posts for `user` as it is, with `changes` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": list(user.groups.values_list("pk", flat=True)),
        "user_permissions": list(user.user_permissions.values_list("pk", flat=True)),
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(changes)
    # A checkbox that is off is simply absent from the POST.
    return {key: ("on" if value is True else value) for key, value in data.items() if value is not False}


def save_user(client, user, **changes):
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), change_form(user, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    return response


def group_pk(name: str) -> int:
    return Group.objects.get(name=name).pk


def assert_by_root_about(event: AuditEvent, root, target: str, target_type: str = "operator") -> None:
    assert (event.actor, event.actor_label, event.outcome) == (root, "root", "succeeded")
    assert (event.target_type, event.target_id, event.target_label) == (target_type, target, target)


def test_adding_an_operator_to_a_group_is_audited_with_before_and_after(root_client, root, alice):
    response = save_user(root_client, alice, groups=[group_pk(IT_ADMIN), group_pk(AUDITOR)])
    event = latest("operator.groups_change")
    assert_by_root_about(event, root, "alice")
    assert (event.before, event.after) == ({"groups": [IT_ADMIN]}, {"groups": [AUDITOR, IT_ADMIN]})
    assert event.reason == f"Groups added: {AUDITOR}."
    assert event.request_id == response["X-Request-ID"]


def test_removing_every_group_is_audited(root_client, root, alice):
    save_user(root_client, alice, groups=[])
    event = latest("operator.groups_change")
    assert_by_root_about(event, root, "alice")
    assert (event.before, event.after) == ({"groups": [IT_ADMIN]}, {"groups": []})


def test_replacing_a_group_leaves_a_trail_ending_in_the_new_group(root_client, root, alice):
    save_user(root_client, alice, groups=[group_pk(MANAGER)])
    trail = [e for e in events("operator.groups_change") if e.actor == root]
    assert trail[0].before == {"groups": [IT_ADMIN]}
    assert trail[-1].after == {"groups": [MANAGER]}


def test_saving_an_operator_unchanged_records_no_change(root_client, alice):
    before = AuditEvent.objects.count()
    save_user(root_client, alice)
    assert AuditEvent.objects.count() == before


def test_granting_superuser_and_staff_is_audited(root_client, root, alice):
    save_user(root_client, alice, is_superuser=True, is_staff=True)
    event = latest("operator.update")
    assert_by_root_about(event, root, "alice")
    assert event.before == {"is_staff": False, "is_superuser": False}
    assert event.after == {"is_staff": True, "is_superuser": True}
    assert "superuser status granted" in event.reason and "staff status granted" in event.reason


def test_revoking_superuser_is_audited(root_client, root, django_user_model):
    boss = django_user_model.objects.create_user("boss", password=PASSWORD, is_superuser=True, is_staff=True)
    save_user(root_client, boss, is_superuser=False)
    event = latest("operator.update")
    assert_by_root_about(event, root, "boss")
    assert (event.before, event.after) == ({"is_superuser": True}, {"is_superuser": False})
    assert event.reason == "Operator superuser status revoked."


def test_deactivating_and_reactivating_an_operator_is_audited(root_client, root, alice):
    save_user(root_client, alice, is_active=False)
    event = latest("operator.update")
    assert_by_root_about(event, root, "alice")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})
    assert event.reason == "Operator deactivated."
    alice.refresh_from_db()
    save_user(root_client, alice, is_active=True)
    assert latest("operator.update").after == {"is_active": True}


def test_renaming_an_operator_is_audited_under_the_new_name(root_client, root, alice):
    save_user(root_client, alice, username="alice.w")
    event = latest("operator.update")
    assert_by_root_about(event, root, "alice.w")
    assert (event.before, event.after) == ({"username": "alice"}, {"username": "alice.w"})


def test_granting_a_permission_directly_is_audited(root_client, root, charlie):
    browse = Permission.objects.get(codename="browse")
    save_user(root_client, charlie, user_permissions=[browse.pk])
    event = latest("operator.permissions_change")
    assert_by_root_about(event, root, "charlie")
    assert (event.before, event.after) == ({"permissions": []}, {"permissions": ["zoomadmin_site.browse"]})


def test_resetting_an_operators_password_in_admin_is_audited_without_the_password(root_client, root, alice):
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    response = root_client.post(url, data)
    assert response["Location"] == reverse("admin:auth_user_change", args=[alice.pk])
    event = latest("operator.password_change")
    assert_by_root_about(event, root, "alice")
    assert (event.before, event.after) == ({"password_usable": True}, {"password_usable": True})
    alice.refresh_from_db()
    dumped = serializers.serialize("json", AuditEvent.objects.all())
    assert NEW_PASSWORD not in dumped and alice.password not in dumped


def test_disabling_password_login_in_admin_is_audited(root_client, root, alice):
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    response = root_client.post(url, {"usable_password": "false", "unset-password": "Disable"})
    assert response["Location"] == reverse("admin:auth_user_change", args=[alice.pk])
    event = latest("operator.password_change")
    assert_by_root_about(event, root, "alice")
    assert event.after == {"password_usable": False}
    assert "unusable" in event.reason


def test_an_admin_changing_their_own_password_is_audited(root_client, root):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert root_client.post(reverse("admin:password_change"), data).status_code == 302
    assert_by_root_about(latest("operator.password_change"), root, "root")


def test_a_password_rehash_at_login_is_not_a_password_change(client, alice, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_sha256$")  # Django upgraded the stored hash
    assert events("operator.password_change") == []


def test_creating_an_operator_in_admin_is_audited(root_client, root):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = root_client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302
    event = latest("operator.create")
    assert_by_root_about(event, root, "newbie")
    assert event.after == {
        "username": "newbie",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "password_usable": True,
    }


def test_deleting_an_operator_in_admin_is_audited_with_what_they_held(root_client, root, alice):
    response = root_client.post(reverse("admin:auth_user_delete", args=[alice.pk]), {"post": "yes"})
    assert response.status_code == 302
    event = latest("operator.delete")
    assert_by_root_about(event, root, "alice")
    assert event.before["groups"] == [IT_ADMIN]
    assert event.before["is_active"] is True


def test_an_operator_who_acted_is_not_deleted_and_admin_suggests_deactivating(root_client, root, alice):
    audit_record(action="mirror.sync", outcome="succeeded", actor=alice)
    url = reverse("admin:auth_user_delete", args=[alice.pk])
    page = root_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "alice acted in 1 audit event," in text and "Deactivate it instead" in text
    assert "Yes, I\u2019m sure" not in text  # no confirmation button
    response = root_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the same refusal, not a 500 and not a deletion
    assert "Deactivate it instead" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert not events("operator.delete")


def test_the_bulk_delete_action_refuses_operators_who_acted(root_client, root, alice, morgan):
    audit_record(action="mirror.sync", outcome="succeeded", actor=morgan)
    data = {"action": "delete_selected", "_selected_action": [alice.pk, morgan.pk], "post": "yes"}
    response = root_client.post(reverse("admin:auth_user_changelist"), data)
    assert response.status_code == 200
    assert "morgan acted in 1 audit event," in response.content.decode()
    assert User.objects.filter(pk__in=[alice.pk, morgan.pk]).count() == 2


def test_deleting_ones_own_account_is_refused_once_one_has_acted(root_client, root):
    """Logging in is an event (auth.login): an operator who ever signed in is deactivated instead."""
    response = root_client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "root acted in" in response.content.decode()
    assert User.objects.filter(pk=root.pk).exists()


def test_changing_a_groups_permissions_is_audited(root_client, root):
    group = Group.objects.get(name=AUDITOR)
    keep = list(group.permissions.values_list("pk", flat=True))
    transfer = Permission.objects.get(codename="transfer_host")
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = root_client.post(url, {"name": AUDITOR, "permissions": [*keep, transfer.pk], "_save": "Save"})
    assert response.status_code == 302
    event = latest("operator_group.permissions_change")
    assert_by_root_about(event, root, AUDITOR, target_type="operator_group")
    assert "zoomadmin_site.transfer_host" not in event.before["permissions"]
    assert "zoomadmin_site.transfer_host" in event.after["permissions"]


def test_creating_renaming_and_deleting_a_group_is_audited(root_client, root):
    root_client.post(reverse("admin:auth_group_add"), {"name": "Helpdesk", "_save": "Save"})
    assert_by_root_about(latest("operator_group.create"), root, "Helpdesk", target_type="operator_group")
    group = Group.objects.get(name="Helpdesk")
    root_client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "Service desk", "_save": "Save"}
    )
    renamed = latest("operator_group.update")
    assert (renamed.before, renamed.after) == ({"name": "Helpdesk"}, {"name": "Service desk"})
    root_client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    deleted = latest("operator_group.delete")
    assert_by_root_about(deleted, root, "Service desk", target_type="operator_group")
    assert deleted.before == {"name": "Service desk", "permissions": [], "members": []}


def test_adding_members_from_the_groups_side_is_audited_per_operator(root, alice, morgan):
    Group.objects.get(name=AUDITOR).user_set.add(alice, morgan)
    changed = {
        e.target_id: e for e in events("operator.groups_change") if e.after["groups"] != e.before["groups"]
    }
    assert changed["alice"].after == {"groups": [AUDITOR, IT_ADMIN]}
    assert changed["morgan"].after == {"groups": [AUDITOR, MANAGER]}


def test_changes_outside_a_request_are_recorded_as_made_by_the_system(alice):
    alice.is_superuser = True
    alice.save()
    event = latest("operator.update")
    assert (event.actor, event.actor_label) == (None, "system")


def test_logging_in_changes_nothing_the_audit_log_tracks(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    actions = set(AuditEvent.objects.filter(actor=alice).values_list("action", flat=True))
    assert actions == {"auth.login"}
