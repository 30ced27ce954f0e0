from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zoomadmin_site.changes.models import ChangeRequest
from zoomadmin_site.roles import operator_role_label


def operator(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return {
        "nav_section": _section(match),
        "operator_role": operator_role_label(getattr(request, "user", None)),
        "zoom_mode": settings.ZOOM_MODE,
        # A callable: the template calls it (one COUNT on the status index) only where it shows the
        # count, in a full page's navigation for a manager; fragments and other operators cost nothing.
        "pending_approvals_count": _pending_approvals_count,
    }


def _pending_approvals_count() -> int:
    return ChangeRequest.objects.pending().count()


def _section(match: Any) -> str:
    """Which navigation entry is current: the URL namespace, except that approvals have their own."""
    if match is None:
        return ""
    if match.url_name and match.url_name.startswith("approval"):
        return "approvals"
    return match.namespace or match.url_name or ""
