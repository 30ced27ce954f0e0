"""Mirror rows for tests, written straight to the database the way the sync writes them."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from accounts.models import Delegation, ZoomRole, ZoomUser

_numbers = itertools.count(1)


def user_fields(**fields: Any) -> dict[str, Any]:
    n = next(_numbers)
    first, last = fields.get("first_name", "User"), fields.get("last_name", f"Number{n}")
    values = {
        "zoom_id": f"zu{n:06d}Xq",
        "email": f"user{n}@example.com",
        "first_name": first,
        "last_name": last,
        "display_name": f"{first} {last}".strip(),
        "type": ZoomUser.Type.LICENSED,
        "role_id": "2",
        "status": ZoomUser.Status.ACTIVE,
        "dept": "Engineering",
        "timezone": "Europe/London",
        "synced_at": timezone.now(),
    }
    return values | fields


def make_user(**fields: Any) -> ZoomUser:
    return ZoomUser.objects.create(**user_fields(**fields))


def make_users(count: int, **fields: Any) -> list[ZoomUser]:
    return ZoomUser.objects.bulk_create([ZoomUser(**user_fields(**fields)) for _ in range(count)])


def make_role(role_id: str, name: str, **fields: Any) -> ZoomRole:
    values = {"description": "", "total_members": 0, "synced_at": timezone.now()} | fields
    return ZoomRole.objects.create(role_id=role_id, name=name, **values)


def make_delegation(assistant: ZoomUser, host: ZoomUser, **fields: Any) -> Delegation:
    values = {"synced_at": timezone.now()} | fields
    return Delegation.objects.create(assistant_zoom_id=assistant.zoom_id, host_zoom_id=host.zoom_id, **values)
