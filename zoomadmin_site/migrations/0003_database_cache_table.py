"""The database cache's table, for deployments that run only `migrate`: with the default CACHE_URL
(dbcache://zoomadmin_cache) the first Zoom call, sync or page view needs it. Django's own
`createcachetable` creates every configured DatabaseCache's table that is missing; for other cache
backends it does nothing, and a second run changes nothing. Reversing leaves the table (the cache is
not migrated data)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("zoomadmin_site", "0002_demo_operator")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
