from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from zoomadmin_site.roles import AUDITOR, IT_ADMIN, MANAGER


def test_demo_operators_are_created_with_their_roles_and_the_demo_password(db, settings):
    settings.ZOOMADMIN_DEMO_PASSWORD = "demo-pass-123"
    call_command("demo_operators", stdout=None)
    expected = {"itadmin": IT_ADMIN, "manager": MANAGER, "manager2": MANAGER, "auditor": AUDITOR}
    for username, group in expected.items():
        user = authenticate(username=username, password="demo-pass-123")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]


def test_demo_operators_command_is_idempotent(db):
    from django.contrib.auth import get_user_model

    call_command("demo_operators")
    call_command("demo_operators")
    assert get_user_model().objects.count() == 4


def test_running_demo_operators_again_changes_nothing_and_records_nothing(db, settings):
    from django.contrib.auth import get_user_model

    from zoomadmin_site.audit.actions import OPERATOR_PASSWORD_CHANGE, OPERATOR_UPDATE
    from zoomadmin_site.audit.models import AuditEvent

    call_command("demo_operators")
    recorded = AuditEvent.objects.count()
    call_command("demo_operators")  # what `make run` does on every start
    assert AuditEvent.objects.count() == recorded

    manager = get_user_model().objects.get(username="manager")
    manager.set_password("changed-by-hand-1")
    manager.is_active = False
    manager.save()
    recorded = AuditEvent.objects.count()
    call_command("demo_operators")  # resets what differs, and says so in the log
    assert authenticate(username="manager", password=settings.ZOOMADMIN_DEMO_PASSWORD) is not None
    resets = AuditEvent.objects.filter(seq__gt=recorded).order_by("seq")
    assert [(e.action, e.target_label, e.after) for e in resets] == [
        (OPERATOR_UPDATE, "manager", {"is_active": True}),
        (OPERATOR_PASSWORD_CHANGE, "manager", {"password_usable": True}),
    ]


def test_demo_operators_are_refused_outside_sandbox_mode(db, settings):
    settings.ZOOM_MODE = "live"
    with pytest.raises(CommandError, match="only for the Zoom sandbox"):
        call_command("demo_operators")


def test_demo_operators_cannot_log_in_once_the_dashboard_talks_to_live_zoom(db, settings):
    call_command("demo_operators")
    settings.ZOOM_MODE = "live"
    assert authenticate(username="itadmin", password=settings.ZOOMADMIN_DEMO_PASSWORD) is None
