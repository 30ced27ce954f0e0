"""Typed, frozen results of Zoom calls. Field names follow the official Zoom OpenAPI schemas.

Parsing is defensive: unknown fields are ignored, a missing field becomes ``""``/``None``/``()``, ids keep
Zoom's type (role and user ids are strings, meeting ids are ints, also when Zoom or a webhook sends them
as strings) and datetimes become aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .parsing import boolean, integer, moment, objects, parse_meeting_id, strings, text


@dataclass(frozen=True)
class CustomAttribute:
    key: str
    name: str
    value: str


@dataclass(frozen=True)
class ZoomUser:
    """``GET /users`` item or ``GET /users/{userId}``. Pending users have no id (``""``); list items have
    ``role_id`` but no ``role_name``."""

    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    type: int | None = None
    role_id: str = ""
    role_name: str = ""
    status: str = ""
    dept: str = ""
    pmi: int | None = None
    use_pmi: bool | None = None
    timezone: str = ""
    language: str = ""
    verified: int | None = None
    account_id: str = ""
    job_title: str = ""
    location: str = ""
    company: str = ""
    employee_unique_id: str = ""
    personal_meeting_url: str = ""
    last_client_version: str = ""
    created_at: datetime | None = None
    user_created_at: datetime | None = None
    last_login_time: datetime | None = None
    group_ids: tuple[str, ...] = ()
    custom_attributes: tuple[CustomAttribute, ...] = ()
    host_key: str = field(default="", repr=False)

    @property
    def is_licensed(self) -> bool:
        return self.type == 2

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> ZoomUser:
        custom = data.get("custom_attributes")
        custom_items = custom if isinstance(custom, list) else [custom] if isinstance(custom, dict) else []
        return cls(
            **{name: text(data, name) for name in _USER_STRINGS},
            type=integer(data, "type"),
            pmi=integer(data, "pmi"),
            use_pmi=boolean(data, "use_pmi"),
            verified=integer(data, "verified"),
            created_at=moment(data, "created_at"),
            user_created_at=moment(data, "user_created_at"),
            last_login_time=moment(data, "last_login_time"),
            group_ids=strings(data, "group_ids"),
            custom_attributes=tuple(
                CustomAttribute(key=text(c, "key"), name=text(c, "name"), value=text(c, "value"))
                for c in custom_items
                if isinstance(c, dict)
            ),
        )


_USER_STRINGS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "role_id",
    "role_name",
    "status",
    "dept",
    "timezone",
    "language",
    "account_id",
    "job_title",
    "location",
    "company",
    "employee_unique_id",
    "personal_meeting_url",
    "last_client_version",
    "host_key",
]


@dataclass(frozen=True)
class ZoomRole:
    """``GET /roles`` item or ``GET /roles/{roleId}``. System roles: "0" Owner, "1" Admin, "2" Member."""

    id: str
    name: str
    description: str = ""
    total_members: int | None = None
    type: str = ""
    privileges: tuple[str, ...] = ()

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> ZoomRole:
        return cls(
            id=text(data, "id"),
            name=text(data, "name"),
            description=text(data, "description"),
            total_members=integer(data, "total_members"),
            type=text(data, "type"),
            privileges=strings(data, "privileges"),
        )


@dataclass(frozen=True)
class ZoomRoleMember:
    """``GET /roles/{roleId}/members`` item (Zoom calls the department ``department`` here)."""

    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    type: int | None = None
    department: str = ""

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> ZoomRoleMember:
        return cls(
            id=text(data, "id"),
            email=text(data, "email"),
            first_name=text(data, "first_name"),
            last_name=text(data, "last_name"),
            type=integer(data, "type"),
            department=text(data, "department"),
        )


@dataclass(frozen=True)
class Assistant:
    """A user who may schedule for the host (``GET /users/{userId}/assistants``)."""

    id: str
    email: str
    can_manage_host_private_event: bool | None = None

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> Assistant:
        return cls(
            id=text(data, "id"),
            email=text(data, "email"),
            can_manage_host_private_event=boolean(data, "can_manage_host_private_event"),
        )


@dataclass(frozen=True)
class Scheduler:
    """A user the path user may schedule for (``GET /users/{userId}/schedulers``)."""

    id: str
    email: str
    pmi: int | None = None

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> Scheduler:
        return cls(id=text(data, "id"), email=text(data, "email"), pmi=integer(data, "pmi"))


@dataclass(frozen=True)
class AddedMembers:
    """Answer of ``POST /users/{userId}/assistants`` and ``POST /roles/{roleId}/members``."""

    ids: tuple[str, ...]
    added_at: datetime | None

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> AddedMembers:
        ids = [part.strip() for part in text(data, "ids").split(",")]
        return cls(ids=tuple(i for i in ids if i), added_at=moment(data, "add_at"))


@dataclass(frozen=True)
class MeetingSettings:
    """The meeting settings this project reads; Zoom sends many more, which are ignored."""

    alternative_hosts: str = ""
    use_pmi: bool | None = None
    join_before_host: bool | None = None
    waiting_room: bool | None = None
    host_video: bool | None = None
    participant_video: bool | None = None
    mute_upon_entry: bool | None = None
    approval_type: int | None = None
    audio: str = ""
    auto_recording: str = ""
    meeting_authentication: bool | None = None

    @property
    def alternative_host_list(self) -> tuple[str, ...]:
        """``alternative_hosts`` is one string of emails/ids separated by semicolons (or commas)."""
        parts = self.alternative_hosts.replace(",", ";").split(";")
        return tuple(p.strip() for p in parts if p.strip())

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> MeetingSettings:
        flags = [
            "use_pmi",
            "join_before_host",
            "waiting_room",
            "host_video",
            "participant_video",
            "mute_upon_entry",
            "meeting_authentication",
        ]
        return cls(
            alternative_hosts=text(data, "alternative_hosts"),
            approval_type=integer(data, "approval_type"),
            audio=text(data, "audio"),
            auto_recording=text(data, "auto_recording"),
            **{name: boolean(data, name) for name in flags},
        )


@dataclass(frozen=True)
class MeetingOccurrence:
    occurrence_id: str
    start_time: datetime | None = None
    duration: int | None = None
    status: str = ""

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> MeetingOccurrence:
        return cls(
            occurrence_id=text(data, "occurrence_id"),
            start_time=moment(data, "start_time"),
            duration=integer(data, "duration"),
            status=text(data, "status"),
        )


@dataclass(frozen=True)
class Recurrence:
    type: int | None = None
    repeat_interval: int | None = None
    weekly_days: str = ""
    monthly_day: int | None = None
    monthly_week: int | None = None
    monthly_week_day: int | None = None
    end_times: int | None = None
    end_date_time: datetime | None = None

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> Recurrence:
        ints = ["type", "repeat_interval", "monthly_day", "monthly_week", "monthly_week_day", "end_times"]
        return cls(
            weekly_days=text(data, "weekly_days"),
            end_date_time=moment(data, "end_date_time"),
            **{name: integer(data, name) for name in ints},
        )


MEETING_TYPES = {1: "instant", 2: "scheduled", 3: "recurring, no fixed time", 4: "PMI", 8: "recurring"}


@dataclass(frozen=True)
class Meeting:
    """A meeting from list, get or create. ``assistant_id`` is set when the meeting was created with
    ``schedule_for``: it names the scheduler of record, whose privileges a later host change needs."""

    id: int
    uuid: str = ""
    topic: str = ""
    type: int | None = None
    host_id: str = ""
    host_email: str = ""
    assistant_id: str = ""
    status: str = ""
    start_time: datetime | None = None
    duration: int | None = None
    timezone: str = ""
    agenda: str = ""
    created_at: datetime | None = None
    join_url: str = ""
    pmi: int | None = None
    pre_schedule: bool | None = None
    settings: MeetingSettings | None = None
    recurrence: Recurrence | None = None
    occurrences: tuple[MeetingOccurrence, ...] = ()
    start_url: str = field(default="", repr=False)  # logs the host in: never print it
    password: str = field(default="", repr=False)

    @property
    def scheduler_of_record(self) -> str:
        """The user whose scheduling privilege Zoom checks on ``schedule_for`` (zoom-api.md §1.3)."""
        return self.assistant_id or self.host_id

    @property
    def is_recurring(self) -> bool:
        return self.type in {3, 8}

    @property
    def has_started(self) -> bool:
        return self.status == "started"

    @classmethod
    def from_zoom(cls, data: Mapping[str, Any]) -> Meeting:
        settings = data.get("settings")
        recurrence = data.get("recurrence")
        return cls(
            id=parse_meeting_id(data.get("id")),
            **{name: text(data, name) for name in _MEETING_STRINGS},
            type=integer(data, "type"),
            start_time=moment(data, "start_time"),
            duration=integer(data, "duration"),
            created_at=moment(data, "created_at"),
            pmi=integer(data, "pmi"),
            pre_schedule=boolean(data, "pre_schedule"),
            settings=MeetingSettings.from_zoom(settings) if isinstance(settings, dict) else None,
            recurrence=Recurrence.from_zoom(recurrence) if isinstance(recurrence, dict) else None,
            occurrences=tuple(MeetingOccurrence.from_zoom(o) for o in objects(data, "occurrences")),
        )


_MEETING_STRINGS = [
    "uuid",
    "topic",
    "host_id",
    "host_email",
    "assistant_id",
    "status",
    "timezone",
    "agenda",
    "join_url",
    "start_url",
    "password",
]


@dataclass(frozen=True)
class Page[T]:
    """One page of a Zoom listing. ``next_page_token`` is ``""`` on the last page."""

    items: tuple[T, ...]
    next_page_token: str = ""
    total_records: int | None = None
    page_size: int | None = None

    @property
    def has_more(self) -> bool:
        return bool(self.next_page_token)
