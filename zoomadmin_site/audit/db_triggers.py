"""Database triggers that make audit_auditevent append-only, for SQLite and PostgreSQL.

They refuse every UPDATE and DELETE (and TRUNCATE on PostgreSQL) whatever the client, with one
exception: setting `actor_id` to NULL with every other column unchanged, which is what the foreign
key's SET_NULL does when an operator account is deleted (the hash does not cover `actor_id`). On SQLite
they also refuse an INSERT that reuses a seq: `INSERT OR REPLACE` / `REPLACE` would otherwise delete
the old row without firing any DELETE trigger.

The chain head (audit_auditchainhead, one row) is guarded too: it only moves forward, and cannot be
deleted or replaced, so nobody can wind it back to hide events deleted from the end of the log.

Installed by migration 0001 and again after every `migrate` / `flush` (post_migrate, idempotent): a
later migration that makes SQLite rebuild the table drops its triggers, and this puts them back.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
HEAD_TABLE = "audit_auditchainhead"
TRIGGER_NAMES = ("audit_auditevent_no_update", "audit_auditevent_no_delete", "audit_auditevent_no_truncate")
HEAD_TRIGGER_NAMES = (
    "audit_chainhead_forward_only",
    "audit_chainhead_no_delete",
    "audit_chainhead_no_truncate",
)
SQLITE_ONLY_TRIGGER_NAMES = ("audit_auditevent_no_replace", "audit_chainhead_no_replace")
# Every column but actor_id. tests/audit checks that this matches the model.
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
UNSUPPORTED = "The audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}."


def _sqlite_refuse(name: str, when: str, message: str) -> str:
    return f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END"


_SQLITE_UNCHANGED = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in FROZEN_COLUMNS)
SQLITE_INSTALL = (
    _sqlite_refuse(
        "audit_auditevent_no_update",
        f"BEFORE UPDATE ON {TABLE} FOR EACH ROW "
        f"WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_SQLITE_UNCHANGED})",
        REFUSED.format(op="UPDATE"),
    ),
    _sqlite_refuse(
        "audit_auditevent_no_delete", f"BEFORE DELETE ON {TABLE} FOR EACH ROW", REFUSED.format(op="DELETE")
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
)
SQLITE_REMOVE = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (*TRIGGER_NAMES[:2], *HEAD_TRIGGER_NAMES[:2], *SQLITE_ONLY_TRIGGER_NAMES)
)

POSTGRESQL_INSTALL = (
    f"""CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
          RETURN NEW;
        END IF;
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
)
POSTGRESQL_REMOVE = (
    *(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in TRIGGER_NAMES),
    *(f"DROP TRIGGER IF EXISTS {name} ON {HEAD_TABLE}" for name in HEAD_TRIGGER_NAMES),
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_chainhead_refuse_change()",
)


def expected_triggers(vendor: str) -> set[str]:
    """The names of the triggers installed on this database vendor."""
    if vendor == "sqlite":  # no TRUNCATE in SQLite
        return {*TRIGGER_NAMES[:2], *HEAD_TRIGGER_NAMES[:2], *SQLITE_ONLY_TRIGGER_NAMES}
    return {*TRIGGER_NAMES, *HEAD_TRIGGER_NAMES}


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
    tables = [TABLE, HEAD_TABLE]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)", tables
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass) "
                "AND NOT tgisinternal",
                tables,
            )
        return {name for (name,) in cursor.fetchall()} & expected_triggers(connection.vendor)
