from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_meeting_search_index(using: str = "default", **kwargs: Any) -> None:
    """SQLite table rebuilds during migrations drop the search triggers and walk index; put them back."""
    from meetings.search import MEETING_SEARCH
    from zoomadmin_site.search.index import ensure_search_indexes

    ensure_search_indexes([MEETING_SEARCH], using=using)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Zoom meetings"

    def ready(self) -> None:
        post_migrate.connect(ensure_meeting_search_index, sender=self, dispatch_uid="meetings.search_index")
        from meetings import host_transfers  # noqa: F401 - registers the host-transfer flow
