from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MirrorConfig(AppConfig):
    """The mirror's own state: full sync runs, webhook deliveries and how fresh the mirror is. Below the
    accounts and meetings apps, which show its freshness; the `sync` app above them fills the mirror."""

    name = "zoomadmin_site.mirror"
    label = "mirror"
    verbose_name = "Zoom mirror state"

    def ready(self) -> None:
        from zoomadmin_site.mirror.freshness import forget_mirror_freshness
        from zoomadmin_site.mirror.models import SyncRun

        # The cached mirror freshness follows every SyncRun saved or deleted (the sync services'
        # update()s call it themselves).
        for signal in (post_save, post_delete):
            signal.connect(forget_mirror_freshness, sender=SyncRun, dispatch_uid=f"mirror.freshness.{signal}")
