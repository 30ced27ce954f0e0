"""A walk split into consecutive parts (run by several processes on a large log) reports exactly what
one walk reports, whatever was tampered with."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.db_triggers import install_append_only_triggers, remove_append_only_triggers

pytestmark = pytest.mark.django_db


def _forge(sql: str, params: list) -> None:
    remove_append_only_triggers(connection)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    install_append_only_triggers(connection)


TAMPERINGS = {
    "intact": None,
    "a row changed": ("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [5]),
    "a boundary row changed": ("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [4]),
    "a row deleted": ("DELETE FROM audit_auditevent WHERE seq = %s", [6]),
    "the rows ending a part deleted": ("DELETE FROM audit_auditevent WHERE seq IN (%s, %s)", [3, 4]),
    "the rows starting a part deleted": ("DELETE FROM audit_auditevent WHERE seq IN (%s, %s)", [5, 6]),
    "the last rows deleted": ("DELETE FROM audit_auditevent WHERE seq >= %s", [11]),
    "a row relinked": ("UPDATE audit_auditevent SET prev_hash = hash WHERE seq = %s", [9]),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
@pytest.mark.parametrize("parts", [2, 3, 5])
def test_a_walk_in_parts_reports_what_one_walk_reports(make_events, tampering, parts):
    make_events(12)
    if TAMPERINGS[tampering]:
        _forge(*TAMPERINGS[tampering])
    whole = chain_verify()
    assert chain_verify(parts=parts) == whole
    assert whole.intact == (tampering == "intact")
