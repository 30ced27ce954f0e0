from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from meetings.forms import MeetingSearchForm
from meetings.selectors import MEETING_DEFAULT_SORT, MEETING_SORTS, meeting_profile, meeting_search
from zoomadmin_site.access import operator_required
from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.mirror.freshness import mirror_freshness
from zoomadmin_site.search.pages import render_search, search_params, sort_headers
from zoomadmin_site.search.searching import INT64

MEETING_ID_INVALID = (
    "“{value}” is not a Zoom meeting id. Meeting ids are numbers, like 85746065432; search for the meeting "
    "by topic or host on the Meetings page."
)
MEETING_NOT_FOUND = (
    "There is no meeting {meeting_id} in the local mirror. It may have ended or been deleted in Zoom, or "
    "been scheduled since the last sync. Search for it by topic or host on the Meetings page."
)


@operator_required("browse")
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingSearchForm(request.GET)
    form.is_valid()
    page = meeting_search(**form.search_kwargs())
    params = search_params(form, page, MEETING_DEFAULT_SORT)
    context = {
        "form": form,
        "page": page,
        "params": params,
        "sort_param": params.get("sort", ""),  # the order, when not the default
        "values": form.values(),
        "sort_headers": sort_headers(MEETING_SORTS, page.sort, params),
        "ignored": form.ignored() + page.ignored,
    }
    if not wants_fragment(request):
        context["mirror"] = mirror_freshness()
    return render_search(request, "meetings/meeting_list.html", context, form=form, page=page)


def _meeting_id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) >= INT64:
        raise Http404(MEETING_ID_INVALID.format(value=Truncator(value).chars(40)))
    return int(value)


@operator_required("browse")
@require_safe
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    profile = meeting_profile(meeting_id=_meeting_id(meeting_id))
    if profile is None:
        raise Http404(MEETING_NOT_FOUND.format(meeting_id=meeting_id))
    return render(request, "meetings/meeting_detail.html", {"profile": profile, "meeting": profile.meeting})
