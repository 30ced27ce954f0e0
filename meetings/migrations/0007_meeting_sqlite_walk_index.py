"""SQLite: the walk along the start time reads an index holding the searched columns (see
accounts/search_index.sqlite_walk_sql). Nothing on PostgreSQL, which has its walk index since 0005."""

from django.db import migrations

from accounts.search_index import MEETING_SEARCH, sqlite_walk_migration_operation


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_meeting_status_index")]

    operations = [sqlite_walk_migration_operation(MEETING_SEARCH)]
