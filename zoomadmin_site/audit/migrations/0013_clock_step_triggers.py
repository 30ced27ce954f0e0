"""The clock steps (AuditClockStep, migration 0012) are append-only: triggers refuse UPDATE, DELETE,
TRUNCATE (PostgreSQL) and REPLACE (SQLite) on them, as on the events themselves, so that no step can be
hidden to make the list's date filter skip events (see zoomadmin_site/audit/db_triggers.py, whose SQL is
frozen here in full; tests/test_layers.py compares). Going back drops the clock steps' triggers only."""

from django.db import migrations

# Every append-only trigger as db_triggers installs it today, frozen (migrations never import live code).
FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM audit_auditcheckpoint WHERE open AND seq >= OLD.seq) BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace BEFORE INSERT ON audit_auditevent FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: REPLACE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_forward_only BEFORE UPDATE ON audit_auditchainhead FOR EACH ROW WHEN NOT (NEW.id = OLD.id AND NEW.seq > OLD.seq) BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_delete BEFORE DELETE ON audit_auditchainhead FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_replace BEFORE INSERT ON audit_auditchainhead FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward: REPLACE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_insert BEFORE INSERT ON audit_auditcheckpoint FOR EACH ROW WHEN NOT COALESCE(NEW.open AND NEW.seq > COALESCE((SELECT MAX(seq) FROM audit_auditcheckpoint), 0) AND NEW.seq < (SELECT seq FROM audit_auditchainhead WHERE id = 1) AND NEW.hash = (SELECT hash FROM audit_auditevent WHERE seq = NEW.seq) AND EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = NEW.event_seq AND seq > NEW.seq AND action = 'audit.prune') AND NOT EXISTS (SELECT 1 FROM audit_auditcheckpoint WHERE id = NEW.id), 0) BEGIN SELECT RAISE(ABORT, 'audit checkpoints are written by audit_prune only: INSERT refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_close_only BEFORE UPDATE ON audit_auditcheckpoint FOR EACH ROW WHEN NOT COALESCE(OLD.open AND NOT NEW.open AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash AND NEW.event_seq = OLD.event_seq AND NOT EXISTS (SELECT 1 FROM audit_auditevent WHERE seq <= OLD.seq), 0) BEGIN SELECT RAISE(ABORT, 'audit checkpoints are written by audit_prune only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit checkpoints are written by audit_prune only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_clockstep_no_update BEFORE UPDATE ON audit_auditclockstep FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit clock steps are append-only: UPDATE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_clockstep_no_delete BEFORE DELETE ON audit_auditclockstep FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit clock steps are append-only: DELETE refused'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_clockstep_no_replace BEFORE INSERT ON audit_auditclockstep FOR EACH ROW WHEN EXISTS (SELECT 1 FROM audit_auditclockstep WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'audit clock steps are append-only: REPLACE refused'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_auditcheckpoint WHERE open AND seq >= OLD.seq) THEN\n        RETURN OLD;\n      END IF;\n      RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';\n    END\n    $$",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent\n    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent\n    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent\n    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_chainhead_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN\n        RETURN NEW;\n      END IF;\n      RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP\n        USING ERRCODE = 'restrict_violation';\n    END\n    $$",
        "CREATE OR REPLACE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON audit_auditchainhead\n    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_auditchainhead\n    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_auditchainhead\n    FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'INSERT' AND NEW.open AND NEW.seq > COALESCE((SELECT MAX(seq) FROM audit_auditcheckpoint), 0) AND NEW.seq < (SELECT seq FROM audit_auditchainhead WHERE id = 1) AND NEW.hash = (SELECT hash FROM audit_auditevent WHERE seq = NEW.seq) AND EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = NEW.event_seq AND seq > NEW.seq AND action = 'audit.prune') THEN\n        RETURN NEW;\n      END IF;\n      IF TG_OP = 'UPDATE' AND OLD.open AND NOT NEW.open AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash AND NEW.event_seq = OLD.event_seq AND NOT EXISTS (SELECT 1 FROM audit_auditevent WHERE seq <= OLD.seq) THEN\n        RETURN NEW;\n      END IF;\n      RAISE EXCEPTION 'audit checkpoints are written by audit_prune only: % refused', TG_OP USING ERRCODE = 'restrict_violation';\n    END\n    $$",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_insert BEFORE INSERT ON audit_auditcheckpoint\n    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_close_only BEFORE UPDATE ON audit_auditcheckpoint\n    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint\n    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_auditcheckpoint\n    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_change()",
        "CREATE OR REPLACE FUNCTION audit_clockstep_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      RAISE EXCEPTION 'audit clock steps are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';\n    END\n    $$",
        "CREATE OR REPLACE TRIGGER audit_clockstep_no_update BEFORE UPDATE ON audit_auditclockstep\n    FOR EACH ROW EXECUTE FUNCTION audit_clockstep_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_clockstep_no_delete BEFORE DELETE ON audit_auditclockstep\n    FOR EACH ROW EXECUTE FUNCTION audit_clockstep_refuse_change()",
        "CREATE OR REPLACE TRIGGER audit_clockstep_no_truncate BEFORE TRUNCATE ON audit_auditclockstep\n    FOR EACH STATEMENT EXECUTE FUNCTION audit_clockstep_refuse_change()",
    ],
}

# Every trigger's removal, as db_triggers.remove_append_only_triggers does it today.
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
        "DROP TRIGGER IF EXISTS audit_clockstep_no_update",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_delete",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_replace",
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
        "DROP TRIGGER IF EXISTS audit_clockstep_no_update ON audit_auditclockstep",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_delete ON audit_auditclockstep",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_truncate ON audit_auditclockstep",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_chainhead_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()",
        "DROP FUNCTION IF EXISTS audit_clockstep_refuse_change()",
    ],
}

# What going back undoes: the clock steps' triggers.
CLOCKSTEP_REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_clockstep_no_update",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_delete",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_replace",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_clockstep_no_update ON audit_auditclockstep",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_delete ON audit_auditclockstep",
        "DROP TRIGGER IF EXISTS audit_clockstep_no_truncate ON audit_auditclockstep",
        "DROP FUNCTION IF EXISTS audit_clockstep_refuse_change()",
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


def remove_clock_step_triggers(apps, schema_editor):
    _run(CLOCKSTEP_REMOVE, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0012_clock_steps"),
    ]

    operations = [
        migrations.RunPython(install_triggers, remove_clock_step_triggers),
    ]
