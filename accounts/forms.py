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


# --- role changes ----------------------------------------------------------------------------------------

HOURS_MIN, HOURS_MAX = 1, 720
REASON_MAX_LENGTH = COMMENT_MAX_LENGTH = 2000
ROLE_REQUIRED = "Pick the role to give this user."
ROLE_UNKNOWN = "Zoom lists no role “%(value)s” in this account now: pick one of the roles in the list."
REASON_REQUIRED = "Give a reason: it is kept in the audit log with the request."
HOURS_INVALID = (
    "Enter the hours as a whole number from 1 to 720 (30 days), or leave it empty for a lasting change."
)
COMMENT_REQUIRED = "Say why in the comment: it is kept in the audit log with your decision."
CURSOR_MAX_LENGTH = 500


class RoleChangeForm(forms.Form):
    """The change asked for: a role among those Zoom lists now (never a hard-coded id), why, and for how
    long (empty: for good)."""

    role = forms.ChoiceField(
        label="New role", error_messages={"required": ROLE_REQUIRED, "invalid_choice": ROLE_UNKNOWN}
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
        help_text="Kept in the audit log with the request; the approving manager reads it.",
    )
    hours = forms.IntegerField(
        label="For how many hours",
        required=False,
        min_value=HOURS_MIN,
        max_value=HOURS_MAX,
        error_messages={"invalid": HOURS_INVALID, "min_value": HOURS_INVALID, "max_value": HOURS_INVALID},
        help_text="Optional: the role is put back after this many hours (1 to 720). Empty: a lasting change.",
    )

    def __init__(self, *args: Any, roles: tuple[Any, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "Choose a role…"), *((r.id, r.name) for r in roles)]
        self.role_names = {r.id: r.name for r in roles}

    def role_wanted(self) -> dict[str, str]:
        role_id = self.cleaned_data["role"]
        return {"role_id": role_id, "role_name": self.role_names.get(role_id, "")}


class DecisionForm(forms.Form):
    """A manager's approve or reject: the comment is required (it goes to the audit log)."""

    comment = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": COMMENT_REQUIRED},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why (optional)", required=False, max_length=REASON_MAX_LENGTH)


class ApprovalPageForm(forms.Form):
    """Where the approvals list is: a keyset cursor (a bad one shows the first page)."""

    after = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    before = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)

    def cursors(self) -> dict[str, str | None]:
        if not self.is_valid():
            return {"after": None, "before": None}
        return {k: self.cleaned_data[k] or None for k in ("after", "before")}
