import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import zoomadmin_site.audit.models


def create_chain_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.using(schema_editor.connection.alias).get_or_create(
        pk=1
    )


def install_triggers(apps, schema_editor):
    # Vendor-specific SQL (SQLite / PostgreSQL), chosen from schema_editor.connection.vendor. The SQL lives
    # in db_triggers because the audit app also reinstalls it after every migrate and flush.
    from zoomadmin_site.audit.db_triggers import install_append_only_triggers

    install_append_only_triggers(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from zoomadmin_site.audit.db_triggers import remove_append_only_triggers

    remove_append_only_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("seq", zoomadmin_site.audit.models.ChainSeqField(primary_key=True, serialize=False)),
                ("time", models.DateTimeField(db_index=True)),
                ("actor_label", models.CharField(max_length=150)),
                ("action", models.CharField(max_length=64)),
                ("target_type", models.CharField(blank=True, max_length=64)),
                ("target_id", models.CharField(blank=True, max_length=128)),
                ("target_label", models.CharField(blank=True, max_length=255)),
                ("before", models.JSONField(blank=True, null=True)),
                ("after", models.JSONField(blank=True, null=True)),
                ("reason", models.TextField(blank=True)),
                ("preflight", models.JSONField(blank=True, null=True)),
                ("zoom_calls", models.JSONField(blank=True, default=list)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("started", "Started"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("unverified", "Unverified"),
                            ("denied", "Denied"),
                            ("skipped", "Skipped"),
                        ],
                        max_length=16,
                    ),
                ),
                ("request_id", models.CharField(blank=True, max_length=64)),
                ("source_ip", models.CharField(blank=True, max_length=64)),
                ("operation_id", models.UUIDField(default=uuid.uuid4)),
                ("prev_hash", models.CharField(blank=True, max_length=64)),
                ("hash", models.CharField(max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("-seq",),
                "default_permissions": (),
                "base_manager_name": "objects",
                "indexes": [
                    models.Index(fields=["action", "-seq"], name="audit_action_seq"),
                    models.Index(fields=["outcome", "-seq"], name="audit_outcome_seq"),
                    models.Index(fields=["actor_label", "-seq"], name="audit_actor_label_seq"),
                    models.Index(fields=["target_type", "target_id", "-seq"], name="audit_target_seq"),
                    models.Index(fields=["operation_id", "seq"], name="audit_operation_seq"),
                ],
            },
        ),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
