from __future__ import annotations

from django.urls import path

from accounts import (
    views,
    zoom_keys,  # noqa: F401 - registers the "zoomuser" path converter
)

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    # A Zoom user id, or the email address of a pending user (who has no id yet): any text but empty
    # (see accounts/zoom_keys.py for how a "/" in an email gets through).
    path("users/<zoomuser:user_key>/", views.user_detail, name="user_detail"),
    path("approvals/", views.approval_list, name="approval_list"),
]
