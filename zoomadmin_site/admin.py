"""Django admin's login counts failed attempts and honours lockouts like the login page does."""

from __future__ import annotations

from django.contrib import admin

from zoomadmin_site.login import ThrottledAdminAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm
