"""The Users page's search form (see zoomadmin_site/search/forms.py for what every search form shares)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import ZoomUser
from zoomadmin_site.search.forms import MirrorSearchForm


class UserSearchForm(MirrorSearchForm):
    role = forms.ChoiceField(required=False, label="Role")
    type = forms.TypedChoiceField(
        required=False,
        label="Licence",
        coerce=int,
        empty_value=None,
        choices=[("", "Any licence"), *ZoomUser.Type.choices],
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ZoomUser.Status.choices])
    dept = forms.CharField(required=False, max_length=200, label="Department")

    def __init__(self, *args: Any, role_names: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_name = sorted(role_names.items(), key=lambda kv: kv[1].lower())
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "Any role"), *by_name]

    def search_kwargs(self) -> dict[str, Any]:
        return {
            "query": self.cleaned("q", ""),
            "role_id": self.cleaned("role"),
            "user_type": self.cleaned("type"),
            "status": self.cleaned("status"),
            "dept": self.cleaned("dept"),
            "include_gone": self.cleaned("gone", False),
            "sort": self.cleaned("sort"),
            "after": self.cleaned("after"),
            "before": self.cleaned("before"),
        }
