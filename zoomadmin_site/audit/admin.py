"""Django admin: an operator who acted in audit events cannot be deleted (the foreign key is PROTECT, so
the record always knows who acted). Admin's delete page, and its "Delete selected" action, say so in
plain words and suggest deactivating the account instead, rather than listing every protected event
(there may be millions) or failing.

The operator model's existing admin (Django's UserAdmin) is kept and extended, not replaced.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.http import HttpRequest

from zoomadmin_site.audit.models import AuditEvent

OPERATOR_HAS_EVENTS = (
    "{name} acted in {count} audit event{s}, and the audit log keeps who acted for ever, so the "
    "account cannot be deleted. Deactivate it instead: untick “Active” on its page and save. "
    "A deactivated operator cannot sign in, and the record stays whole."
)


def operators_with_events(operators: Any) -> list[str]:
    """One plain-words refusal per operator in `operators` who acted in audit events."""
    pks = [operator.pk for operator in operators]
    counts = dict(
        AuditEvent.objects.filter(actor_id__in=pks)
        .order_by()
        .values("actor_id")
        .annotate(n=Count("seq"))
        .values_list("actor_id", "n")
    )
    return [
        OPERATOR_HAS_EVENTS.format(
            name=operator.get_username(), count=counts[operator.pk], s="" if counts[operator.pk] == 1 else "s"
        )
        for operator in operators
        if counts.get(operator.pk)
    ]


def _protecting_admin(base: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    class OperatorAdmin(base):  # type: ignore[valid-type,misc]
        def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
            # A non-empty "protected" list makes admin show it and refuse the deletion (single or bulk).
            refusals = operators_with_events(list(objs))
            if refusals:
                return [], {}, set(), refusals
            return super().get_deleted_objects(objs, request)

    OperatorAdmin.__name__ = OperatorAdmin.__qualname__ = f"AuditProtected{base.__name__}"
    return OperatorAdmin


def protect_operators_with_events(site: admin.AdminSite = admin.site) -> None:
    user_model = get_user_model()
    if not site.is_registered(user_model):
        return
    base = type(site.get_model_admin(user_model))
    site.unregister(user_model)
    site.register(user_model, _protecting_admin(base))


protect_operators_with_events()
