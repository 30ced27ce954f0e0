"""The audit log's filter form: a GET form, so every filtered view has a shareable URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from zoomadmin_site.audit import actions
from zoomadmin_site.audit.models import Action, Outcome
from zoomadmin_site.audit.selectors import AuditFilters

KNOWN_ACTIONS = tuple(Action.values)
KNOWN_TARGET_TYPES = (
    *(
        "zoom_user",
        "zoom_meeting",
        actions.OPERATOR,
        actions.OPERATOR_GROUP,
        "audit_log",
        "zoom_webhook",
        "mirror",
    ),
    *(actions.CLIENT_ADDRESS, actions.URL),
)
MAX_SEQ = 2**63 - 1
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-03-31."
DATE_RANGE_ERROR = "Enter a date between 1970-01-01 and 2999-12-31."
DATE_ORDER_ERROR = "“From” must not be after “to”."
SEQ_ERROR = "Paging position must be a whole number of 0 or more; use the Older / Newer links."
BOTH_CURSORS_ERROR = "Use either the Older or the Newer link, not both at once."
REQUEST_ID_ERROR = "Enter a request id as shown on an event: letters, digits, '-', '_', '.' or ':' only."
OPERATION_ERROR = "Enter an operation id as shown on an event, like 1b4e28ba-2fa1-11d2-883f-0016d3cca427."


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_ERROR},
    )


def _seq_field(label: str) -> forms.IntegerField:
    """A paging cursor. Hidden and never rendered: it travels in the Older / Newer links only, so that
    changing a filter starts again from the newest events."""
    messages = {"invalid": SEQ_ERROR, "min_value": SEQ_ERROR, "max_value": SEQ_ERROR}
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_SEQ,
        error_messages=messages,
        widget=forms.HiddenInput,
    )


def _text_field(label: str, max_length: int, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


class AuditFilterForm(forms.Form):
    q = _text_field("Search", 200, type="search", placeholder="Target or reason")
    actor = _text_field("Actor", 150, placeholder="Username or system")
    action = _text_field("Action", 64, list="audit-actions", placeholder="e.g. auth.login or auth")
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices]
    )
    target_type = _text_field("Target type", 64, list="audit-target-types")
    target_id = _text_field("Target id", 128)
    request_id = forms.RegexField(
        label="Request id",
        required=False,
        max_length=64,
        regex=r"^[A-Za-z0-9._:-]*$",
        error_messages={"invalid": REQUEST_ID_ERROR},
        widget=forms.TextInput(attrs={"placeholder": "X-Request-ID", "spellcheck": "false"}),
    )
    operation = forms.UUIDField(
        label="Operation", required=False, error_messages={"invalid": OPERATION_ERROR}
    )
    date_from = _date_field("From")
    date_to = _date_field("To")
    after_seq = _seq_field("Older page position")
    before_seq = _seq_field("Newer page position")

    def clean_date_from(self) -> dt.date | None:
        return self._in_range(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> dt.date | None:
        return self._in_range(self.cleaned_data.get("date_to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", DATE_ORDER_ERROR)
        if data.get("after_seq") is not None and data.get("before_seq") is not None:
            self.add_error(None, BOTH_CURSORS_ERROR)
        return data

    def filters(self) -> AuditFilters:
        """The cleaned filters as the selectors take them (call after is_valid())."""
        data = self.cleaned_data
        return AuditFilters(
            q=data["q"].strip(),
            actor=data["actor"].strip(),
            action=data["action"].strip(),
            outcome=data["outcome"],
            target_type=data["target_type"].strip(),
            target_id=data["target_id"].strip(),
            request_id=data["request_id"].strip(),
            operation_id=data["operation"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )

    @staticmethod
    def _in_range(day: dt.date | None) -> dt.date | None:
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(DATE_RANGE_ERROR)
        return day


EXPORT_FORMAT_ERROR = "Choose an export format: csv or jsonl."
AS_OF_ERROR = "“As of” must be an event number (seq) of 0 or more."
PAGING_FIELDS = ("after_seq", "before_seq")


class AuditExportForm(AuditFilterForm):
    """The list's filters, plus the export's format and `as_of_seq` (the last event it may include:
    the export and its manifest pass the same one, so that both describe the same rows)."""

    format = forms.ChoiceField(
        required=False,
        choices=[("csv", "CSV"), ("jsonl", "JSON Lines")],
        error_messages={"invalid_choice": EXPORT_FORMAT_ERROR},
    )
    as_of_seq = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SEQ,
        error_messages={"invalid": AS_OF_ERROR, "min_value": AS_OF_ERROR, "max_value": AS_OF_ERROR},
    )

    def export_format(self) -> str:
        return self.cleaned_data.get("format") or "csv"

    def recorded_filters(self) -> dict[str, str]:
        """The filters as given (paging ignored), as text: for the audit event and the manifest."""
        skip = {"format", "as_of_seq", *PAGING_FIELDS}
        return {k: str(v) for k, v in self.cleaned_data.items() if k not in skip and v not in (None, "")}

    def export_query(self, as_of_seq: int) -> dict[str, str]:
        """The query string parameters that reproduce this export exactly."""
        return {**self.recorded_filters(), "format": self.export_format(), "as_of_seq": str(as_of_seq)}
