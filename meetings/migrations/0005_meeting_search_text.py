"""PostgreSQL: meetings' search text as a stored lowercase column with its trigram index (replacing the
expression index of 0002), finer statistics, and an index-only walk along the start time. See
accounts/search_index.py. Nothing on SQLite."""

from django.db import migrations

from accounts.search_index import MEETING_SEARCH, search_text_migration_operation


class Migration(migrations.Migration):
    atomic = False  # the table is vacuumed after the column is added (VACUUM cannot run in a transaction)

    dependencies = [("meetings", "0004_meeting_details_synced_at")]

    operations = [search_text_migration_operation(MEETING_SEARCH)]
