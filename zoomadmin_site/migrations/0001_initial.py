from django.db import migrations


def create_operator_groups(apps, schema_editor):
    from zoomadmin_site.roles import ensure_operator_groups

    ensure_operator_groups(apps)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="OperatorPermission",
            fields=[("id", __import__("django").db.models.BigAutoField(primary_key=True, serialize=False))],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("browse", "Browse Zoom users and meetings"),
                    ("sync_mirror", "Refresh the local mirror from Zoom"),
                    ("request_role_change", "Request Zoom role changes"),
                    ("approve_role_change", "Approve or reject Zoom role change requests"),
                    ("transfer_host", "Transfer meeting hosts"),
                    ("view_audit_log", "View and export the audit log"),
                ],
            },
        ),
        migrations.RunPython(create_operator_groups, migrations.RunPython.noop),
    ]
