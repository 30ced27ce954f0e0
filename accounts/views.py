from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zoomadmin_site.access import operator_required


@operator_required("browse")
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html")


@operator_required("browse")
def approval_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/approval_list.html")
