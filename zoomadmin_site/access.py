"""Access control: every view names the one permission it needs; everything else is denied."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from zoomadmin_site.roles import PERMISSIONS, perm

MISSING_PERMISSION = (
    "You need the “{label}” permission ({codename}) for this page. Ask a Zoom Admin superuser."
)


def operator_required(codename: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a logged-in operator holding `codename` (anonymous users are sent to log in by
    LoginRequiredMiddleware before this runs); a 403 page names the missing permission."""
    full_name = perm(codename)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(full_name):
                raise PermissionDenied(
                    MISSING_PERMISSION.format(label=PERMISSIONS[codename], codename=codename)
                )
            return view(request, *args, **kwargs)

        wrapped.required_permission = codename  # type: ignore[attr-defined]
        return wrapped

    return decorator
