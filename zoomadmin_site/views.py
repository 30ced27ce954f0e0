from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from zoomadmin_site.access import operator_required
from zoomadmin_site.dashboard import dashboard_summary
from zoomadmin_site.roles import perm


@operator_required("browse")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    summary = dashboard_summary(include_audit=request.user.has_perm(perm("view_audit_log")))
    return render(request, "home.html", summary)


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: is the database reachable. Anonymous callers (load balancers) get
    the status only; a logged-in operator also sees the database vendor and the Zoom mode. Never
    secrets."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any database failure means unhealthy; the reason goes to the server log
        database = "unavailable"
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "degraded"}
    if request.user.is_authenticated:
        body.update(database=database, database_vendor=connection.vendor, zoom_mode=settings.ZOOM_MODE)
    return JsonResponse(body, status=200 if healthy else 503)
