from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API and its tokens. It calls the role-change services of `accounts`, so it sits above it,
    beside the sync."""

    name = "zoomadmin_site.api"
    label = "api"
    verbose_name = "JSON API"
