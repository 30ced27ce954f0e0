"""A URLconf for tests: the site's URLs plus stand-in "refresh this row from Zoom" views, as the sync's
own views will be named, to check that the detail pages' Refresh buttons come alive."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path

from zoomadmin_site.urls import urlpatterns as site_urlpatterns


def refresh(request, **kwargs):
    return HttpResponse("refreshed")


mirror_patterns = [
    path("users/<zoomuser:user_key>/refresh/", refresh, name="user_refresh"),
    path("meetings/<int:meeting_id>/refresh/", refresh, name="meeting_refresh"),
]
urlpatterns = [
    path("mirror-test/", include((mirror_patterns, "mirror"))),
    *(p for p in site_urlpatterns if getattr(p, "namespace", None) != "mirror"),
]
