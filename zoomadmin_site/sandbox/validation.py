"""Light request-body validation in Zoom's style: known fields are type-checked (and enums/lengths for
the fields the sandbox acts on); unknown fields are silently ignored (zoom-api.md §3). A failure answers
400/300 "Validation Failed." with ``errors: [{"field", "message": "Invalid field."}]``.
"""

from __future__ import annotations

from typing import Any

from .errors import validation_failed
from .ids import parse_time

Spec = dict[str, dict[str, Any]]

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "obj": (dict,),
    "arr": (list,),
}

RECURRENCE: Spec = {
    "type": {"type": "int", "enum": [1, 2, 3]},
    "repeat_interval": {"type": "int"},
    "weekly_days": {"type": "str"},
    "monthly_day": {"type": "int"},
    "monthly_week": {"type": "int", "enum": [-1, 1, 2, 3, 4]},
    "monthly_week_day": {"type": "int", "enum": [1, 2, 3, 4, 5, 6, 7]},
    "end_times": {"type": "int"},
    "end_date_time": {"type": "str", "format": "date-time"},
}
MEETING_SETTINGS: Spec = {
    "alternative_hosts": {"type": "str"},
    "use_pmi": {"type": "bool"},
    "join_before_host": {"type": "bool"},
    "waiting_room": {"type": "bool"},
    "host_video": {"type": "bool"},
    "participant_video": {"type": "bool"},
    "mute_upon_entry": {"type": "bool"},
    "approval_type": {"type": "int", "enum": [0, 1, 2]},
    "audio": {"type": "str", "enum": ["both", "telephony", "voip"]},
    "auto_recording": {"type": "str", "enum": ["local", "cloud", "none"]},
    "meeting_invitees": {"type": "arr"},
}
MEETING: Spec = {
    "topic": {"type": "str", "max": 200},
    "type": {"type": "int", "enum": [1, 2, 3, 8]},
    "start_time": {"type": "str", "format": "date-time"},
    "duration": {"type": "int", "min": 0},
    "timezone": {"type": "str"},
    "agenda": {"type": "str", "max": 2000},
    "password": {"type": "str", "max": 10},
    "default_password": {"type": "bool"},
    "pre_schedule": {"type": "bool"},
    "schedule_for": {"type": "any"},
    "template_id": {"type": "str"},
    "tracking_fields": {"type": "arr"},
    "recurrence": {"type": "obj", "fields": RECURRENCE},
    "settings": {"type": "obj", "fields": MEETING_SETTINGS},
}
USER_UPDATE: Spec = {
    "first_name": {"type": "str", "max": 64},
    "last_name": {"type": "str", "max": 64},
    "display_name": {"type": "str", "max": 128},
    "type": {"type": "int", "enum": [1, 2, 3, 99]},
    "dept": {"type": "str", "max": 128},
    "company": {"type": "str", "max": 255},
    "job_title": {"type": "str", "max": 128},
    "location": {"type": "str", "max": 256},
    "manager": {"type": "str"},
    "timezone": {"type": "str"},
    "language": {"type": "str"},
    "pmi": {"type": "int"},
    "use_pmi": {"type": "bool"},
    "vanity_name": {"type": "str"},
    "host_key": {"type": "str", "max": 10},
    "cms_user_id": {"type": "str"},
    "phone_numbers": {"type": "arr"},
    "custom_attributes": {"type": "arr"},
    "pronouns": {"type": "str"},
    "pronouns_option": {"type": "int", "enum": [1, 2, 3]},
}
USER_CREATE: Spec = {
    "action": {"type": "str", "enum": ["create", "autoCreate", "custCreate", "ssoCreate"], "required": True},
    "user_info": {
        "type": "obj",
        "required": True,
        "fields": {
            "email": {"type": "str", "max": 128, "required": True},
            "type": {"type": "int", "enum": [1, 2, 3, 99], "required": True},
            "first_name": {"type": "str", "max": 64},
            "last_name": {"type": "str", "max": 64},
        },
    },
}
USER_STATUS: Spec = {"action": {"type": "str", "enum": ["activate", "deactivate"], "required": True}}
ID_OR_EMAIL_LIST = {"type": "arr", "items": {"id": {"type": "str"}, "email": {"type": "str"}}}
ASSISTANTS: Spec = {"assistants": {**ID_OR_EMAIL_LIST, "required": True}}
ROLE_MEMBERS: Spec = {"members": {**ID_OR_EMAIL_LIST, "required": True}}
ROLE: Spec = {
    "name": {"type": "str", "max": 48},
    "description": {"type": "str", "max": 255},
    "privileges": {"type": "arr"},
}
ROLE_CREATE: Spec = {**ROLE, "name": {**ROLE["name"], "required": True}}


def _of_kind(value: Any, kind: str) -> bool:
    return isinstance(value, _TYPES[kind]) and not (kind == "int" and isinstance(value, bool))


def _field_ok(value: Any, rule: dict[str, Any]) -> bool:
    kind = rule["type"]
    if kind == "any":
        return True
    if not _of_kind(value, kind):
        return False
    if "enum" in rule and value not in rule["enum"]:
        return False
    if "max" in rule and len(value) > rule["max"]:
        return False
    if "min" in rule and value < rule["min"]:
        return False
    return not (rule.get("format") == "date-time" and parse_time(value) is None)


def problems(body: dict[str, Any], spec: Spec, prefix: str = "") -> list[str]:
    """Names of the invalid fields (dotted for nested objects, e.g. ``user_info.email``)."""
    bad: list[str] = []
    for name, rule in spec.items():
        path = prefix + name
        if name not in body or body[name] is None:
            if rule.get("required"):
                bad.append(path)
            continue
        value = body[name]
        if not _field_ok(value, rule):
            bad.append(path)
        elif "fields" in rule:
            bad.extend(problems(value, rule["fields"], path + "."))
        elif "items" in rule:
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    bad.append(f"{path}[{index}]")
                else:
                    bad.extend(problems(item, rule["items"], f"{path}[{index}]."))
    return bad


def validate(body: dict[str, Any], spec: Spec) -> None:
    bad = problems(body, spec)
    if bad:
        raise validation_failed(*bad)
