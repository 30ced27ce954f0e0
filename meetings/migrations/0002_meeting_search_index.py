"""The meeting search index: SQLite FTS5 (trigram) + triggers, or a pg_trgm GIN index on PostgreSQL.

See accounts/search_index.py. Vendor-aware, so the same migration runs on both databases."""

from __future__ import annotations

from django.db import migrations

from accounts.search_index import MEETING_SEARCH, migration_operation


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migration_operation(MEETING_SEARCH)]
