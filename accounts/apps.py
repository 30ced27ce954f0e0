from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Zoom users and roles"

    def ready(self) -> None:
        from accounts.search_index import ensure_search_indexes

        # SQLite table rebuilds during migrations drop the search triggers; put them back.
        post_migrate.connect(ensure_search_indexes, sender=self, dispatch_uid="accounts.search_indexes")
