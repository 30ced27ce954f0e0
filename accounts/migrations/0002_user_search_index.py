"""The user search index: SQLite FTS5 (trigram) + triggers, or a pg_trgm GIN index on PostgreSQL.

See accounts/search_index.py. Vendor-aware, so the same migration runs on both databases."""

from __future__ import annotations

from django.db import migrations

from accounts.search_index import USER_SEARCH, migration_operation


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migration_operation(USER_SEARCH)]
