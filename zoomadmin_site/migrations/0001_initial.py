from django.db import migrations

# The permissions and groups as this migration created them, frozen here (migrations never import live
# code); zoomadmin_site/roles.py keeps today's, and ensure_operator_groups() repairs them.
PERMISSIONS = {
    "browse": "Browse Zoom users and meetings",
    "sync_mirror": "Refresh the local mirror from Zoom",
    "request_role_change": "Request Zoom role changes",
    "approve_role_change": "Approve or reject Zoom role change requests",
    "transfer_host": "Transfer meeting hosts",
    "view_audit_log": "View and export the audit log",
}
GROUPS = {
    "IT admin": ["browse", "sync_mirror", "request_role_change", "transfer_host"],
    "Manager": ["browse", "approve_role_change"],
    "Auditor": ["browse", "view_audit_log"],
}


def create_operator_groups(apps, schema_editor):
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="zoomadmin_site", model="operatorpermission"
    )
    by_codename = {
        codename: apps.get_model("auth", "Permission").objects.update_or_create(
            content_type=content_type, codename=codename, defaults={"name": label}
        )[0]
        for codename, label in PERMISSIONS.items()
    }
    for group_name, codenames in GROUPS.items():
        group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
        group.permissions.set([by_codename[c] for c in codenames])


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
