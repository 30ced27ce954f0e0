"""API tokens in Django admin (superusers): list, create (the token shown once, on a page of its own),
revoke. Nothing about a token is edited; creating and revoking go through the audited services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from zoomadmin_site.api.models import ApiToken
from zoomadmin_site.api.tokens import (
    MAX_ACTIVE_TOKENS,
    TOO_MANY,
    TokenRefused,
    api_token_create,
    api_token_revoke,
)


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["operator", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        operator = data.get("operator")
        if operator is not None:
            active = ApiToken.objects.filter(operator=operator, revoked_at__isnull=True).count()
            if active >= MAX_ACTIVE_TOKENS:
                raise forms.ValidationError(TOO_MANY.format(operator=operator.get_username(), count=active))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "display", "operator", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "operator__username"]
    list_select_related = ["operator"]
    readonly_fields = ("operator", "name", "display", "created_at", "last_used_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new token's text, from save_model to response_add of the same request, then dropped.
        self._new_secrets: dict[int, str] = {}

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["operator", "name"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        self._revoke_first(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        self._revoke_first(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _revoke_first(self, request: HttpRequest, tokens: list[ApiToken]) -> None:
        """A deleted token is revoked first, so that the audit log says it ended and who ended it."""
        for token in tokens:
            if token.revoked_at is None:
                api_token_revoke(token_id=token.pk, actor=request.user)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, raw = api_token_create(operator=obj.operator, name=obj.name, actor=request.user)
        obj.pk, obj.prefix, obj.secret_hash, obj.created_at = (
            token.pk,
            token.prefix,
            token.secret_hash,
            token.created_at,
        )
        obj._state.adding = False
        self._new_secrets[obj.pk] = raw

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Shown on this response only: never through a message, which may travel in a cookie.
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "secret": self._new_secrets.pop(obj.pk, ""),
            "opts": self.opts,
        }
        return TemplateResponse(request, "api/admin_token_created.html", context, status=201)

    @admin.action(description="Revoke the selected API tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(token_id=token.pk, actor=request.user)
            except TokenRefused as refused:
                messages.warning(request, refused.message)
            else:
                done += 1
        messages.success(request, f"{done} API token{'s' if done != 1 else ''} revoked.")

    @admin.display(description="Token")
    def display(self, obj: ApiToken) -> str:
        return obj.display
