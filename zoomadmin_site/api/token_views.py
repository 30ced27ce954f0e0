"""The operator's own API tokens: list, create (the token shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zoomadmin_site.access import operator_required
from zoomadmin_site.api.models import ApiToken
from zoomadmin_site.api.tokens import NAME_MAX_LENGTH, TokenRefused, api_token_create, api_token_revoke

TEMPLATE = "api/tokens.html"
REVOKED = "API token {token} is revoked: it is refused from now on."


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Name",
        help_text="The system that will use it, e.g. “HR provisioning”.",
    )


def _page(request: HttpRequest, form: TokenForm, *, status: int = 200, **extra: object) -> HttpResponse:
    tokens = ApiToken.objects.filter(operator_id=request.user.pk)
    return render(request, TEMPLATE, {"form": form, "tokens": tokens, **extra}, status=status)


@operator_required("request_role_change")
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenForm())


@operator_required("request_role_change")
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, raw = api_token_create(
            operator=request.user, name=form.cleaned_data["name"], actor=request.user
        )
    except TokenRefused as refused:
        form.add_error(None, refused.message)
        return _page(request, form, status=400)
    # Rendered, not redirected: the token must not travel through the session or a cookie.
    return _page(request, TokenForm(), status=201, new_token=token, new_secret=raw)


@operator_required("request_role_change")
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not ApiToken.objects.filter(pk=token_id, operator_id=request.user.pk).exists():
        raise Http404("You have no API token with that id.")
    try:
        token = api_token_revoke(token_id=token_id, actor=request.user)
    except TokenRefused as refused:
        messages.warning(request, refused.message)
    else:
        messages.success(request, REVOKED.format(token=token))
    return redirect("api:tokens")
