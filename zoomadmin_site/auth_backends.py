from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

# The attribute of the user object that keeps an operator's access for the rest of the request (the
# user object lives as long as the request). A name of our own: Django's caches are Django's business.
ACCESS_ATTRIBUTE = "operator_access"


@dataclass(frozen=True, slots=True)
class OperatorAccess:
    """What an operator's roles grant: the permissions held directly (`own`), those through groups, all of
    them, and the names of the operator's groups (`roles`, sorted)."""

    own: frozenset[str]
    through_groups: frozenset[str]
    permissions: frozenset[str]
    roles: tuple[str, ...]

    @classmethod
    def from_rows(cls, rows: list[tuple[str | None, str | None, str | None]]) -> OperatorAccess:
        """From the rows of `_access_sql`: (group, app label, codename), group NULL for a permission
        held directly, app label and codename NULL for a group that grants nothing."""
        own: set[str] = set()
        through_groups: set[str] = set()
        roles: set[str] = set()
        for group, app_label, codename in rows:
            if group is None:
                own.add(f"{app_label}.{codename}")
                continue
            roles.add(group)
            if codename is not None:
                through_groups.add(f"{app_label}.{codename}")
        return cls(
            frozenset(own), frozenset(through_groups), frozenset(own | through_groups), tuple(sorted(roles))
        )


NO_ACCESS = OperatorAccess(frozenset(), frozenset(), frozenset(), ())


def operator_access(user: Any) -> OperatorAccess:
    """The access of `user`, read with one query the first time it is asked for on this user object."""
    access = getattr(user, ACCESS_ATTRIBUTE, None)
    if access is None:
        if user.pk is None:  # the anonymous user, or one never saved: no groups, no permissions
            return NO_ACCESS
        with connection.cursor() as cursor:
            cursor.execute(_access_sql(), [user.pk, user.pk])
            access = OperatorAccess.from_rows(cursor.fetchall())
        setattr(user, ACCESS_ATTRIBUTE, access)
    return access


class OperatorBackend(ModelBackend):
    """Django's model backend, except that demo operators only work against the sandbox, and that an
    operator's permissions and roles are read in one query per request.

    Django's backend asks twice for the permissions (held directly, through groups), and the header asks a
    third time for the role names; every page pays for all three. Here the three permission methods answer
    from `operator_access`, which the header reads too (`zoomadmin_site.roles.operator_groups`); Django's
    `has_perm` and `has_module_perms` answer from `get_all_permissions`, so they follow. Superusers keep
    Django's path (they hold every permission), inactive users and object checks get nothing, as in
    Django's."""

    def get_user(self, user_id: Any) -> Any:
        """The session's operator, for every request: as Django's, with a plain SELECT (a raw query) that
        is built once, in place of an ORM get() that is built and compiled on every request."""
        users = get_user_model()._default_manager
        try:
            pk = users.model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(users.raw(_user_sql(), [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.ZOOM_MODE == "sandbox" or not hasattr(user, "demo_marker")

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if user_obj.is_superuser or not _holds_any(user_obj, obj):
            return super().get_user_permissions(user_obj, obj)
        return set(operator_access(user_obj).own)  # a copy, as Django's backend gives

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if user_obj.is_superuser or not _holds_any(user_obj, obj):
            return super().get_group_permissions(user_obj, obj)
        return set(operator_access(user_obj).through_groups)  # a copy, as Django's backend gives

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if user_obj.is_superuser or not _holds_any(user_obj, obj):
            return super().get_all_permissions(user_obj, obj)
        return set(operator_access(user_obj).permissions)  # a copy, as Django's backend gives


def _holds_any(user: Any, obj: Any) -> bool:
    """Whether `user` can hold a permission at all here: Django's backend grants nothing to inactive or
    anonymous users, nor on an object (and answers so without a query)."""
    return user.is_active and not user.is_anonymous and obj is None


@functools.cache
def _user_sql() -> str:
    q = connection.ops.quote_name
    meta = get_user_model()._meta
    columns = ", ".join(q(field.column) for field in meta.concrete_fields if field.column)
    pk = meta.pk.column if meta.pk else None
    assert pk, "the user model has a primary key column"
    return f"SELECT {columns} FROM {q(meta.db_table)} WHERE {q(pk)} = %s"  # noqa: S608


@functools.cache
def _access_sql() -> str:
    """One UNION of the operator's groups (with each group's permissions, if any) and the permissions
    held directly (group NULL). Names come from the models' metadata, so a custom user model works too."""
    q = connection.ops.quote_name
    user_model = get_user_model()

    def col(meta: Any, field: str) -> str:
        return q(meta.get_field(field).column)

    # The implicit through models of the many-to-many fields: `Model.field.through`.
    user_groups = user_model.groups.through._meta
    user_perms = user_model.user_permissions.through._meta
    group_perms = Group.permissions.through._meta
    group, perm, ctype = Group._meta, Permission._meta, ContentType._meta
    user_column = str(user_model._meta.model_name)
    permission_columns = f"ct.{col(ctype, 'app_label')}, p.{col(perm, 'codename')}"
    # Quoted names from the models; the user's id travels as a parameter.
    return (
        f"SELECT g.{col(group, 'name')}, {permission_columns} "  # noqa: S608
        f"FROM {q(user_groups.db_table)} ug "
        f"INNER JOIN {q(group.db_table)} g ON g.{col(group, 'id')} = ug.{col(user_groups, 'group')} "
        f"LEFT JOIN {q(group_perms.db_table)} gp ON gp.{col(group_perms, 'group')} = g.{col(group, 'id')} "
        f"LEFT JOIN {q(perm.db_table)} p ON p.{col(perm, 'id')} = gp.{col(group_perms, 'permission')} "
        f"LEFT JOIN {q(ctype.db_table)} ct ON ct.{col(ctype, 'id')} = p.{col(perm, 'content_type')} "
        f"WHERE ug.{col(user_groups, user_column)} = %s "
        f"UNION ALL SELECT NULL, {permission_columns} "
        f"FROM {q(user_perms.db_table)} up "
        f"INNER JOIN {q(perm.db_table)} p ON p.{col(perm, 'id')} = up.{col(user_perms, 'permission')} "
        f"INNER JOIN {q(ctype.db_table)} ct ON ct.{col(ctype, 'id')} = p.{col(perm, 'content_type')} "
        f"WHERE up.{col(user_perms, user_column)} = %s"
    )
