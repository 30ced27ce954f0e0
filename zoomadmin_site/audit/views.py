from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zoomadmin_site.access import operator_required


@operator_required("view_audit_log")
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/event_list.html", {"events": []})
