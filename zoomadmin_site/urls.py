from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zoomadmin_site import views
from zoomadmin_site.login import LoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("audit/", include("zoomadmin_site.audit.urls")),
    path("", include("zoomadmin_site.sync.urls")),
    path("", include("accounts.urls")),
    path("", include("meetings.urls")),
    path("", include("zoomadmin_site.api.urls")),
]

handler403 = "zoomadmin_site.errors.permission_denied"
handler404 = "zoomadmin_site.errors.page_not_found"
handler500 = "zoomadmin_site.errors.server_error"
