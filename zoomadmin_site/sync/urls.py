from __future__ import annotations

from django.urls import path

from accounts import zoom_keys  # noqa: F401 - registers the "zoomuser" path converter
from zoomadmin_site.sync import views

app_name = "mirror"
urlpatterns = [
    path("mirror/", views.sync_overview, name="overview"),
    path("mirror/sync/", views.sync_start, name="sync_start"),
    path("mirror/runs/<int:run_id>/", views.sync_detail, name="run_detail"),
    path("zoom/webhooks/", views.webhook_receive, name="webhook"),
    path("users/<zoomuser:user_key>/refresh/", views.user_refresh, name="user_refresh"),
    path("meetings/<int:meeting_id>/refresh/", views.meeting_refresh, name="meeting_refresh"),
]
