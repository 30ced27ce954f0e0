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


@pytest.fixture
def bulk_chain(db):
    """Append `count` correctly chained events with plain INSERTs (fast: no audit_record per event), after
    whatever the log holds; returns (first seq, last seq)."""
    import datetime as dt
    import uuid

    from django.db import connection

    from zoomadmin_site.audit.chain import event_hash
    from zoomadmin_site.audit.models import AuditChainHead

    def insert(count: int) -> tuple[int, int]:
        head = AuditChainHead.objects.filter(pk=1).first()
        seq, prev_hash = (head.seq, head.hash) if head else (0, "")
        first = seq + 1
        fields = [f for f in AuditEvent._meta.concrete_fields if f.attname != "actor_id"]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"INSERT INTO audit_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        batch = []
        for n in range(count):
            seq += 1
            values = {
                "seq": seq,
                "time": start + dt.timedelta(seconds=seq, microseconds=seq % 3),
                "actor_label": f"operator{seq % 7}",
                "action": "role_change.execute",
                "target_type": "zoom_user",
                "target_id": f"u{seq % 100}",
                "target_label": f"User ü{seq % 100}",
                "before": {"role_id": "2", "n": n},
                "after": {"role_id": "1", "ratio": n / 7},
                "reason": "=formula" if seq % 10 == 0 else "",
                "preflight": None,
                "zoom_calls": [{"method": "PATCH", "status": 204}] if seq % 3 == 0 else [],
                "outcome": "succeeded",
                "request_id": "",
                "source_ip": "10.0.0.1",
                "operation_id": uuid.UUID(int=seq),
                "prev_hash": prev_hash,
            }
            values["hash"] = prev_hash = event_hash(values)
            batch.append([f.get_db_prep_save(values[f.attname], connection) for f in fields])
            if len(batch) == 5000 or n == count - 1:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                batch = []
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [seq, prev_hash]
            )
        return first, seq

    return insert
