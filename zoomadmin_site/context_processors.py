from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zoomadmin_site.roles import operator_role_label


def operator(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return {
        "nav_section": _section(match),
        "operator_role": operator_role_label(getattr(request, "user", None)),
        "zoom_mode": settings.ZOOM_MODE,
    }


def _section(match: Any) -> str:
    """Which navigation entry is current: the URL namespace, except that approvals have their own."""
    if match is None:
        return ""
    if match.url_name and match.url_name.startswith("approval"):
        return "approvals"
    return match.namespace or match.url_name or ""
