"""Changes to operators' access go to the audit log, whoever makes them and however: Django admin's
forms, a management command, the shell.

Recorded: operator accounts created and deleted; their username and their active, staff and superuser
flags; their passwords (never the hash); their groups; the permissions they hold directly; and the
operator groups themselves (created, renamed, their permissions changed, deleted).

Who acted is the operator logged in on the current request (`zoomadmin_site.middleware.current_actor`),
or "system" outside a request (commands, the shell). Events are written inside the change's own
transaction (Django admin wraps each change in one), so a change rolled back takes its events with it.
Each m2m operation is one event with the state before and after it; Django's `set()` (which admin
forms use) removes and then adds, so replacing a group can show as two events.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from zoomadmin_site.audit import actions
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.middleware import current_actor

TRACKED_FIELDS = ("username", "is_active", "is_staff", "is_superuser")
# Kept on the instance between the pre_ and post_ signals of one save, delete or m2m change.
BEFORE_ATTRIBUTE = "zoomadmin_audit_before"
M2M_BEFORE_ATTRIBUTE = "zoomadmin_audit_m2m_before"

PASSWORD_CHANGED = "Password changed."  # noqa: S105 - a reason text
PASSWORD_DISABLED = "Password login disabled (the password was made unusable)."  # noqa: S105
FLAG_WORDS = {
    "is_active": ("deactivated", "activated"),
    "is_staff": ("staff status revoked", "staff status granted"),
    "is_superuser": ("superuser status revoked", "superuser status granted"),
}


def connect_operator_change_signals() -> None:
    user_model = get_user_model()
    pre_save.connect(_operator_pre_save, sender=user_model, dispatch_uid="audit_operator_pre_save")
    post_save.connect(_operator_post_save, sender=user_model, dispatch_uid="audit_operator_post_save")
    pre_delete.connect(_operator_pre_delete, sender=user_model, dispatch_uid="audit_operator_pre_delete")
    post_delete.connect(_operator_post_delete, sender=user_model, dispatch_uid="audit_operator_post_delete")
    pre_save.connect(_group_pre_save, sender=Group, dispatch_uid="audit_group_pre_save")
    post_save.connect(_group_post_save, sender=Group, dispatch_uid="audit_group_post_save")
    pre_delete.connect(_group_pre_delete, sender=Group, dispatch_uid="audit_group_pre_delete")
    post_delete.connect(_group_post_delete, sender=Group, dispatch_uid="audit_group_post_delete")
    for through in _relations():
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"audit_m2m_{through._meta.label}")


# --- operator accounts ------------------------------------------------------------------------------


def _operator_pre_save(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & {*TRACKED_FIELDS, "password"}:
        return  # e.g. last_login on every login: nothing the audit log tracks
    old = sender._default_manager.filter(pk=instance.pk).values(*TRACKED_FIELDS, "password").first()
    setattr(instance, BEFORE_ATTRIBUTE, old)


def _operator_post_save(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if created:
        _record(
            actions.OPERATOR_CREATE, instance, after=_operator_state(instance), reason="Operator created."
        )
        return
    old = instance.__dict__.pop(BEFORE_ATTRIBUTE, None)
    if old is None:
        return
    changed = [name for name in TRACKED_FIELDS if old[name] != getattr(instance, name)]
    if changed:
        _record(
            actions.OPERATOR_UPDATE,
            instance,
            before={name: old[name] for name in changed},
            after={name: getattr(instance, name) for name in changed},
            reason=_update_reason(old, instance, changed),
        )
    if old["password"] != instance.password and not _is_rehash(old["password"], update_fields):
        usable = is_password_usable(instance.password)
        _record(
            actions.OPERATOR_PASSWORD_CHANGE,
            instance,
            before={"password_usable": is_password_usable(old["password"])},
            after={"password_usable": usable},
            reason=PASSWORD_CHANGED if usable else PASSWORD_DISABLED,
        )


def _operator_pre_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    state = _operator_state(instance)
    state["groups"] = _group_names_of_users([instance.pk]).get(instance.pk, [])
    state["permissions"] = _permissions_of_users([instance.pk]).get(instance.pk, [])
    setattr(instance, BEFORE_ATTRIBUTE, state)


def _operator_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    before = instance.__dict__.pop(BEFORE_ATTRIBUTE, None) or _operator_state(instance)
    _record(actions.OPERATOR_DELETE, instance, before=before, reason="Operator deleted.")


def _operator_state(user: Any) -> dict[str, Any]:
    state = {name: getattr(user, name) for name in TRACKED_FIELDS}
    state["password_usable"] = is_password_usable(user.password)
    return state


def _update_reason(old: dict[str, Any], user: Any, changed: list[str]) -> str:
    words = []
    for name in changed:
        if name == "username":
            words.append(f"renamed from {old['username']}")
        else:
            words.append(FLAG_WORDS[name][bool(getattr(user, name))])
    return "Operator " + ", ".join(words) + "."


def _is_rehash(old_password: str, update_fields: Any) -> bool:
    """Django re-hashes a password on login when its stored hash uses an outdated hasher or work factor
    (`check_password()` then saves `update_fields=["password"]`). The password is the same: no change."""
    if update_fields is None or set(update_fields) != {"password"}:
        return False
    try:
        old_hasher = identify_hasher(old_password)
    except ValueError:
        return False
    preferred = get_hasher()
    return old_hasher.algorithm != preferred.algorithm or preferred.must_update(old_password)


# --- operator groups --------------------------------------------------------------------------------


def _group_pre_save(sender: Any, instance: Group, **kwargs: Any) -> None:
    if instance.pk is not None:
        old = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        setattr(instance, BEFORE_ATTRIBUTE, old)


def _group_post_save(sender: Any, instance: Group, created: bool = False, **kwargs: Any) -> None:
    if created:
        _record(
            actions.OPERATOR_GROUP_CREATE, instance, after={"name": instance.name}, reason="Group created."
        )
        return
    old = instance.__dict__.pop(BEFORE_ATTRIBUTE, None)
    if old is not None and old != instance.name:
        _record(
            actions.OPERATOR_GROUP_UPDATE,
            instance,
            before={"name": old},
            after={"name": instance.name},
            reason=f"Group renamed from {old}.",
        )


def _group_pre_delete(sender: Any, instance: Group, **kwargs: Any) -> None:
    state = {
        "name": instance.name,
        "permissions": _permissions_of_groups([instance.pk]).get(instance.pk, []),
        "members": sorted(instance.user_set.values_list(get_user_model().USERNAME_FIELD, flat=True)),
    }
    setattr(instance, BEFORE_ATTRIBUTE, state)


def _group_post_delete(sender: Any, instance: Group, **kwargs: Any) -> None:
    before = instance.__dict__.pop(BEFORE_ATTRIBUTE, None) or {"name": instance.name}
    _record(
        actions.OPERATOR_GROUP_DELETE, instance, before=before, reason="Group deleted; its members lost it."
    )


# --- groups and permissions (m2m) -----------------------------------------------------------------


@dataclass(frozen=True)
class _Relation:
    action: str
    owner: type[Model]  # whose state the events describe: an operator or a group
    key: str  # "groups" or "permissions"
    owners_of: Callable[[Any], Iterable[Any]]  # from the other side (reverse=True) at "clear"
    read: Callable[[list[Any]], dict[Any, list[str]]]


@functools.cache
def _relations() -> dict[Any, _Relation]:
    user_model = get_user_model()
    return {
        user_model.groups.through: _Relation(
            actions.OPERATOR_GROUPS_CHANGE,
            user_model,
            "groups",
            lambda group: group.user_set.values_list("pk", flat=True),
            _group_names_of_users,
        ),
        user_model.user_permissions.through: _Relation(
            actions.OPERATOR_PERMISSIONS_CHANGE,
            user_model,
            "permissions",
            lambda permission: permission.user_set.values_list("pk", flat=True),
            _permissions_of_users,
        ),
        Group.permissions.through: _Relation(
            actions.OPERATOR_GROUP_PERMISSIONS_CHANGE,
            Group,
            "permissions",
            lambda permission: permission.group_set.values_list("pk", flat=True),
            _permissions_of_groups,
        ),
    }


def _m2m_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any = None, **kwargs: Any
) -> None:
    relation = _relations()[sender]
    phase, _, _operation = action.partition("_")
    snapshots = instance.__dict__.setdefault(M2M_BEFORE_ATTRIBUTE, {})
    if phase == "pre":
        if not reverse:
            owners = [instance.pk]
        elif pk_set is not None:
            owners = list(pk_set)
        else:
            owners = list(relation.owners_of(instance))
        snapshots[sender] = (owners, relation.read(owners))
        return
    owners, before = snapshots.pop(sender, ([], {}))
    after = relation.read(owners)
    changed = [pk for pk in owners if before.get(pk, []) != after.get(pk, [])]
    targets = {owner.pk: owner for owner in relation.owner._default_manager.filter(pk__in=changed)}
    for pk in changed:
        if pk not in targets:
            continue
        old, new = before.get(pk, []), after.get(pk, [])
        _record(
            relation.action,
            targets[pk],
            before={relation.key: old},
            after={relation.key: new},
            reason=_m2m_reason(relation.key, old, new),
        )


def _m2m_reason(key: str, old: list[str], new: list[str]) -> str:
    added = [name for name in new if name not in old]
    removed = [name for name in old if name not in new]
    parts = []
    if added:
        parts.append(f"{key} added: {', '.join(added)}")
    if removed:
        parts.append(f"{key} removed: {', '.join(removed)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _group_names_of_users(pks: list[Any]) -> dict[Any, list[str]]:
    rows = Group.objects.filter(user__in=pks).values_list("user", "name")
    return _grouped(rows)


def _permissions_of_users(pks: list[Any]) -> dict[Any, list[str]]:
    rows = Permission.objects.filter(user__in=pks).values_list("user", "content_type__app_label", "codename")
    return _grouped((owner, f"{app}.{codename}") for owner, app, codename in rows)


def _permissions_of_groups(pks: list[Any]) -> dict[Any, list[str]]:
    rows = Permission.objects.filter(group__in=pks).values_list(
        "group", "content_type__app_label", "codename"
    )
    return _grouped((owner, f"{app}.{codename}") for owner, app, codename in rows)


def _grouped(rows: Iterable[tuple[Any, str]]) -> dict[Any, list[str]]:
    grouped: dict[Any, list[str]] = {}
    for owner, name in rows:
        grouped.setdefault(owner, []).append(name)
    return {owner: sorted(names) for owner, names in grouped.items()}


# --- recording --------------------------------------------------------------------------------------


def _record(action: str, target: Any, **fields: Any) -> None:
    if isinstance(target, Group):
        target_type, name = actions.OPERATOR_GROUP, target.name
    else:
        target_type, name = actions.OPERATOR, target.get_username()
    actor = current_actor()
    actor_label = None
    if actor is not None and action == actions.OPERATOR_DELETE and actor.pk == target.pk:
        # Deleting one's own account: the row the actor link would point to is gone.
        actor_label = actor.get_username()
        actor = None
    audit_record(
        action=action,
        outcome=Outcome.SUCCEEDED,
        actor=actor,
        actor_label=actor_label,
        target_type=target_type,
        target_id=name,
        target_label=name,
        **fields,
    )
