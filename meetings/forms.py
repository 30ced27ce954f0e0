"""The meeting search form: lenient like every mirror search (bad values are dropped and named)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

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
