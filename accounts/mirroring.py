"""Zoom's users, roles and scheduling delegations as mirror rows: the one mapping, and the one writer.

`user_values` maps a Zoom user, complete (a read: the client's typed ZoomUser, or its JSON) or partial (a
webhook's object: only the fields it carries), to mirror field values, each checked against its field
(zoomadmin_site/mirror/mapping.py). Everything that fills ZoomUser rows goes through it: the full sync's
bulk upsert (`user_row`, zoomadmin_site/sync/upsert.py), and `mirror_write_user` for single rows (webhooks,
"refresh this row", the read-back after a change).

Users are found the way Zoom identifies them (`match_user`): by Zoom id, or by email for a user Zoom lists
without one (pending). Emails move (changed in Zoom, swapped between two users, given to a new user after
the old one left): a read from Zoom is the truth now, so a row still holding an email Zoom gives someone
else lets go of it (`release_emails`); an event may be out of order, so it does not take an email a row
holds, and the write fails on the unique email instead.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Q

from accounts.models import Delegation, ZoomRole, ZoomUser
from zoomadmin_site.mirror.mapping import Field, FieldMap, Get, MirrorValues, map_value, reader
from zoomadmin_site.zoom import models as zoom

logger = logging.getLogger(__name__)

NO_EMAIL = "missing; the mirror keeps users under their email"
NOT_AN_EMAIL = "not an email address"

USER_FIELDS = FieldMap(  # Zoom's key in a user object -> mirror field; `id` and `email`: see _keys()
    ZoomUser,
    Field("first_name", "first_name"),
    Field("last_name", "last_name"),
    Field("display_name", "display_name"),
    Field("type", "type"),
    Field("role_id", "role_id"),
    Field("status", "status"),
    Field("dept", "dept"),
    Field("pmi", "pmi"),
    Field("timezone", "timezone"),
    Field("last_login_time", "last_login"),
    Field("user_created_at", "created_at", fallback="created_at"),
)
ROLE_FIELDS = FieldMap(
    ZoomRole,
    Field("name", "name"),
    Field("description", "description"),
    Field("total_members", "total_members"),
)
NAME_LIMIT = ZoomUser._meta.get_field("display_name").max_length

ZoomUserData = Mapping[str, Any] | zoom.ZoomUser


# --- the mapping ---------------------------------------------------------------------------------------


def user_values(zoom_user: ZoomUserData, *, partial: bool = False, status: str = "") -> MirrorValues:
    """Zoom's user as mirror field values. Complete (the default): every field, the display name filled
    from the names or the email when Zoom has none (it is what lists sort by), and `status` (the list the
    user came from, or what an event implies) when Zoom's object names none. `partial`: only the fields
    the object carries."""
    get = reader(zoom_user)
    user = MirrorValues()
    USER_FIELDS.map(get, partial=partial, into=user)
    _keys(get, user, partial=partial)
    values = user.values
    if not partial:
        full_name = f"{values['first_name']} {values['last_name']}".strip()
        values["display_name"] = values["display_name"] or full_name[:NAME_LIMIT] or values.get("email", "")
        values["type"] = values["type"] or ZoomUser.Type.BASIC
        if not get("status") or "status" in user.rejected:  # the field's default would hide `status`
            values["status"] = status or ZoomUser.Status.ACTIVE
    role = get("role")  # user.updated names the role, not its id
    if not values.get("role_id") and isinstance(role, str) and "\x00" not in role:
        role_id = ZoomRole.objects.filter(name=role).values_list("role_id", flat=True).first()
        if role_id is not None:
            values["role_id"] = role_id
    return user


def _keys(get: Get, user: MirrorValues, *, partial: bool) -> None:
    """Zoom's id (none for a pending user) and the email (lowercase, as the mirror keeps it)."""
    zoom_id = get("id")
    if zoom_id is not None and zoom_id != "":
        zoom_id = map_value(ZoomUser, "zoom_id", "id", zoom_id, into=user)
        if zoom_id is not None:
            user.values["zoom_id"] = zoom_id
    elif not partial:
        user.values["zoom_id"] = None
    email = get("email")
    if email is None or (email == "" and not partial):
        if not partial:
            user.rejected["email"] = NO_EMAIL
        return
    email = map_value(ZoomUser, "email", "email", email, into=user)
    if email is not None:
        email = email.strip().lower()
        if "@" in email:
            user.values["email"] = email
        else:
            user.rejected["email"] = NOT_AN_EMAIL


def user_row(zoom_user: ZoomUserData, *, now: datetime.datetime, listed_status: str = "") -> ZoomUser | None:
    """The full sync's row for a listed user, or None for one without a usable email."""
    user = user_values(zoom_user, status=listed_status)
    if user.rejected:
        key = user.values.get("zoom_id") or user.values.get("email")
        logger.warning("Zoom user %s: %s", key, "; ".join(user.problems()))
    if "email" not in user.values:
        return None
    return ZoomUser(**user.values, synced_at=now, gone_at=None)


def role_row(role: zoom.ZoomRole, *, now: datetime.datetime) -> ZoomRole:
    mapped = MirrorValues()
    ROLE_FIELDS.map(reader(role), partial=False, into=mapped)
    return ZoomRole(role_id=role.id, **mapped.values, synced_at=now, gone_at=None)


def delegation_row(*, assistant: zoom.Assistant, host_zoom_id: str, now: datetime.datetime) -> Delegation:
    return Delegation(
        assistant_zoom_id=assistant.id,
        host_zoom_id=host_zoom_id,
        can_manage_host_private_event=bool(assistant.can_manage_host_private_event),
        synced_at=now,
        gone_at=None,
    )


# --- finding a user's row, and emails that move ----------------------------------------------------------


def existing_users(
    *, ids: Sequence[str], emails: Sequence[str], fields: Sequence[str] = ()
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The rows holding any of these Zoom ids or emails (pk, zoom_id, email and `fields`), by id and by
    email: one query."""
    columns = dict.fromkeys(["pk", "zoom_id", "email", *fields])
    found = list(ZoomUser.objects.filter(Q(zoom_id__in=ids) | Q(email__in=emails)).values(*columns))
    return {u["zoom_id"]: u for u in found if u["zoom_id"]}, {u["email"]: u for u in found}


def match_user(
    zoom_id: str | None,
    email: str | None,
    by_id: dict[str, dict[str, Any]],
    by_email: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    """The mirrored user Zoom's `zoom_id` / `email` names, from existing_users()."""
    if not zoom_id:
        return by_email.get(email) if email else None
    if zoom_id in by_id:
        return by_id[zoom_id]
    held = by_email.get(email) if email else None
    # A pending user (mirrored without an id) accepted the invitation: the same person, now with an id.
    # A row holding the email under another id is someone else (release_emails frees the email).
    return held if held is not None and held["zoom_id"] is None else None


def release_emails(claims: Iterable[tuple[int | None, str]], by_email: dict[str, dict[str, Any]]) -> None:
    """Rows holding an email that another row (`claims`: its pk, None for a new row, and the email) takes
    get a placeholder (unique: it names the row). Their own Zoom entry brings their new email later; a row
    that never comes back is marked gone by the next full sync."""
    released = [
        ZoomUser(pk=held["pk"], email=released_email(held["email"], pk=held["pk"]))
        for pk, email in claims
        if (held := by_email.get(email)) is not None and held["pk"] != pk
    ]
    if released:
        ZoomUser.objects.bulk_update(released, ["email"])


def released_email(email: str, *, pk: int) -> str:
    """Not an address (it has spaces), so no Zoom user can claim it; the old email stays readable."""
    return f"{email[:200]} (email moved; mirror row {pk})"


# --- writing single rows -------------------------------------------------------------------------------


def mirror_write_user(
    user: MirrorValues,
    *,
    when: datetime.datetime,
    create: bool = True,
    update: bool = True,
    gone: bool | None = False,
    take_email: bool = False,
) -> int | None:
    """Write one user (user_values() of a read or of an event's object) as Zoom showed it at `when`.
    Returns the row's pk, or None when nothing was written:
    - Zoom's id could not be read (matching on the email alone could pick someone else);
    - the row was synced after `when` (an event older than the row is ignored);
    - no row yet, and `create` is off (an event about a user the mirror does not know: the next sync
      brings them) or no email to keep the user under;
    - a row already, and `update` is off (user.created of a user already mirrored).
    `gone`: True marks the row gone at `when`, False brings it back (Zoom just showed it), None leaves it.
    `take_email`: a read's email is Zoom's answer now, so a row still holding it lets go of it (as in the
    sync). Without it a held email fails the write (IntegrityError) and nothing of it is applied."""
    if "id" in user.rejected:
        return None
    values = dict(user.values)
    zoom_id, email = values.get("zoom_id"), values.get("email")
    if not zoom_id:
        values.pop("zoom_id", None)  # a pending user's read has none: keep one the mirror learned
    if not zoom_id and not email:
        return None
    by_id, by_email = existing_users(
        ids=[zoom_id] if zoom_id else [], emails=[email] if email else [], fields=["synced_at"]
    )
    before = match_user(zoom_id, email, by_id, by_email)
    stamp: dict[str, Any] = {"synced_at": when}
    if gone is not None:
        stamp["gone_at"] = when if gone else None
    if before is None:
        if not create or not email:
            return None
        if take_email:
            release_emails([(None, email)], by_email)
        return ZoomUser.objects.create(**values, **stamp).pk
    if not update or when < before["synced_at"]:
        return None
    if take_email and email:
        release_emails([(before["pk"], email)], by_email)
    ZoomUser.objects.filter(pk=before["pk"]).update(**values, **stamp)
    return before["pk"]


def mirror_mark_user_gone(*, user_key: str, when: datetime.datetime) -> None:
    """Zoom no longer knows the user `user_key` (a Zoom id or an email): their row is marked gone, and
    keeps when it was last seen."""
    ZoomUser.objects.filter(Q(zoom_id=user_key) | Q(email=user_key.lower()), gone_at__isnull=True).update(
        gone_at=when
    )


def mirror_write_assistants(
    *, host_zoom_id: str, assistants: Iterable[zoom.Assistant], when: datetime.datetime
) -> None:
    """The host's assistants as Zoom lists them at `when`; the host's other delegations are marked gone."""
    rows = [delegation_row(assistant=a, host_zoom_id=host_zoom_id, now=when) for a in assistants if a.id]
    Delegation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["assistant_zoom_id", "host_zoom_id"],
        update_fields=Delegation.MIRROR_FIELDS,
    )
    Delegation.objects.filter(host_zoom_id=host_zoom_id, gone_at__isnull=True, synced_at__lt=when).update(
        gone_at=when
    )


def mirror_write_schedulers(
    *, assistant_zoom_id: str, schedulers: Iterable[zoom.Scheduler], when: datetime.datetime
) -> None:
    """The hosts the assistant may schedule for, as Zoom lists them at `when`; the assistant's other
    delegations are marked gone. (This side does not tell whether private events may be managed: that
    stays as the host's side last showed it.)"""
    rows = [
        Delegation(assistant_zoom_id=assistant_zoom_id, host_zoom_id=s.id, synced_at=when, gone_at=None)
        for s in schedulers
        if s.id
    ]
    Delegation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["assistant_zoom_id", "host_zoom_id"],
        update_fields=["synced_at", "gone_at"],
    )
    Delegation.objects.filter(
        assistant_zoom_id=assistant_zoom_id, gone_at__isnull=True, synced_at__lt=when
    ).update(gone_at=when)
