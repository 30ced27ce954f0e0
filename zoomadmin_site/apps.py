from __future__ import annotations

from django.apps import AppConfig


class ZoomAdminSiteConfig(AppConfig):
    name = "zoomadmin_site"
    verbose_name = "Zoom Admin"
