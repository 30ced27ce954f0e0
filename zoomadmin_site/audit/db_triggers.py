"""Database triggers that make audit_auditevent append-only, for SQLite and PostgreSQL.

They refuse every UPDATE and DELETE (and TRUNCATE on PostgreSQL) whatever the client, with one
exception: setting `actor_id` to NULL with every other column unchanged, which is what the foreign
key's SET_NULL does when an operator account is deleted (the hash does not cover `actor_id`).

Installed by migration 0001 and again after every `migrate` / `flush` (post_migrate, idempotent): a
later migration that makes SQLite rebuild the table drops its triggers, and this puts them back.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
TRIGGER_NAMES = ("audit_auditevent_no_update", "audit_auditevent_no_delete", "audit_auditevent_no_truncate")
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
UNSUPPORTED = "The audit log's append-only triggers exist for SQLite and PostgreSQL only, not {vendor}."

_SQLITE_UNCHANGED = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in FROZEN_COLUMNS)
SQLITE_INSTALL = (
    f"""CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW
    WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_SQLITE_UNCHANGED})
    BEGIN SELECT RAISE(ABORT, '{REFUSED.format(op="UPDATE")}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON {TABLE} FOR EACH ROW
    BEGIN SELECT RAISE(ABORT, '{REFUSED.format(op="DELETE")}'); END""",
)
SQLITE_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
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
)
POSTGRESQL_REMOVE = (
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
)


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
    """Names of the append-only triggers present on the table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        return {name for (name,) in cursor.fetchall()} & set(TRIGGER_NAMES)
