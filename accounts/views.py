from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_POST, require_safe

from accounts.forms import ApprovalPageForm, CancelForm, DecisionForm, RoleChangeForm, UserSearchForm
from accounts.models import ZoomUser
from accounts.role_changes import (
    ChangeRefused,
    role_change_approve,
    role_change_cancel,
    role_change_preflight,
    role_change_reject,
    role_change_request,
    role_change_roles,
)
from accounts.selectors import (
    USER_DEFAULT_SORT,
    USER_SORTS,
    ChangeRequestDetail,
    change_request_detail,
    change_requests_decided_page,
    change_requests_pending_page,
    role_label,
    role_names,
    role_names_departments_and_freshness,
    user_get,
    user_profile,
    user_role_requests,
    user_search,
)
from zoomadmin_site.access import operator_required
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.roles import perm
from zoomadmin_site.search.pages import render_search, search_params, sort_headers
from zoomadmin_site.zoom import ZoomError

REQUEST_NOT_FOUND = "There is no change request #{pk}. Open the Approvals page for the requests that wait."
ZOOM_FAILED = (
    "Zoom did not answer as expected: {explanation} {remedy} Nothing was changed; your input is kept."
)
ROLES_UNAVAILABLE = "Zoom could not list the account's roles: {explanation} {remedy}"
USER_GONE = "Zoom no longer lists this user, so their role cannot be changed."
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


def _zoom_failed(error: ZoomError) -> str:
    return ZOOM_FAILED.format(explanation=error.explanation, remedy=error.remedy).replace("  ", " ")


# --- role change: the form on a user's page ---------------------------------------------------------


def _role_change_user(user_key: str) -> ZoomUser:
    user = user_get(key=user_key)
    if user is None:
        raise Http404(USER_NOT_FOUND.format(key=Truncator(user_key).chars(80)))
    return user


def _role_change_form(request: HttpRequest, user: ZoomUser) -> tuple[RoleChangeForm, str]:
    """The form (bound on a POST) with the roles Zoom lists now, and why the roles are missing if Zoom
    could not be read."""
    try:
        roles, roles_error = role_change_roles(), ""
    except ZoomError as error:
        roles, roles_error = (), ROLES_UNAVAILABLE.format(explanation=error.explanation, remedy=error.remedy)
    data = request.POST if request.method == "POST" else None
    return RoleChangeForm(data, roles=roles), roles_error


def _render_role_change(request: HttpRequest, user: ZoomUser, **context: Any) -> HttpResponse:
    template = "accounts/role_change.html"
    if getattr(request, "htmx", False):
        template += "#panel"
    return render(request, template, {"zoom_user": user, **context})


@operator_required("request_role_change")
@require_safe
def role_change(request: HttpRequest, user_key: str) -> HttpResponse:
    """The role-change form: in place on the user's page (htmx), or a page of its own."""
    user = _role_change_user(user_key)
    if user.is_gone:
        return _render_role_change(request, user, error=USER_GONE)
    form, roles_error = _role_change_form(request, user)
    return _render_role_change(request, user, form=form, error=roles_error)


@operator_required("request_role_change")
@require_POST
def role_change_check(request: HttpRequest, user_key: str) -> HttpResponse:
    """Run the read-only preflight and show it: the checklist, the Zoom calls, whether approval is
    needed. A POST so that the reason stays out of URLs and logs; it changes nothing."""
    user = _role_change_user(user_key)
    form, error = _role_change_form(request, user)
    plan = None
    if form.is_valid():
        try:
            plan = role_change_preflight(user_key=user.url_key, role=form.role_wanted(), actor=request.user)
        except ZoomError as failure:
            error = _zoom_failed(failure)
        except ChangeRefused as refused:
            error, plan = refused.message, refused.plan
    return _render_role_change(request, user, form=form, plan=plan, error=error)


@operator_required("request_role_change")
@require_POST
def role_change_submit(request: HttpRequest, user_key: str) -> HttpResponse:
    """Record the request: it waits for a manager, or (no approval needed) runs at once."""
    user = _role_change_user(user_key)
    form, error = _role_change_form(request, user)
    if not form.is_valid():
        return _render_role_change(request, user, form=form, error=error)
    try:
        submitted = role_change_request(
            user_key=user.url_key,
            role=form.role_wanted(),
            reason=form.cleaned_data["reason"],
            duration_hours=form.cleaned_data["hours"],
            actor=request.user,
        )
    except ChangeRefused as refused:
        return _render_role_change(request, user, form=form, plan=refused.plan, error=refused.message)
    except ZoomError as failure:
        return _render_role_change(request, user, form=form, error=_zoom_failed(failure))
    change = submitted.request
    assert change is not None  # None only for a dry run
    if getattr(request, "htmx", False):
        # The user page's list of requests is updated too (an out-of-band swap).
        requests_update = {"role_requests": user_role_requests(key=user.url_key)}
        return _render_role_change(request, user, result=change, requests_update=requests_update)
    messages.add_message(request, *_result_message(change))
    if change.status == Status.PENDING:
        return redirect("accounts:approval_detail", request_id=change.pk)
    return redirect(user.get_absolute_url())


def _result_message(change: ChangeRequest) -> tuple[int, str]:
    if change.status == Status.PENDING:
        return messages.INFO, f"Request #{change.pk} waits for a manager's approval: {change.summary}."
    if change.status == Status.SUCCEEDED:
        return messages.SUCCESS, f"Done: {change.outcome_reason or change.summary}"
    if change.status == Status.UNVERIFIED:
        return messages.WARNING, f"Unverified: {change.outcome_reason}"
    return messages.ERROR, f"{change.get_status_display()}: {change.outcome_reason}"


# --- approvals: the list and the request page ----------------------------------------------------------


@operator_required("browse")
@require_safe
def approval_list(request: HttpRequest) -> HttpResponse:
    """The requests that wait for a decision, newest first. Managers decide them; auditors and superusers
    see them all, read-only; an IT admin sees the requests they made."""
    return _approvals(request, change_requests_pending_page, "accounts/approval_list.html")


@operator_required("browse")
@require_safe
def approval_decided(request: HttpRequest) -> HttpResponse:
    """The requests that were waiting and are no longer, newest first, with who decided and how each
    ended: the same people see the same requests as on the waiting list, read-only."""
    return _approvals(request, change_requests_decided_page, "accounts/approval_decided.html")


def _approvals(request: HttpRequest, page_of: Any, template: str) -> HttpResponse:
    user = request.user
    sees_all = user.has_perm(perm("approve_role_change")) or user.has_perm(perm("view_audit_log"))
    cursors = ApprovalPageForm(request.GET).cursors()
    page = page_of(requester=None if sees_all else user, after=cursors["after"], before=cursors["before"])
    return render(request, template, {"page": page, "mine_only": not sees_all})


def _detail(request_id: int) -> ChangeRequestDetail:
    detail = change_request_detail(request_id=request_id)
    if detail is None:
        raise Http404(REQUEST_NOT_FOUND.format(pk=request_id))
    return detail


def _render_detail(
    request: HttpRequest,
    detail: ChangeRequestDetail,
    *,
    decision: DecisionForm | None = None,
    error: str = "",
) -> HttpResponse:
    context = {
        "detail": detail,
        "change": detail.request,
        "decision_form": decision or DecisionForm(),
        "cancel_form": CancelForm(),
        "error": error,
    }
    return render(request, "accounts/approval_detail.html", context)


@operator_required("browse")
@require_safe
def approval_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _render_detail(request, _detail(request_id))


@operator_required("browse")
@require_safe
def approval_preflight(request: HttpRequest, request_id: int) -> HttpResponse:
    """The request's preflight run again now (loaded by htmx once the page shows: Zoom may be slow)."""
    change = _detail(request_id).request
    plan, error = None, ""
    if change.status == Status.PENDING:
        try:
            plan = role_change_preflight(user_key=change.target_id, role=change.intended, actor=request.user)
        except ZoomError as failure:
            error = _zoom_failed(failure)
    changes = plan.changes_since(Plan.from_json(change.plan)) if plan else []
    context = {"change": change, "plan": plan, "changes": changes, "error": error, "checked": True}
    return render(request, "accounts/approval_detail.html#live_preflight", context)


def _decide(request: HttpRequest, request_id: int, service: Any) -> ChangeRequest | HttpResponse:
    """Run a manager's decision; the request as it ends, or the page again with why it was refused (the
    comment kept)."""
    detail = _detail(request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, detail, decision=form)
    try:
        change: ChangeRequest = service(
            request_id=request_id, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except ChangeRefused as refused:
        return _render_detail(request, _detail(request_id), decision=form, error=refused.message)
    except ZoomError as failure:
        return _render_detail(request, _detail(request_id), decision=form, error=_zoom_failed(failure))
    return change


@operator_required("approve_role_change")
@require_POST
def approval_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    change = _decide(request, request_id, role_change_approve)
    if isinstance(change, HttpResponse):
        return change
    if change.status == Status.PENDING and change.changes_note:
        messages.warning(request, change.changes_note)
    elif change.status == Status.PENDING:
        messages.success(request, "Your approval is recorded; the request waits for another manager.")
    else:  # it ran: the page shows the outcome
        messages.success(request, "Your approval is recorded and the change was sent to Zoom.")
    return redirect("accounts:approval_detail", request_id=request_id)


@operator_required("approve_role_change")
@require_POST
def approval_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    change = _decide(request, request_id, role_change_reject)
    if isinstance(change, HttpResponse):
        return change
    messages.success(request, f"Request #{request_id} is rejected; nothing was changed in Zoom.")
    return redirect("accounts:approval_detail", request_id=request_id)


@operator_required("request_role_change")
@require_POST
def approval_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    detail = _detail(request_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, detail, error=" ".join(str(e) for e in form.errors.get("reason", [])))
    try:
        role_change_cancel(request_id=request_id, actor=request.user, reason=form.cleaned_data["reason"])
    except ChangeRefused as refused:
        return _render_detail(request, _detail(request_id), error=refused.message)
    messages.success(request, f"Request #{request_id} is cancelled.")
    return redirect("accounts:approval_detail", request_id=request_id)
