from __future__ import annotations

from django.apps import AppConfig


class MirrorConfig(AppConfig):
    name = "zoomadmin_site.mirror"
    label = "mirror"
    verbose_name = "Zoom mirror sync and webhooks"
