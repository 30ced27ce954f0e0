"""What the search pages share: one template for page and results fragment (django-htmx style), the
shareable URL of the current query, and sortable column headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.search.forms import MirrorSearchForm
from zoomadmin_site.search.keyset import SortOption
from zoomadmin_site.search.searching import BAD_CURSOR, SearchPage


def search_params(form: MirrorSearchForm, page: SearchPage, default_sort: str) -> dict[str, str]:
    """The canonical URL parameters of this search (without the page cursor)."""
    params = form.params()
    params.pop("sort", None)
    if page.sort != default_sort:
        params["sort"] = page.sort
    return params


def url_with(request: HttpRequest, params: dict[str, str]) -> str:
    return request.path + ("?" + urlencode(params) if params else "")


def render_search(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: MirrorSearchForm, page: SearchPage
) -> HttpResponse:
    """The full page, or only its `results` partial for htmx; either way the address bar ends up showing
    the canonical URL of the query (HX-Push-Url), so it can be bookmarked and shared."""
    fragment = wants_fragment(request)
    response = render(request, f"{template}#results" if fragment else template, context)
    if fragment:
        params = dict(context["params"])
        if BAD_CURSOR not in page.ignored:
            params |= {k: v for k, v in form.params(with_cursor=True).items() if k in form.CURSORS}
        push_url(response, url_with(request, params))
    patch_vary_headers(response, ("HX-Request",))
    return response


@dataclass(frozen=True)
class SortHeader:
    label: str
    params: dict[str, str]  # the query that sorts by this column (toggling direction if it is current)
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


def sort_headers(sorts: dict[str, SortOption], current: str, params: dict[str, str]) -> dict[str, SortHeader]:
    headers = {}
    for key, option in sorts.items():
        if current == key:
            next_sort, aria = f"-{key}", "ascending"
        elif current == f"-{key}":
            next_sort, aria = key, "descending"
        else:
            next_sort, aria = key, ""
        headers[key] = SortHeader(option.label, params | {"sort": next_sort}, aria)
    return headers
