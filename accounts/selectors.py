"""Reads of the user mirror for the search and detail pages. Every function runs a fixed number of queries,
whatever the number of rows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from accounts.history import audit_history_for_target
from accounts.models import SYSTEM_ROLE_NAMES, Delegation, ZoomRole, ZoomUser
from accounts.search import USER_SEARCH
from accounts.zoom_text import bidi_isolated
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.changes.models import Approval, ChangeRequest, Kind, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.mirror.freshness import MIRROR_FRESHNESS_CACHE_KEY, MirrorFreshness, freshness_from_runs
from zoomadmin_site.search.filters import NOT_GONE, SearchFilters, Where
from zoomadmin_site.search.keyset import KeysetPage, SortOption, fetch_page, page_request
from zoomadmin_site.search.searching import PAGE_SIZE, SearchPage, SearchSpec, search_page

USER_SORTS = {
    "name": SortOption("Name", ("display_name",)),
    "email": SortOption("Email", ("email",)),
    "dept": SortOption("Department", ("dept",)),
    "licence": SortOption("Licence", ("type", "display_name")),
    "status": SortOption("Status", ("status", "display_name")),
    "last_login": SortOption("Last login", ("last_login_sort",)),
}
USER_DEFAULT_SORT = "name"
# What a result row shows, plus every sort column (the cursor reads them).
USER_LIST_FIELDS = (
    "id",
    "zoom_id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "type",
    "role_id",
    "status",
    "dept",
    "last_login",
    "gone_at",
    "last_login_sort",
)
USER_SEARCH_SPEC = SearchSpec(USER_SEARCH, USER_SORTS, USER_DEFAULT_SORT, USER_LIST_FIELDS)
# What the users page's filters list, cached (the cache is shared by every worker): role names are needed
# by every search (filter and labels), departments take a DISTINCT over every user. A full sync drops both
# once it has written users and roles (forget_filter_lists); otherwise they are at most this old.
ROLE_NAMES_CACHE_KEY = "accounts:role-names:v1"
DEPARTMENTS_CACHE_KEY = "accounts:departments:v1"
FILTER_LISTS_CACHE_SECONDS = 300


def user_search(
    *,
    query: str = "",
    role_id: str | None = None,
    user_type: int | None = None,
    status: str | None = None,
    dept: str | None = None,
    include_gone: bool = False,
    sort: str | None = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """Users matching every word of `query` (in name, email, department or Zoom id) and the filters."""
    wheres = [] if include_gone else [NOT_GONE]
    if role_id:
        wheres.append(Where("role_id", "exact", role_id))
    if user_type is not None:
        wheres.append(Where("type", "exact", user_type))
    if status:
        wheres.append(Where("status", "exact", status))
    if dept:
        wheres.append(Where("dept", "exact", dept))
    filters = SearchFilters(tuple(wheres))
    return search_page(
        filters.apply(ZoomUser.objects.all()),
        USER_SEARCH_SPEC,
        filters=filters,
        query=query,
        sort=sort,
        after=after,
        before=before,
        page_size=page_size,
    )


PICK_NAME_FIELDS = ("first_name", "last_name", "display_name", "email")


def user_pick_candidates(
    *, query: str, user_type: int | None = None, status: str | None = None, limit: int = 8
) -> list[ZoomUser]:
    """Users for a picker's short list, best first: those whose name or email starts with every typed
    word ("mar" finds Marcus before Amara, or a Marketing department), by name; then other users of the
    search (words inside names, emails, departments or Zoom ids) to fill the list."""
    words = query.split()
    if not words:
        return []
    starts = ZoomUser.objects.filter(gone_at__isnull=True)
    if user_type is not None:
        starts = starts.filter(type=user_type)
    if status:
        starts = starts.filter(status=status)
    for word in words:
        name_or_email = Q()
        for field in PICK_NAME_FIELDS:
            name_or_email |= Q(**{f"{field}__istartswith": word})
        # A later word of a display name ("Okafor" in "Marcus Okafor") counts as a start too.
        name_or_email |= Q(display_name__icontains=f" {word}")
        starts = starts.filter(name_or_email)
    picked = list(starts.order_by("display_name", "email")[:limit])
    if len(picked) < limit:
        seen = {user.pk for user in picked}
        more = user_search(query=query, user_type=user_type, status=status, page_size=limit).rows
        picked.extend(user for user in more if user.pk not in seen)
    return picked[:limit]


def _load_role_names() -> dict[str, str]:
    names = dict(SYSTEM_ROLE_NAMES)
    names.update(ZoomRole.objects.filter(gone_at__isnull=True).values_list("role_id", "name"))
    return names


def _load_departments() -> list[str]:
    users = ZoomUser.objects.filter(gone_at__isnull=True).exclude(dept="")
    return list(users.order_by("dept").values_list("dept", flat=True).distinct())


_FILTER_LISTS = {ROLE_NAMES_CACHE_KEY: _load_role_names, DEPARTMENTS_CACHE_KEY: _load_departments}
# Everything _filter_lists() caches, and how to load it: the lists, and the mirror's freshness beside them
# (the full users page shows all three, in one cache read).
_CACHED = _FILTER_LISTS | {MIRROR_FRESHNESS_CACHE_KEY: freshness_from_runs}


def _filter_lists(*keys: str) -> list[Any]:
    """The cached values for `keys` (lists, and the mirror's freshness), in one cache read; those missing
    are loaded and cached."""
    found = cache.get_many(keys)
    missing = {key: _CACHED[key]() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, FILTER_LISTS_CACHE_SECONDS)
    return [found[key] if key in found else missing[key] for key in keys]


def role_names() -> dict[str, str]:
    """Role id -> name of the roles still in Zoom; Zoom's system roles are known even before the first
    sync."""
    return _filter_lists(ROLE_NAMES_CACHE_KEY)[0]


def role_names_departments_and_freshness() -> tuple[dict[str, str], list[str], MirrorFreshness]:
    """role_names(), every department in use and mirror_freshness(), in one cache read (the full users
    page shows all three)."""
    names, departments, freshness = _filter_lists(
        ROLE_NAMES_CACHE_KEY, DEPARTMENTS_CACHE_KEY, MIRROR_FRESHNESS_CACHE_KEY
    )
    return names, departments, freshness


def forget_filter_lists() -> None:
    """Drop the cached roles and departments (once the transaction that changed them commits)."""
    transaction.on_commit(lambda: cache.delete_many(list(_FILTER_LISTS)))


def user_get(*, key: str) -> ZoomUser | None:
    """A user by Zoom id, or by email (pending users have no id). Gone users are found too, and so is any
    user whose page a link names: the key is whatever text Zoom gave (see accounts/zoom_keys.py)."""
    if not key or len(key) > 254 or "\x00" in key:  # PostgreSQL text cannot hold NUL: no row has one
        return None
    return ZoomUser.objects.filter(Q(zoom_id=key) | Q(email__in={key, key.lower()})).first()


@dataclass(frozen=True)
class Delegate:
    """The other side of a delegation: a mirrored user, or just the Zoom id when we do not have them."""

    zoom_id: str
    user: ZoomUser | None

    @property
    def label(self) -> str:
        return self.user.name if self.user else f"Zoom user {self.zoom_id} (not in the mirror)"


@dataclass(frozen=True)
class UserDelegations:
    assistants: list[Delegate]  # may schedule for this user
    schedulers: list[Delegate]  # this user may schedule for them


def user_delegations(*, user: ZoomUser) -> UserDelegations:
    if not user.zoom_id:
        return UserDelegations([], [])
    pairs = list(
        Delegation.objects.filter(Q(host_zoom_id=user.zoom_id) | Q(assistant_zoom_id=user.zoom_id))
        .filter(gone_at__isnull=True)
        .values_list("assistant_zoom_id", "host_zoom_id")
    )
    others = {a for a, _ in pairs} | {h for _, h in pairs}
    others.discard(user.zoom_id)
    by_id = {u.zoom_id: u for u in ZoomUser.objects.filter(zoom_id__in=others)} if others else {}
    assistants = sorted(
        (Delegate(a, by_id.get(a)) for a, h in pairs if h == user.zoom_id), key=lambda d: d.label.lower()
    )
    schedulers = sorted(
        (Delegate(h, by_id.get(h)) for a, h in pairs if a == user.zoom_id), key=lambda d: d.label.lower()
    )
    return UserDelegations(assistants, schedulers)


def user_search_row(*, key: str) -> ZoomUser | None:
    """One user as a row of the Users page shows them (with `role_name`), e.g. just refreshed."""
    user = user_get(key=key)
    if user is not None:
        user.role_name = role_label(user.role_id, role_names())  # type: ignore[attr-defined]  # for the row
    return user


def role_label(role_id: str, names: dict[str, str]) -> str:
    if not role_id:
        return ""
    # The id is Zoom's text among our words: isolated so that it cannot reorder them (accounts/zoom_text.py).
    return names.get(role_id) or f"Role {bidi_isolated(role_id)} (not in the mirror)"


@dataclass(frozen=True)
class UserProfile:
    user: ZoomUser
    role_name: str
    delegations: UserDelegations
    audit_events: list[Any]
    role_requests: list[ChangeRequest]  # the latest role change requests about this user, newest first


def user_profile(*, key: str) -> UserProfile | None:
    """Everything the user page shows, in a fixed number of queries; None for an unknown user."""
    user = user_get(key=key)
    if user is None:
        return None
    names = dict(SYSTEM_ROLE_NAMES)
    if user.role_id:
        names |= dict(ZoomRole.objects.filter(role_id=user.role_id).values_list("role_id", "name"))
    return UserProfile(
        user=user,
        role_name=role_label(user.role_id, names),
        delegations=user_delegations(user=user),
        audit_events=audit_history_for_target(target_type="zoom_user", target_id=user.url_key),
        role_requests=user_role_requests(key=user.url_key),
    )


# --- role change requests -------------------------------------------------------------------------------

TARGET_USER = "zoom_user"
USER_ROLE_REQUESTS_SHOWN = 5
APPROVALS_PAGE_SIZE = 25
_REQUEST_SORTS = {"created": SortOption("Requested", ("created_at",))}
# What a list row shows: the plans (a few KB each) stay in the database.
_REQUEST_ROW_FIELDS = (
    "id",
    "kind",
    "status",
    "requester_label",
    "target_id",
    "target_label",
    "summary",
    "reason",
    "approvals_required",
    "duration_hours",
    "created_at",
    "expires_at",
)


def user_role_requests(*, key: str, limit: int = USER_ROLE_REQUESTS_SHOWN) -> list[ChangeRequest]:
    """The latest role change requests about one user (Zoom id, or email of a pending user), newest
    first: one query on the (target_type, target_id, -created_at) index."""
    requests = ChangeRequest.objects.about(TARGET_USER, key).filter(kind=Kind.ROLE_CHANGE)
    return list(requests.only(*_REQUEST_ROW_FIELDS).order_by("-created_at", "-id")[:limit])


def change_requests_pending_count() -> int:
    """How many requests wait for a decision (the navigation's count): one COUNT on the status index."""
    return ChangeRequest.objects.pending().count()


def change_requests_pending_page(
    *,
    requester: Any = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = APPROVALS_PAGE_SIZE,
) -> KeysetPage:
    """One page of the requests waiting for approval, newest first (all of them, or one requester's).
    Keyset paging on (created_at, id) under status = pending: the (status, -created_at, -id) index serves
    every page, however many requests the table holds, and no row costs a query of its own."""
    pending = ChangeRequest.objects.pending().only(*_REQUEST_ROW_FIELDS)
    return _newest_requests_page(pending, requester, after=after, before=before, page_size=page_size)


def _newest_requests_page(
    requests: Any, requester: Any, *, after: str | None, before: str | None, page_size: int
) -> KeysetPage:
    """A page of `requests` (all, or one requester's), newest first, keyset-paged on (created_at, id)."""
    if requester is not None:
        requests = requests.filter(requester=requester)
    position = page_request(
        ChangeRequest, sorts=_REQUEST_SORTS, sort_key="-created", after=after, before=before
    )
    page = fetch_page(requests, position, page_size=page_size)
    assert page is not None  # None only with a boundary, which is not given
    return page


@dataclass(frozen=True)
class DecidedRequest:
    """A row of the decided list: the request and its managers' decisions, oldest first."""

    request: ChangeRequest
    decisions: list[Approval]


def change_requests_decided_page(
    *,
    requester: Any = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = APPROVALS_PAGE_SIZE,
) -> KeysetPage:
    """One page of the role change requests that needed a manager's approval and wait no longer (approved,
    rejected, expired, cancelled, and how each approved one ended in Zoom), newest request first: all of
    them, or one requester's. Its rows are DecidedRequest: the page's decisions are read in one query.
    Keyset paging on (created_at, id) along the (-created_at, -id) index."""
    decided = (
        ChangeRequest.objects.filter(kind=Kind.ROLE_CHANGE, approvals_required__gt=0)
        .exclude(status=Status.PENDING)
        .only(*_REQUEST_ROW_FIELDS, "decided_at", "finished_at", "outcome_reason")
    )
    page = _newest_requests_page(decided, requester, after=after, before=before, page_size=page_size)
    decisions: dict[int, list[Approval]] = {change.pk: [] for change in page.rows}
    fields = ("request_id", "approver_label", "decision", "comment", "created_at")
    for decision in (
        Approval.objects.filter(request_id__in=decisions).only(*fields).order_by("created_at", "id")
    ):
        decisions[decision.request_id].append(decision)
    rows = [DecidedRequest(change, decisions[change.pk]) for change in page.rows]
    return dataclasses.replace(page, rows=rows)


@dataclass(frozen=True)
class ChangeRequestDetail:
    request: ChangeRequest
    plan: Plan  # as it was when the request was made (or last sent back to pending)
    decisions: list[Approval]
    events: list[AuditEvent]  # the audit log's events of this request, oldest first

    @property
    def story(self) -> str:
        """The request's chain of custody in one line: "itadmin asked to make Jane Roe <jane@corp> Admin
        (reason: …) - approved by manager - Zoom applied it, verified 12:04:31 UTC"."""
        change = self.request
        role = change.intended.get("role_name") or change.intended.get("role_id") or "another role"
        parts = [
            f"{change.requester_label} asked to make {change.target_label} {role} (reason: {change.reason})"
        ]
        for decision in self.decisions:
            parts.append(f"{decision.get_decision_display().lower()} by {decision.approver_label}")
        ending = {
            Status.SUCCEEDED: "Zoom applied it, verified",
            Status.FAILED: "it failed",
            Status.UNVERIFIED: "Zoom did not show it when read back",
            Status.EXPIRED: "it expired",
            Status.CANCELLED: "cancelled by the requester",
            Status.EXECUTING: "being applied in Zoom",
        }.get(Status(change.status))
        if ending:
            when = change.finished_at or change.decided_at
            parts.append(f"{ending} {when:%H:%M:%S} UTC" if when and change.is_final else ending)
        else:
            parts.append(change.get_status_display().lower())
        return " - ".join(parts)

    @property
    def approvals_given(self) -> int:
        """The approvals that count: those given to the plan as it stands."""
        fingerprint = self.request.plan_fingerprint
        return sum(
            1
            for d in self.decisions
            if d.decision == Approval.Decision.APPROVE and d.plan_fingerprint == fingerprint
        )


def change_request_detail(*, request_id: int) -> ChangeRequestDetail | None:
    """A request, its decisions and its audit events (three queries); None for an unknown id."""
    if not 0 < request_id < 2**63:
        return None
    request = ChangeRequest.objects.filter(pk=request_id).first()
    if request is None:
        return None
    return ChangeRequestDetail(
        request=request,
        plan=Plan.from_json(request.plan),
        decisions=list(request.decisions.order_by("created_at", "id")),
        events=change_request_events(request=request),
    )


def change_request_events(*, request: ChangeRequest, limit: int = 100) -> list[AuditEvent]:
    """The audit events of `request`: those about its target, of its kind, from its creation on (and up to
    its end), that name this request (`after.request`: every event of a request does) or belong to its
    execution (its operation). One query on the (target_type, target_id, -seq) index."""
    prefix = f"{request.kind}."
    window = AuditEvent.objects.filter(
        target_type=request.target_type,
        target_id=request.target_id,
        action__startswith=prefix,
        time__gte=request.created_at - timedelta(seconds=5),  # the request's event is written just after
    )
    if request.is_final and (end := request.finished_at or request.decided_at):
        window = window.filter(time__lte=end + timedelta(seconds=5))
    mine = Q(after__request=request.pk)
    if request.operation_id:
        mine |= Q(operation_id=request.operation_id)
    return list(window.filter(mine).order_by("seq")[:limit])
