"""What every search form shares. They never reject a search: a bad value is dropped (and named on the
page) and the rest of the query still runs."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from zoomadmin_site.search.searching import clean_query


class SearchQueryField(forms.CharField):
    """Free text: control characters are dropped and the length capped instead of failing validation."""

    def to_python(self, value: Any) -> str:
        return clean_query(super().to_python(value) or "")


class MirrorSearchForm(forms.Form):
    """What every mirror search has: the text query, "include gone rows", sort order and page cursor."""

    q = SearchQueryField(required=False)
    gone = forms.BooleanField(required=False, label="Include rows gone from Zoom")
    sort = forms.CharField(required=False, max_length=40, label="Sort order")
    after = forms.CharField(required=False, max_length=1000, label="Page link")
    before = forms.CharField(required=False, max_length=1000, label="Page link")

    CURSORS = ("after", "before")

    def ignored(self) -> list[str]:
        """The request's bad values, in words, for the page to say what it ignored."""
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label or name if name in self.fields else ""
            for error in errors:
                messages.append(f"{str(label).capitalize()}: {error}" if label else str(error))
        return messages

    def cleaned(self, name: str, default: Any = None) -> Any:
        value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return default if value in (None, "") else value

    def values(self) -> dict[str, str]:
        """What the form controls show: every field, "" where empty (a template's lookup of a missing key
        takes Django's slow failed-lookup path, and a search page looks up every field)."""
        return dict.fromkeys((name for name in self.fields if name not in self.CURSORS), "") | self.params()

    def params(self, *, with_cursor: bool = False) -> dict[str, str]:
        """The query as URL parameters: valid, non-empty values only (the canonical, shareable URL)."""
        params = {}
        for name in self.fields:
            if name in self.CURSORS and not with_cursor:
                continue
            value = self.cleaned(name)
            if value is None or value is False:
                continue
            if value is True:
                value = "1"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            params[name] = str(value)
        return params
