"""Operators with events are protected (the actor foreign key is PROTECT: deactivate, don't delete),
prune checkpoints (AuditCheckpoint), and the append-only triggers that go with them: no UPDATE of an
event at all any more (nothing sets actor_id NULL), and DELETE only under an open checkpoint (see
zoomadmin_site/audit/db_triggers.py, whose SQL is frozen here; tests/test_layers.py compares).

Changing the foreign key makes SQLite rebuild audit_auditevent, which drops its triggers: the last
operation installs them again (and the audit app's post_migrate handler would too).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The triggers this migration installs, frozen (migrations never import live code).
FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON "
        "audit_auditevent FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit_auditevent is "
        "append-only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON "
        "audit_auditevent FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM audit_auditcheckpoint "
        "WHERE open AND seq >= OLD.seq) BEGIN SELECT RAISE(ABORT, 'audit_auditevent is "
        "append-only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace BEFORE INSERT ON "
        "audit_auditevent FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = "
        "NEW.seq) BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: REPLACE "
        "refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_forward_only BEFORE UPDATE ON "
        "audit_auditchainhead FOR EACH ROW WHEN NOT (NEW.id = OLD.id AND NEW.seq > OLD.seq) "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: UPDATE refused'); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_delete BEFORE DELETE ON "
        "audit_auditchainhead FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'the audit chain head "
        "only moves forward: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_replace BEFORE INSERT ON "
        "audit_auditchainhead FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: REPLACE "
        "refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_insert BEFORE INSERT ON "
        "audit_auditcheckpoint FOR EACH ROW WHEN NOT COALESCE(NEW.open AND NEW.seq > "
        "COALESCE((SELECT MAX(seq) FROM audit_auditcheckpoint), 0) AND NEW.seq < (SELECT seq "
        "FROM audit_auditchainhead WHERE id = 1) AND NEW.hash = (SELECT hash FROM "
        "audit_auditevent WHERE seq = NEW.seq) AND EXISTS (SELECT 1 FROM audit_auditevent "
        "WHERE seq = NEW.event_seq AND seq > NEW.seq AND action = 'audit.prune') AND NOT "
        "EXISTS (SELECT 1 FROM audit_auditcheckpoint WHERE id = NEW.id), 0) BEGIN SELECT "
        "RAISE(ABORT, 'audit checkpoints are written by audit_prune only: INSERT refused'); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_close_only BEFORE UPDATE ON "
        "audit_auditcheckpoint FOR EACH ROW WHEN NOT COALESCE(OLD.open AND NOT NEW.open AND "
        "NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash AND NEW.event_seq = "
        "OLD.event_seq AND NOT EXISTS (SELECT 1 FROM audit_auditevent WHERE seq <= OLD.seq), "
        "0) BEGIN SELECT RAISE(ABORT, 'audit checkpoints are written by audit_prune only: "
        "UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON "
        "audit_auditcheckpoint FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit checkpoints are "
        "written by audit_prune only: DELETE refused'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_auditcheckpoint WHERE "
        "open AND seq >= OLD.seq) THEN\n"
        "        RETURN OLD;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING "
        "ERRCODE = 'restrict_violation';\n"
        "    END\n"
        "    $$",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON "
        "audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON "
        "audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON "
        "audit_auditevent\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_chainhead_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN\n"
        "        RETURN NEW;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'the audit chain head only moves forward: % refused', "
        "TG_OP\n"
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
        "CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'INSERT' AND NEW.open AND NEW.seq > COALESCE((SELECT MAX(seq) "
        "FROM audit_auditcheckpoint), 0) AND NEW.seq < (SELECT seq FROM "
        "audit_auditchainhead WHERE id = 1) AND NEW.hash = (SELECT hash FROM "
        "audit_auditevent WHERE seq = NEW.seq) AND EXISTS (SELECT 1 FROM audit_auditevent "
        "WHERE seq = NEW.event_seq AND seq > NEW.seq AND action = 'audit.prune') THEN\n"
        "        RETURN NEW;\n"
        "      END IF;\n"
        "      IF TG_OP = 'UPDATE' AND OLD.open AND NOT NEW.open AND NEW.id = OLD.id AND "
        "NEW.seq = OLD.seq AND NEW.hash = OLD.hash AND NEW.event_seq = OLD.event_seq AND "
        "NOT EXISTS (SELECT 1 FROM audit_auditevent WHERE seq <= OLD.seq) THEN\n"
        "        RETURN NEW;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'audit checkpoints are written by audit_prune only: % "
        "refused', TG_OP USING ERRCODE = 'restrict_violation';\n"
        "    END\n"
        "    $$",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_insert BEFORE INSERT ON "
        "audit_auditcheckpoint\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_close_only BEFORE UPDATE ON "
        "audit_auditcheckpoint\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON "
        "audit_auditcheckpoint\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON "
        "audit_auditcheckpoint\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_change()",
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
        "DROP TRIGGER IF EXISTS audit_checkpoint_insert",
        "DROP TRIGGER IF EXISTS audit_checkpoint_close_only",
        "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_delete ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_auditchainhead",
        "DROP TRIGGER IF EXISTS audit_checkpoint_insert ON audit_auditcheckpoint",
        "DROP TRIGGER IF EXISTS audit_checkpoint_close_only ON audit_auditcheckpoint",
        "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete ON audit_auditcheckpoint",
        "DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_auditcheckpoint",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_chainhead_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()",
    ],
}

# The triggers of 0001 that these replace: dropped first (SQLite's CREATE TRIGGER IF NOT EXISTS would
# keep the old ones), and put back when migrating backwards.
PREVIOUS_REMOVE = {
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

PREVIOUS_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON "
        "audit_auditevent FOR EACH ROW WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS "
        'NULL AND NEW."seq" IS OLD."seq" AND NEW."time" IS OLD."time" AND NEW."actor_label" IS '
        'OLD."actor_label" AND NEW."action" IS OLD."action" AND NEW."target_type" IS '
        'OLD."target_type" AND NEW."target_id" IS OLD."target_id" AND NEW."target_label" IS '
        'OLD."target_label" AND NEW."before" IS OLD."before" AND NEW."after" IS OLD."after" '
        'AND NEW."reason" IS OLD."reason" AND NEW."preflight" IS OLD."preflight" AND '
        'NEW."zoom_calls" IS OLD."zoom_calls" AND NEW."outcome" IS OLD."outcome" AND '
        'NEW."request_id" IS OLD."request_id" AND NEW."source_ip" IS OLD."source_ip" AND '
        'NEW."operation_id" IS OLD."operation_id" AND NEW."prev_hash" IS OLD."prev_hash" AND '
        'NEW."hash" IS OLD."hash") BEGIN SELECT RAISE(ABORT, \'audit_auditevent is '
        "append-only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON "
        "audit_auditevent FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit_auditevent is "
        "append-only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace BEFORE INSERT ON "
        "audit_auditevent FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = "
        "NEW.seq) BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: REPLACE "
        "refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_forward_only BEFORE UPDATE ON "
        "audit_auditchainhead FOR EACH ROW WHEN NOT (NEW.id = OLD.id AND NEW.seq > OLD.seq) "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: UPDATE refused'); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_delete BEFORE DELETE ON "
        "audit_auditchainhead FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'the audit chain head "
        "only moves forward: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_replace BEFORE INSERT ON "
        "audit_auditchainhead FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: REPLACE "
        "refused'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'UPDATE' THEN\n"
        "        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL\n"
        "           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN\n"
        "          RETURN NEW;\n"
        "        END IF;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING "
        "ERRCODE = 'restrict_violation';\n"
        "    END\n"
        "    $$",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON "
        "audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON "
        "audit_auditevent\n"
        "    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON "
        "audit_auditevent\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_chainhead_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\n"
        "    BEGIN\n"
        "      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN\n"
        "        RETURN NEW;\n"
        "      END IF;\n"
        "      RAISE EXCEPTION 'the audit chain head only moves forward: % refused', "
        "TG_OP\n"
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


def _run(statements, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(
            f"The audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}."
        )
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def install_triggers(apps, schema_editor):
    _run(PREVIOUS_REMOVE, schema_editor)
    _run(FORWARDS, schema_editor)


def restore_previous_triggers(apps, schema_editor):
    _run(BACKWARDS, schema_editor)
    _run(PREVIOUS_FORWARDS, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_assistant_revoke_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("event_seq", models.BigIntegerField()),
                ("open", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ("-seq",),
                "default_permissions": (),
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_events",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(install_triggers, restore_previous_triggers),
    ]
