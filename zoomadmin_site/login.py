"""The login page and Django admin's login, both throttled (`zoomadmin_site.throttle`)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse

from zoomadmin_site.middleware import client_ip
from zoomadmin_site.throttle import login_failure_record, login_lockout, login_success_record

LOCKED_OUT_CODE = "locked_out"


class LoginThrottleMixin(Form):
    """For AuthenticationForm and its subclasses: refuse a locked-out username or client address before
    any password is checked, count failed logins, and forget a username's failures once it succeeds."""

    request: Any
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) if self.request is not None else ""
        lockout = login_lockout(username=username, address=address) if username else None
        if lockout is not None:
            # Refused before authenticate(): the right password is refused too, and no user_login_failed
            # is sent, so attempts during a lockout are neither counted nor audited one by one (the
            # lockout's start is, once).
            raise ValidationError(lockout.message, code=LOCKED_OUT_CODE)
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None and username and self.cleaned_data.get("password"):
                lockout = login_failure_record(username=username, address=address)
                if lockout is not None:
                    raise ValidationError(lockout.message, code=LOCKED_OUT_CODE) from None
            raise
        if self.user_cache is not None:
            login_success_record(username=username)
        return cleaned or {}

    def is_locked_out(self) -> bool:
        return self.has_error("__all__", code=LOCKED_OUT_CODE)


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.is_locked_out():
            response.status_code = 429  # Too Many Requests: the page says when to try again
        return response
