"""Audit log fixtures.

Transactional tests (`@pytest.mark.django_db(transaction=True)`, needed when several threads write)
must also use `audit_triggers_off_for_flush`: see its docstring.
"""

from __future__ import annotations

import pytest
from django.db import connection

from zoomadmin_site.audit.db_triggers import remove_append_only_triggers
from zoomadmin_site.audit.models import AuditEvent


@pytest.fixture
def audit_triggers_off_for_flush(transactional_db):
    """Let pytest-django empty the database after a transactional test that wrote audit events.

    After a transactional test pytest-django runs `flush` (DELETE on SQLite, TRUNCATE on PostgreSQL),
    which the append-only triggers refuse. This fixture depends on `transactional_db`, so its teardown
    runs just before that flush: it drops the triggers. The flush then sends post_migrate, and the audit
    app's post_migrate handler (`AuditConfig.ready`) installs them again, as after any `migrate`, so
    the next test finds them in place (`test_post_migrate_reinstalls_dropped_triggers` covers that
    handler). The flush also removes the operator groups, which the persona fixtures recreate with
    `ensure_operator_groups()`, and the chain head row, which `audit_record` recreates.
    """
    yield
    remove_append_only_triggers(connection)


@pytest.fixture
def make_events(db):
    """Append `count` simple events through the real service; returns them oldest first."""
    from zoomadmin_site.audit.services import audit_record

    def make(count: int, **overrides) -> list[AuditEvent]:
        events = []
        for n in range(count):
            fields = {
                "action": "mirror.sync",
                "outcome": "succeeded",
                "target_type": "zoom_user",
                "target_id": f"user-{n}",
                "target_label": f"User {n}",
                "before": {"n": n, "role_id": "2"},
                "after": {"n": n, "role_id": "1"},
            }
            events.append(audit_record(**{**fields, **overrides}))
        return events

    return make
