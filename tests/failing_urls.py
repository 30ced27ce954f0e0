"""A URL that fails, for the server error page test (the site's own handlers stay in place)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path

handler500 = "zoomadmin_site.errors.server_error"


@login_not_required
def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]
