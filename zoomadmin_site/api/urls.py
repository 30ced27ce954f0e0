from __future__ import annotations

from django.urls import path

from zoomadmin_site.api import token_views, views

app_name = "api"
urlpatterns = [
    path("api/v1/role-changes", views.role_change_create, name="role_change_create"),
    path("api/v1/role-changes/<int:request_id>", views.role_change_detail, name="role_change_detail"),
    path("api/v1/openapi.json", views.openapi, name="openapi"),
    path("account/tokens/", token_views.token_list, name="tokens"),
    path("account/tokens/new/", token_views.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
]
