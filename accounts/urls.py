from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    # A Zoom user id, or the email address of a pending user (who has no id yet).
    path("users/<str:user_key>/", views.user_detail, name="user_detail"),
    path("approvals/", views.approval_list, name="approval_list"),
]
