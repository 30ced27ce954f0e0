from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "zoomadmin_site.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from zoomadmin_site.audit import signals

        signals.connect_auth_signals()
        post_migrate.connect(
            _ensure_append_only_triggers, sender=self, dispatch_uid="audit_append_only_triggers"
        )


def _ensure_append_only_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put the append-only triggers back after every migrate or flush (see db_triggers). Not while the
    audit app is migrated back to before its checkpoints (0006): that state keeps 0001's triggers."""
    from zoomadmin_site.audit.db_triggers import CHECKPOINT_TABLE, TABLE, install_append_only_triggers

    connection = connections[using]
    if {TABLE, CHECKPOINT_TABLE} <= set(connection.introspection.table_names()):
        install_append_only_triggers(connection)
    from zoomadmin_site.audit.text_index import ensure_text_index

    ensure_text_index(connection)
