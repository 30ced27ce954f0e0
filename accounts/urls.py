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
    path("users/<zoomuser:user_key>/role/", views.role_change, name="role_change"),
    path("users/<zoomuser:user_key>/role/check/", views.role_change_check, name="role_change_check"),
    path("users/<zoomuser:user_key>/role/request/", views.role_change_submit, name="role_change_request"),
    path("approvals/", views.approval_list, name="approval_list"),
    path("approvals/decided/", views.approval_decided, name="approval_decided"),
    path("approvals/<int:request_id>/", views.approval_detail, name="approval_detail"),
    path("approvals/<int:request_id>/preflight/", views.approval_preflight, name="approval_preflight"),
    path("approvals/<int:request_id>/approve/", views.approval_approve, name="approval_approve"),
    path("approvals/<int:request_id>/reject/", views.approval_reject, name="approval_reject"),
    path("approvals/<int:request_id>/cancel/", views.approval_cancel, name="approval_cancel"),
]
