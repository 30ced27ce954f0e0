from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Zoom users and roles"

    def ready(self) -> None:
        from accounts.search_index import ensure_search_indexes
        from accounts.selectors import forget_mirror_freshness
        from zoomadmin_site.mirror.models import SyncRun

        # SQLite table rebuilds during migrations drop the search triggers; put them back.
        post_migrate.connect(ensure_search_indexes, sender=self, dispatch_uid="accounts.search_indexes")
        # The search pages' cached mirror freshness follows every SyncRun saved or deleted (the mirror
        # services' update()s call it themselves).
        for signal in (post_save, post_delete):
            signal.connect(
                forget_mirror_freshness, sender=SyncRun, dispatch_uid=f"accounts.freshness.{signal}"
            )
