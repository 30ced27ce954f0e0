"""Operator roles: the permissions Zoom Admin checks and the groups that bundle them.

Every view names exactly one of these permissions (see `zoomadmin_site.access.operator_required`);
superusers hold them all.
"""

from __future__ import annotations

from typing import Any

APP_LABEL = "zoomadmin_site"

PERMISSIONS: dict[str, str] = {
    "browse": "Browse Zoom users and meetings",
    "sync_mirror": "Refresh the local mirror from Zoom",
    "request_role_change": "Request Zoom role changes",
    "approve_role_change": "Approve or reject Zoom role change requests",
    "transfer_host": "Transfer meeting hosts",
    "view_audit_log": "View and export the audit log",
}

IT_ADMIN = "IT admin"
MANAGER = "Manager"
AUDITOR = "Auditor"

GROUPS: dict[str, tuple[str, ...]] = {
    IT_ADMIN: ("browse", "sync_mirror", "request_role_change", "transfer_host"),
    MANAGER: ("browse", "approve_role_change"),
    AUDITOR: ("browse", "view_audit_log"),
}


def perm(codename: str) -> str:
    """The full permission name for `user.has_perm`, checked against the known set."""
    if codename not in PERMISSIONS:
        raise KeyError(f"unknown operator permission {codename!r}")
    return f"{APP_LABEL}.{codename}"


def ensure_operator_groups(apps: Any = None) -> None:
    """Create (or repair) the permissions and groups. Idempotent; used by a migration and by tests.

    `apps` is the migration state registry when called from a migration, else the live registry.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    group_model = apps.get_model("auth", "Group")
    content_type, _ = content_type_model.objects.get_or_create(
        app_label=APP_LABEL, model="operatorpermission"
    )
    by_codename = {}
    for codename, label in PERMISSIONS.items():
        permission, _ = permission_model.objects.update_or_create(
            content_type=content_type, codename=codename, defaults={"name": label}
        )
        by_codename[codename] = permission
    for group_name, codenames in GROUPS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        group.permissions.set([by_codename[c] for c in codenames])


def operator_role_label(user: Any) -> str:
    """What the header shows next to the operator's name."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser:
        return "Superuser"
    names = operator_groups(user)
    return ", ".join(names) if names else "No role"


def operator_groups(user: Any) -> list[str]:
    """The names of the operator's groups, sorted: read with the operator's permissions, in the one query
    per request of `zoomadmin_site.auth_backends.operator_access` (no query once a permission check ran)."""
    from zoomadmin_site.auth_backends import operator_access

    return list(operator_access(user).roles)
