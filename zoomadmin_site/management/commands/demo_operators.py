"""Create the demo operators for the sandbox: itadmin, manager, manager2, auditor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zoomadmin_site.models import DemoOperator
from zoomadmin_site.roles import AUDITOR, IT_ADMIN, MANAGER, ensure_operator_groups

DEMO_OPERATORS: dict[str, tuple[str, str, str]] = {
    "itadmin": (IT_ADMIN, "Ines", "Torres"),
    "manager": (MANAGER, "Marcus", "Bell"),
    "manager2": (MANAGER, "Mei", "Lin"),
    "auditor": (AUDITOR, "Ada", "Okafor"),
}
REFUSED_OUTSIDE_SANDBOX = (
    "Demo operators exist only for the Zoom sandbox (ZOOM_MODE=sandbox); ZOOM_MODE is {mode!r}. "
    "Create real operators with `manage.py createsuperuser` and assign groups in Django admin."
)


class Command(BaseCommand):
    help = (
        "Create or reset the demo operators (sandbox mode only), with ZOOMADMIN_DEMO_PASSWORD; an operator "
        "already as configured is left untouched."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ZOOM_MODE != "sandbox":
            raise CommandError(REFUSED_OUTSIDE_SANDBOX.format(mode=settings.ZOOM_MODE))
        password = settings.ZOOMADMIN_DEMO_PASSWORD
        user_model = get_user_model()
        with transaction.atomic():
            ensure_operator_groups()
            for username, (group_name, first, last) in DEMO_OPERATORS.items():
                user, _ = user_model.objects.get_or_create(
                    username=username,
                    defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
                )
                # Only what differs is changed: every change to an operator is an audit event, and
                # `make run` calls this on each start.
                changed = []
                if not user.check_password(password):
                    user.set_password(password)
                    changed.append("password")
                if not user.is_active:
                    user.is_active = True
                    changed.append("is_active")
                if changed:
                    user.save(update_fields=changed)
                user.groups.set([Group.objects.get(name=group_name)])
                DemoOperator.objects.get_or_create(user=user)
        for username, (group_name, _, _) in DEMO_OPERATORS.items():
            self.stdout.write(f"  {username:<9} {group_name}")
