"""Audit log fixtures.

Transactional tests (`@pytest.mark.django_db(transaction=True)`, needed when several threads write)
must also use `audit_triggers_off_for_flush` (tests/conftest.py): see its docstring.
"""

from __future__ import annotations

import pytest

from zoomadmin_site.audit.models import AuditEvent


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
