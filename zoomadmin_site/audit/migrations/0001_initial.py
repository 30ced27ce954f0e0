import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import zoomadmin_site.audit.models


def create_chain_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.using(schema_editor.connection.alias).get_or_create(
        pk=1
    )


# The append-only triggers as this migration installed them, frozen here (migrations never import live
# code). The audit app reinstalls the current ones (zoomadmin_site/audit/db_triggers.py) after every migrate
# and flush; tests/test_layers.py checks that the two agree.
FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent FOR "
        'EACH ROW WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND NEW."seq" IS '
        'OLD."seq" AND NEW."time" IS OLD."time" AND NEW."actor_label" IS OLD."actor_label" AND '
        'NEW."action" IS OLD."action" AND NEW."target_type" IS OLD."target_type" AND NEW."target_id" '
        'IS OLD."target_id" AND NEW."target_label" IS OLD."target_label" AND NEW."before" IS '
        'OLD."before" AND NEW."after" IS OLD."after" AND NEW."reason" IS OLD."reason" AND '
        'NEW."preflight" IS OLD."preflight" AND NEW."zoom_calls" IS OLD."zoom_calls" AND NEW."outcome" '
        'IS OLD."outcome" AND NEW."request_id" IS OLD."request_id" AND NEW."source_ip" IS '
        'OLD."source_ip" AND NEW."operation_id" IS OLD."operation_id" AND NEW."prev_hash" IS '
        'OLD."prev_hash" AND NEW."hash" IS OLD."hash") BEGIN SELECT RAISE(ABORT, \'audit_auditevent is '
        "append-only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent FOR "
        "EACH ROW BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace BEFORE INSERT ON audit_auditevent "
        "FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = NEW.seq) BEGIN SELECT "
        "RAISE(ABORT, 'audit_auditevent is append-only: REPLACE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_forward_only BEFORE UPDATE ON "
        "audit_auditchainhead FOR EACH ROW WHEN NOT (NEW.id = OLD.id AND NEW.seq > OLD.seq) BEGIN "
        "SELECT RAISE(ABORT, 'the audit chain head only moves forward: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_delete BEFORE DELETE ON audit_auditchainhead "
        "FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: DELETE "
        "refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_replace BEFORE INSERT ON audit_auditchainhead "
        "FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) BEGIN SELECT RAISE(ABORT, 'the "
        "audit chain head only moves forward: REPLACE refused'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger LANGUAGE "
        "plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'UPDATE' THEN\n"
        "        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL\n"
        "           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN\n"
        "          RETURN NEW;\n"
        "        END IF;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING ERRCODE = "
        "'restrict_violation';\n"
        "    END\n"
        "    $$",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON "
        "audit_auditevent\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_chainhead_refuse_change() RETURNS trigger LANGUAGE "
        "plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN\n"
        "        RETURN NEW;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP\n"
        "        USING ERRCODE = 'restrict_violation';\n"
        "    END\n"
        "    $$",
        "CREATE OR REPLACE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON "
        "audit_auditchainhead\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON "
        "audit_auditchainhead\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON "
        "audit_auditchainhead\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_refuse_change()",
    ],
}

BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
        "DROP TRIGGER IF EXISTS audit_chainhead_forward_only",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_delete",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_replace",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_replace",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_delete ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_auditchainhead",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_chainhead_refuse_change()",
    ],
}


def _run(statements, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(
            f"The audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}."
        )
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def install_triggers(apps, schema_editor):
    _run(FORWARDS, schema_editor)


def remove_triggers(apps, schema_editor):
    _run(BACKWARDS, schema_editor)


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
