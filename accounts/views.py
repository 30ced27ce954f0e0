from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from accounts.forms import UserSearchForm
from accounts.selectors import (
    USER_DEFAULT_SORT,
    USER_SORTS,
    role_label,
    role_names,
    role_names_departments_and_freshness,
    user_profile,
    user_search,
)
from zoomadmin_site.access import operator_required
from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.search.pages import render_search, search_params, sort_headers

USER_NOT_FOUND = (
    "There is no Zoom user “{key}” in the local mirror. Check the Zoom user id or email address, or search "
    "for them on the Users page; someone added in Zoom only minutes ago appears after the next sync."
)


@operator_required("browse")
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    fragment = wants_fragment(request)
    if fragment:
        names, departments, mirror = role_names(), None, None
    else:
        names, departments, mirror = role_names_departments_and_freshness()
    form = UserSearchForm(request.GET, role_names=names)
    form.is_valid()
    page = user_search(**form.search_kwargs())
    for row in page.rows:
        row.role_name = role_label(row.role_id, names)
    params = search_params(form, page, USER_DEFAULT_SORT)
    context = {
        "form": form,
        "page": page,
        "params": params,
        "sort_param": params.get("sort", ""),  # the order, when not the default
        "values": form.values(),
        "sort_headers": sort_headers(USER_SORTS, page.sort, params),
        "ignored": form.ignored() + page.ignored,
    }
    if not fragment:
        context |= {"departments": departments, "mirror": mirror}
    return render_search(request, "accounts/user_list.html", context, form=form, page=page)


@operator_required("browse")
@require_safe
def user_detail(request: HttpRequest, user_key: str) -> HttpResponse:
    profile = user_profile(key=user_key)
    if profile is None:
        raise Http404(USER_NOT_FOUND.format(key=Truncator(user_key).chars(80)))
    return render(request, "accounts/user_detail.html", {"profile": profile, "zoom_user": profile.user})


@operator_required("browse")
@require_safe
def approval_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/approval_list.html")
