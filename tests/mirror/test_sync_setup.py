"""A deployment that runs only `manage.py migrate`, then `manage.py zoom_sync`, has the database cache's
table the sync needs (Zoom token, rate budget): a migration creates it. test_sync_killed.py runs both
commands on a fresh file database; here, what the migration does with each kind of cache."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db
migration = importlib.import_module("zoomadmin_site.migrations.0003_database_cache_table")
TABLE = "zoomadmin_test_cache"


def _migrate() -> None:
    migration.create_cache_tables(apps=None, schema_editor=SimpleNamespace(connection=connection))


def test_the_migration_creates_the_database_caches_table_once(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
    }
    assert TABLE not in connection.introspection.table_names()
    _migrate()
    assert TABLE in connection.introspection.table_names()
    _migrate()  # a table created before (by `createcachetable`, or make run) is left as it is
    from django.core.cache import cache

    cache.set("zoom-token", "abc")
    assert cache.get("zoom-token") == "abc"


def test_the_migration_does_nothing_for_other_caches():
    tables = set(connection.introspection.table_names())
    _migrate()  # the test settings' cache is local memory
    assert set(connection.introspection.table_names()) == tables


def test_the_migration_is_reversible_and_leaves_the_cache_alone():
    (operation,) = migration.Migration.operations
    assert operation.reversible and operation.reverse_code is operation.noop
