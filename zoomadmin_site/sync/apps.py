from __future__ import annotations

from django.apps import AppConfig


class SyncConfig(AppConfig):
    """Filling the mirror from Zoom: the full sync, webhooks and single-row refreshes. It writes the
    accounts and meetings tables, so it sits above both; the mirror's own state (runs, deliveries,
    freshness) is the `mirror` app below them."""

    name = "zoomadmin_site.sync"
    label = "sync"
    verbose_name = "Zoom mirror sync and webhooks"
