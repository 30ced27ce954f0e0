from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zoomadmin_site.access import operator_required


@operator_required("browse")
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/meeting_list.html")
