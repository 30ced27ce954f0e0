"""Fixtures of the role change request tests: Priya, a Member in the sandbox, and a pending request to
make her Admin."""

from __future__ import annotations

import pytest

from accounts.models import ZoomUser
from accounts.role_changes import role_change_request
from zoomadmin_site.changes.models import ChangeRequest
from zoomadmin_site.sync.services import mirror_refresh_user

from .role_requests import ADMIN, PRIYA, REASON


@pytest.fixture
def priya(zoom_sandbox) -> ZoomUser:
    return mirror_refresh_user(user_key=PRIYA)


@pytest.fixture
def pending(priya, alice) -> ChangeRequest:
    submitted = role_change_request(user_key=priya.url_key, role=ADMIN, reason=REASON, actor=alice)
    assert submitted.request is not None
    return submitted.request
