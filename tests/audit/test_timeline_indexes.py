"""The chains of custody read on indexes: the SQL of timelines.AfterKey is the SQL the migration froze in
its expression indexes, and the database uses them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import connection

from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.timelines import REQUEST_ACTIONS, AfterKey, _after_is

# Found by name, whatever number it is given when branches are merged.
(_MIGRATION_FILE,) = (Path(__file__).parents[2] / "zoomadmin_site/audit/migrations").glob(
    "*_timeline_indexes.py"
)
MIGRATION = importlib.import_module(f"zoomadmin_site.audit.migrations.{_MIGRATION_FILE.stem}")


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
@pytest.mark.parametrize(("key", "index"), [("request", "audit_after_request"), ("job", "audit_after_job")])
def test_the_frozen_index_expression_is_the_one_the_queries_use(vendor, key, index):
    expression = AfterKey.SQL[vendor].format(key=key)
    frozen = [sql for sql in MIGRATION.FORWARDS[vendor] if f" {index} " in sql]
    assert len(frozen) == 1 and f"({expression})" in frozen[0]


def test_only_indexed_keys_are_read_this_way():
    with pytest.raises(ValueError, match="has no index"):
        AfterKey("reverts")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "index"), [("request", "audit_after_request"), ("job", "audit_after_job")])
def test_the_database_uses_the_index(key, index):
    for n in range(1, 30):
        audit_record(action="host_transfer.request", outcome="succeeded", after={"request": n, "job": n // 5})
    matching = _after_is(key, 5).filter(action__in=REQUEST_ACTIONS)
    plan = matching
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: the planner would scan it
        # On a table this small PostgreSQL may walk the primary key backwards for the ORDER BY -seq
        # instead (cheap at 29 rows, not at millions): ask how it finds the rows, not how it orders them.
        plan = matching.order_by()
    assert index in plan.explain()
    assert {e.after[key] for e in matching} == {5}
    assert AuditEvent.objects.count() >= 29
