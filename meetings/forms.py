"""The meeting search form: lenient like every mirror search (bad values are dropped and named)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.zoom_keys import EMAIL_MAX_LENGTH, zoom_user_key_ok
from meetings.models import ZoomMeeting
from meetings.selectors import STATUS_NOT_KNOWN
from zoomadmin_site.search.forms import MirrorSearchForm

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class MeetingSearchForm(MirrorSearchForm):
    """`from` defaults to today (upcoming meetings); an explicitly empty `from=` means any date."""

    type = forms.TypedChoiceField(
        required=False,
        label="Type",
        coerce=int,
        empty_value=None,
        choices=[("", "Any type"), *ZoomMeeting.Type.choices],
    )
    host = forms.CharField(required=False, max_length=254, label="Host")
    # Zoom's meeting lists carry no status: most meetings' status is not known (ZoomMeeting.status_known).
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ZoomMeeting.Status.choices, (STATUS_NOT_KNOWN, "Not known")],
    )
    recurring = forms.ChoiceField(required=False, choices=YES_NO, label="Recurring")
    pmi = forms.ChoiceField(required=False, choices=YES_NO, label="Personal meeting ID")

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # "from" and "to" are Python keywords, so they cannot be declared as class attributes.
        self.fields["from"] = forms.DateField(required=False, label="From")
        self.fields["to"] = forms.DateField(required=False, label="To")
        self.today = timezone.localdate()
        self.from_given = data is not None and "from" in data

    def start_from(self) -> datetime.date | None:
        if not self.from_given or "from" in self.errors:
            return self.today
        return self.cleaned("from")

    def search_kwargs(self) -> dict[str, Any]:
        yes_no = {"yes": True, "no": False}
        return {
            "query": self.cleaned("q", ""),
            "meeting_type": self.cleaned("type"),
            "host": self.cleaned("host"),
            "start_from": self.start_from(),
            "start_to": self.cleaned("to"),
            "status": self.cleaned("status"),
            "recurring": yes_no.get(self.cleaned("recurring", "")),
            "pmi": yes_no.get(self.cleaned("pmi", "")),
            "include_gone": self.cleaned("gone", False),
            "sort": self.cleaned("sort"),
            "after": self.cleaned("after"),
            "before": self.cleaned("before"),
        }

    def params(self, *, with_cursor: bool = False) -> dict[str, str]:
        params = super().params(with_cursor=with_cursor)
        start = self.start_from()
        if start == self.today:
            params.pop("from", None)  # the default: upcoming
        else:
            params["from"] = start.isoformat() if start else ""  # empty: any date
        return params

    def values(self) -> dict[str, str]:
        """What the form controls show: the canonical values, with the default start date filled in."""
        start = self.start_from()
        return super().values() | {"from": start.isoformat() if start else ""}


# --- host transfers ---------------------------------------------------------------------------------------

NEW_HOST_REQUIRED = "Pick the new host: type part of their name or email, then choose them from the list."
USER_KEY_INVALID = "“%(value)s” is not a Zoom user's email address or id: pick someone from the list."
TRANSFER_REASON_REQUIRED = "Give a reason: it is kept in the audit log with the transfer."
ASSISTANT_REQUIRED = "Say whom to add as a scheduling assistant (use the button under the failing check)."
REASON_MAX_LENGTH = 2000
MAX_OVERRIDES = 1000  # per-meeting new hosts in one offboarding plan
OVERRIDE_PREFIX = "override_"
_OVERRIDE_KEY = re.compile(r"override_(\d{1,19})")
PICKER_FIELD = re.compile(r"\A(?:new_host|override_\d{1,19})\Z")
PICKER_FORM = re.compile(r"\A[a-z][a-z-]{0,39}\Z")


def _user_key(value: str) -> None:
    if not zoom_user_key_ok(value):
        raise ValidationError(USER_KEY_INVALID, params={"value": value[:80]})


def _user_key_field(label: str, *, required: bool = False, **messages: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=EMAIL_MAX_LENGTH,
        validators=[_user_key],
        error_messages={"required": NEW_HOST_REQUIRED, **messages},
    )


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit log with every Zoom call this makes.",
    )


FINGERPRINT = re.compile(r"\A[0-9a-f]{64}\Z")


class FingerprintField(forms.CharField):
    """The fingerprint of the check the operator saw (a hidden field): the server compares it with the
    check it makes at confirmation. Anything but a fingerprint counts as no check seen ("")."""

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return value if FINGERPRINT.fullmatch(value or "") else ""


def _fingerprint_field() -> FingerprintField:
    return FingerprintField(required=False, widget=forms.HiddenInput)


class ReasonRequiredMixin(forms.Form):
    """Checking is read-only and needs no reason; moving does (the audit log keeps it)."""

    def __init__(self, *args: Any, require_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.require_reason = require_reason

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.require_reason and not reason:
            raise ValidationError(TRANSFER_REASON_REQUIRED)
        return reason


class HostTransferForm(ReasonRequiredMixin):
    """One meeting's move. `granted`: the assistant this form added (after the remedy button), so that
    the grant can be taken back after the move (`revoke_grant`)."""

    new_host = _user_key_field("New host", required=True)
    reason = _reason_field()
    assistant = _user_key_field("Scheduling assistant to add")
    granted = _user_key_field("Assistant added by this form")
    revoke_grant = forms.BooleanField(
        required=False, label="Remove the assistant grant I just added after the move"
    )
    plan_fingerprint = _fingerprint_field()

    def assistant_to_add(self) -> str:
        assistant = self.cleaned_data.get("assistant") or ""
        if not assistant:
            self.add_error("assistant", ASSISTANT_REQUIRED)
        return assistant


class OffboardingForm(ReasonRequiredMixin):
    """Every meeting of a departing host: a default new host, and per meeting an override
    (`override_<meeting id>`, empty for the default). Travels in the plan page's URL; `reason` only with
    the Run button."""

    new_host = _user_key_field("Default new host", required=True)
    reason = _reason_field()
    plan_fingerprint = _fingerprint_field()

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        keys = [k for k in (data or {}) if _OVERRIDE_KEY.fullmatch(k)][:MAX_OVERRIDES]
        for key in keys:
            self.fields[key] = _user_key_field("New host for this meeting")

    def overrides(self) -> dict[int, str]:
        """Meeting id -> new host, for the meetings that do not go to the default one."""
        default = self.cleaned_data.get("new_host")
        found = {}
        for name, value in self.cleaned_data.items():
            match = _OVERRIDE_KEY.fullmatch(name)
            if match and value and value != default:
                found[int(match.group(1))] = value
        return found

    def override_errors(self) -> list[str]:
        """The per-meeting new hosts that are not a user's email or id, in words."""
        return [
            f"Meeting {name.removeprefix(OVERRIDE_PREFIX)}: {error}"
            for name, errors in self.errors.items()
            if name.startswith(OVERRIDE_PREFIX)
            for error in errors
        ]

    def plan_params(self) -> dict[str, str]:
        """The plan's address: what the plan page's URL carries (never the reason)."""
        params = {"new_host": self.cleaned_data["new_host"]}
        params |= {f"{OVERRIDE_PREFIX}{m}": host for m, host in sorted(self.overrides().items())}
        return params


class AssistantGrantForm(forms.Form):
    """One of an offboarding plan's fixes: let `assistant` schedule for `host`."""

    assistant = _user_key_field("Assistant", required=True)
    host = _user_key_field("Host", required=True)


class HostSearchForm(forms.Form):
    """The live search of new hosts: the typed text, and which picker asks (its field name)."""

    q = forms.CharField(required=False, max_length=200)
    field = forms.RegexField(regex=PICKER_FIELD, required=False)
    in_form = forms.RegexField(regex=PICKER_FORM, required=False)  # the picker's form="" (outside it)
    pick = forms.CharField(required=False, max_length=EMAIL_MAX_LENGTH)

    def picker(self) -> dict[str, str]:
        """Which picker asks: its field name and the id of the form it belongs to (may be empty)."""
        valid = self.is_valid()
        name = self.cleaned_data.get("field", "") if valid else ""
        in_form = self.cleaned_data.get("in_form", "") if valid else ""
        return {"name": name if PICKER_FIELD.fullmatch(name or "") else "new_host", "in_form": in_form or ""}
