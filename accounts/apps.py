from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_user_search_index(using: str = "default", **kwargs: Any) -> None:
    """SQLite table rebuilds during migrations drop the search triggers; put them back."""
    from accounts.search import USER_SEARCH
    from zoomadmin_site.search.index import ensure_search_indexes

    ensure_search_indexes([USER_SEARCH], using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Zoom users and roles"

    def ready(self) -> None:
        post_migrate.connect(ensure_user_search_index, sender=self, dispatch_uid="accounts.search_index")
        from accounts import role_changes  # noqa: F401 - registers the role-change flow
