from __future__ import annotations

from django.conf import settings
from django.db import models

from zoomadmin_site.roles import PERMISSIONS


class OperatorPermission(models.Model):
    """Holds the operator permissions (no table): Django permissions need a content type to hang on.

    The groups that bundle them (IT admin, Manager, Auditor) are in `zoomadmin_site.roles`.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(codename, label) for codename, label in PERMISSIONS.items()]

    def __str__(self) -> str:
        return "operator permissions"


class DemoOperator(models.Model):
    """Marks an operator account created by `manage.py demo_operators` for the sandbox demo.

    Such accounts cannot log in (and their sessions stop working) when ZOOM_MODE is not `sandbox`:
    see `zoomadmin_site.auth_backends.OperatorBackend`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_marker"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo operator {self.user_id}"
