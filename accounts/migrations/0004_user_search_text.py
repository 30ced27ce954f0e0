"""PostgreSQL: users' search text as a stored lowercase column with its trigram index (replacing the
expression index of 0002), with finer statistics. See accounts/search_index.py. Nothing on SQLite."""

from django.db import migrations

from accounts.search_index import USER_SEARCH, search_text_migration_operation


class Migration(migrations.Migration):
    atomic = False  # the table is vacuumed after the column is added (VACUUM cannot run in a transaction)

    dependencies = [("accounts", "0003_covering_sort_indexes")]

    operations = [search_text_migration_operation(USER_SEARCH)]
