from __future__ import annotations

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
