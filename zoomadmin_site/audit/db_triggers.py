"""Database triggers that make audit_auditevent append-only, for SQLite and PostgreSQL.

They refuse every UPDATE, and every DELETE (and TRUNCATE on PostgreSQL) whatever the client, with one
exception: `manage.py audit_prune` (zoomadmin_site.audit.prune). A DELETE of an event passes only while
an *open* checkpoint (audit_auditcheckpoint) covers its seq. A checkpoint is inserted open, and its
own triggers only accept one that lies beyond every earlier checkpoint and before the chain head, whose
hash is that of the event at its seq, and whose `event_seq` is an `audit.prune` event after it; it may
then only be closed (open -> false, nothing else changed), and only once no event at or before its seq
is left; it is never deleted. audit_prune inserts it, deletes, and closes it in one transaction, so no
other connection ever sees it open: a casual DELETE, from the app or from a database shell, is still
refused, and what was pruned is anchored in the hash chain by the audit.prune event.

(Until migration 0006 the UPDATE trigger let `actor_id` be set to NULL, for the foreign key's SET_NULL
when an operator was deleted. The foreign key is PROTECT now: operators with events are deactivated,
not deleted, so nothing sets it NULL and no UPDATE is allowed.)

On SQLite they also refuse an INSERT that reuses a seq: `INSERT OR REPLACE` / `REPLACE` would otherwise
delete the old row without firing any DELETE trigger.

The clock steps (audit_auditclockstep: events timed before the event they follow, which the list's
date filter relies on) are append-only too: no UPDATE, DELETE, TRUNCATE or REPLACE (since migration
0013), so no step can be hidden to make a date-filtered list skip events.

The chain head (audit_auditchainhead, one row) is guarded too: it only moves forward, and cannot be
deleted or replaced, so nobody can wind it back to hide events deleted from the end of the log.

Frozen in migration 0013 (FROZEN_IN; 0006 and 0001 froze the earlier versions) and installed again after every
`migrate` / `flush` (post_migrate, idempotent): a later migration that makes SQLite rebuild the table
drops its triggers, and this puts them back. tests/test_layers.py checks that the two agree.
"""

from __future__ import annotations

from typing import Any

FROZEN_IN = "zoomadmin_site.audit.migrations.0013_clock_step_triggers"
TABLE = "audit_auditevent"
HEAD_TABLE = "audit_auditchainhead"
CHECKPOINT_TABLE = "audit_auditcheckpoint"
CLOCKSTEP_TABLE = "audit_auditclockstep"
TRIGGER_NAMES = ("audit_auditevent_no_update", "audit_auditevent_no_delete", "audit_auditevent_no_truncate")
HEAD_TRIGGER_NAMES = (
    "audit_chainhead_forward_only",
    "audit_chainhead_no_delete",
    "audit_chainhead_no_truncate",
)
CHECKPOINT_TRIGGER_NAMES = (
    "audit_checkpoint_insert",
    "audit_checkpoint_close_only",
    "audit_checkpoint_no_delete",
    "audit_checkpoint_no_truncate",
)
CLOCKSTEP_TRIGGER_NAMES = (
    "audit_clockstep_no_update",
    "audit_clockstep_no_delete",
    "audit_clockstep_no_truncate",
)
SQLITE_ONLY_TRIGGER_NAMES = ("audit_auditevent_no_replace", "audit_chainhead_no_replace")
SQLITE_CLOCKSTEP_REPLACE = "audit_clockstep_no_replace"
# Every column but actor_id (the REPLACE test uses them). tests/audit checks that this matches the model.
FROZEN_COLUMNS = (
    "seq",
    "time",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "reason",
    "preflight",
    "zoom_calls",
    "outcome",
    "request_id",
    "source_ip",
    "operation_id",
    "prev_hash",
    "hash",
)
REFUSED = "audit_auditevent is append-only: {op} refused"
HEAD_REFUSED = "the audit chain head only moves forward: {op} refused"
CHECKPOINT_REFUSED = "audit checkpoints are written by audit_prune only: {op} refused"
CLOCKSTEP_REFUSED = "audit clock steps are append-only: {op} refused"
PRUNE_ACTION = "audit.prune"
UNSUPPORTED = "The audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}."


def _sqlite_refuse(name: str, when: str, message: str) -> str:
    return f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END"


# A new checkpoint: open, beyond every earlier one (hence alone open), before the head, with the hash of
# the event at its seq, recorded by a later audit.prune event. (A NULL anywhere, e.g. no event at that
# seq, makes the condition NULL: SQLite's WHEN wraps it in COALESCE(..., 0), plpgsql's IF takes NULL as
# false; either way the change is refused.)
_CHECKPOINT_VALID = (
    f"NEW.open AND NEW.seq > COALESCE((SELECT MAX(seq) FROM {CHECKPOINT_TABLE}), 0) "  # noqa: S608
    f"AND NEW.seq < (SELECT seq FROM {HEAD_TABLE} WHERE id = 1) "
    f"AND NEW.hash = (SELECT hash FROM {TABLE} WHERE seq = NEW.seq) "
    f"AND EXISTS (SELECT 1 FROM {TABLE} WHERE seq = NEW.event_seq AND seq > NEW.seq "
    f"AND action = '{PRUNE_ACTION}')"
)
# Closing: open -> closed, nothing else changed, and nothing left at or before its seq.
_CHECKPOINT_CLOSE = (
    "OLD.open AND NOT NEW.open AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash "  # noqa: S608
    f"AND NEW.event_seq = OLD.event_seq AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE seq <= OLD.seq)"
)
_COVERED_BY_OPEN_CHECKPOINT = f"EXISTS (SELECT 1 FROM {CHECKPOINT_TABLE} WHERE open AND seq >= OLD.seq)"  # noqa: S608
SQLITE_INSTALL = (
    _sqlite_refuse(
        "audit_auditevent_no_update", f"BEFORE UPDATE ON {TABLE} FOR EACH ROW", REFUSED.format(op="UPDATE")
    ),
    _sqlite_refuse(
        "audit_auditevent_no_delete",
        f"BEFORE DELETE ON {TABLE} FOR EACH ROW WHEN NOT {_COVERED_BY_OPEN_CHECKPOINT}",
        REFUSED.format(op="DELETE"),
    ),
    _sqlite_refuse(
        "audit_auditevent_no_replace",
        f"BEFORE INSERT ON {TABLE} FOR EACH ROW WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE seq = NEW.seq)",  # noqa: S608
        REFUSED.format(op="REPLACE"),
    ),
    _sqlite_refuse(
        "audit_chainhead_forward_only",
        f"BEFORE UPDATE ON {HEAD_TABLE} FOR EACH ROW WHEN NOT (NEW.id = OLD.id AND NEW.seq > OLD.seq)",
        HEAD_REFUSED.format(op="UPDATE"),
    ),
    _sqlite_refuse(
        "audit_chainhead_no_delete",
        f"BEFORE DELETE ON {HEAD_TABLE} FOR EACH ROW",
        HEAD_REFUSED.format(op="DELETE"),
    ),
    _sqlite_refuse(
        "audit_chainhead_no_replace",
        f"BEFORE INSERT ON {HEAD_TABLE} FOR EACH ROW WHEN EXISTS (SELECT 1 FROM {HEAD_TABLE})",  # noqa: S608
        HEAD_REFUSED.format(op="REPLACE"),
    ),
    # Also refuses INSERT OR REPLACE: a replacement reuses a seq or an id, never beyond every seq.
    _sqlite_refuse(
        "audit_checkpoint_insert",
        f"BEFORE INSERT ON {CHECKPOINT_TABLE} FOR EACH ROW WHEN NOT COALESCE({_CHECKPOINT_VALID} "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {CHECKPOINT_TABLE} WHERE id = NEW.id), 0)",
        CHECKPOINT_REFUSED.format(op="INSERT"),
    ),
    _sqlite_refuse(
        "audit_checkpoint_close_only",
        f"BEFORE UPDATE ON {CHECKPOINT_TABLE} FOR EACH ROW WHEN NOT COALESCE({_CHECKPOINT_CLOSE}, 0)",
        CHECKPOINT_REFUSED.format(op="UPDATE"),
    ),
    _sqlite_refuse(
        "audit_checkpoint_no_delete",
        f"BEFORE DELETE ON {CHECKPOINT_TABLE} FOR EACH ROW",
        CHECKPOINT_REFUSED.format(op="DELETE"),
    ),
    _sqlite_refuse(
        "audit_clockstep_no_update",
        f"BEFORE UPDATE ON {CLOCKSTEP_TABLE} FOR EACH ROW",
        CLOCKSTEP_REFUSED.format(op="UPDATE"),
    ),
    _sqlite_refuse(
        "audit_clockstep_no_delete",
        f"BEFORE DELETE ON {CLOCKSTEP_TABLE} FOR EACH ROW",
        CLOCKSTEP_REFUSED.format(op="DELETE"),
    ),
    _sqlite_refuse(
        SQLITE_CLOCKSTEP_REPLACE,
        f"BEFORE INSERT ON {CLOCKSTEP_TABLE} FOR EACH ROW WHEN EXISTS (SELECT 1 FROM {CLOCKSTEP_TABLE} WHERE seq = NEW.seq)",  # noqa: S608, E501
        CLOCKSTEP_REFUSED.format(op="REPLACE"),
    ),
)
SQLITE_REMOVE = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        *TRIGGER_NAMES[:2],
        *HEAD_TRIGGER_NAMES[:2],
        *SQLITE_ONLY_TRIGGER_NAMES,
        *CHECKPOINT_TRIGGER_NAMES[:3],
        *CLOCKSTEP_TRIGGER_NAMES[:2],
        SQLITE_CLOCKSTEP_REPLACE,
    )
)

POSTGRESQL_INSTALL = (
    f"""CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND {_COVERED_BY_OPEN_CHECKPOINT} THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"""CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()""",
    """CREATE OR REPLACE FUNCTION audit_chainhead_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"""CREATE OR REPLACE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON {HEAD_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON {HEAD_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON {HEAD_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_refuse_change()""",
    f"""CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' AND {_CHECKPOINT_VALID} THEN
        RETURN NEW;
      END IF;
      IF TG_OP = 'UPDATE' AND {_CHECKPOINT_CLOSE} THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION '{CHECKPOINT_REFUSED.format(op="%")}', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"""CREATE OR REPLACE TRIGGER audit_checkpoint_insert BEFORE INSERT ON {CHECKPOINT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_checkpoint_close_only BEFORE UPDATE ON {CHECKPOINT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON {CHECKPOINT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON {CHECKPOINT_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_change()""",
    f"""CREATE OR REPLACE FUNCTION audit_clockstep_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '{CLOCKSTEP_REFUSED.format(op="%")}', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"""CREATE OR REPLACE TRIGGER audit_clockstep_no_update BEFORE UPDATE ON {CLOCKSTEP_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_clockstep_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_clockstep_no_delete BEFORE DELETE ON {CLOCKSTEP_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_clockstep_refuse_change()""",
    f"""CREATE OR REPLACE TRIGGER audit_clockstep_no_truncate BEFORE TRUNCATE ON {CLOCKSTEP_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_clockstep_refuse_change()""",
)
POSTGRESQL_REMOVE = (
    *(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in TRIGGER_NAMES),
    *(f"DROP TRIGGER IF EXISTS {name} ON {HEAD_TABLE}" for name in HEAD_TRIGGER_NAMES),
    *(f"DROP TRIGGER IF EXISTS {name} ON {CHECKPOINT_TABLE}" for name in CHECKPOINT_TRIGGER_NAMES),
    *(f"DROP TRIGGER IF EXISTS {name} ON {CLOCKSTEP_TABLE}" for name in CLOCKSTEP_TRIGGER_NAMES),
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_chainhead_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_clockstep_refuse_change()",
)


def expected_triggers(vendor: str) -> set[str]:
    """The names of the triggers installed on this database vendor."""
    if vendor == "sqlite":  # no TRUNCATE in SQLite
        return {
            *TRIGGER_NAMES[:2],
            *HEAD_TRIGGER_NAMES[:2],
            *SQLITE_ONLY_TRIGGER_NAMES,
            *CHECKPOINT_TRIGGER_NAMES[:3],
            *CLOCKSTEP_TRIGGER_NAMES[:2],
            SQLITE_CLOCKSTEP_REPLACE,
        }
    return {*TRIGGER_NAMES, *HEAD_TRIGGER_NAMES, *CHECKPOINT_TRIGGER_NAMES, *CLOCKSTEP_TRIGGER_NAMES}


def _statements(connection: Any, install: bool) -> tuple[str, ...]:
    if connection.vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    raise NotImplementedError(UNSUPPORTED.format(vendor=connection.vendor))


def install_append_only_triggers(connection: Any) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def remove_append_only_triggers(connection: Any) -> None:
    """Drop the triggers. Only for migrations going backwards and for tests that must flush the table."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def installed_append_only_triggers(connection: Any) -> set[str]:
    """Names of the append-only triggers present on the audit tables."""
    tables = [TABLE, HEAD_TABLE, CHECKPOINT_TABLE, CLOCKSTEP_TABLE]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s, %s)",
                tables,
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid IN (%s::regclass, %s::regclass, %s::regclass, %s::regclass) "
                "AND NOT tgisinternal",
                tables,
            )
        return {name for (name,) in cursor.fetchall()} & expected_triggers(connection.vendor)
