"""Zoom's data as mirror field values: how each entity's mapping (accounts/mirroring.py,
meetings/mirroring.py) reads Zoom's fields and checks them against the mirror's.

A mapping is a `FieldMap`, a table of `Field`s (Zoom's key and the mirror field it fills), read from a
Zoom object in one of two ways:
- complete: a read from Zoom (the client's typed result, or its JSON). Every field is known; a key that is
  absent gets the field's default, so the values make a whole row.
- partial: a webhook's object, which carries only what changed. Only the keys present are mapped; the
  row keeps the rest.

Zoom's data is not trusted: a webhook may carry anything. Every value is checked against the mirror field
it goes to (type, length, integer range, no NUL, which PostgreSQL cannot store) before it is written; a
value that fails is rejected with a reason and the others are used. The client's typed results pass the
same checks, cheaply: one string longer than its column would otherwise stop a whole bulk write on
PostgreSQL.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zoomadmin_site.zoom import parse_datetime

NOT_TEXT = "not a string but {kind}"
HAS_NUL = "contains a NUL character"
TOO_LONG = "longer than the mirror's {limit} characters"
NOT_WHOLE = "not a whole number"
OUT_OF_RANGE = "outside {low}..{high}"
NOT_MOMENT = "not a date and time"
EMPTY = "may not be empty"

Check = Callable[[Any], Any]
Get = Callable[[str], Any]


class Rejected(Exception):
    """A value the mirror field cannot take; the message says why, for the delivery record."""


@dataclass(slots=True)
class MirrorValues:
    """Mirror field values mapped from one Zoom object, and Zoom's keys whose value was not used."""

    values: dict[str, Any] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        return [f"{key}: {reason}" for key, reason in self.rejected.items()]


@dataclass(frozen=True)
class Field:
    """Zoom's `key` fills the mirror field `name` (`fallback`: Zoom's key read when `key` is absent).
    `cut`: a string longer than the column is cut to it rather than rejected."""

    key: str
    name: str
    fallback: str = ""
    cut: bool = False


class FieldMap:
    """A mapping table: Zoom's keys -> fields of the mirror `model`, each value checked against its field.
    The checks are looked up once per table, on first use (an integer's range is the database's)."""

    def __init__(self, model: type[models.Model], *fields: Field) -> None:
        self.model, self.fields = model, fields

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    @cached_property
    def plan(self) -> tuple[tuple[str, str, str, Check, Callable[[], Any], int], ...]:
        meta = self.model._meta
        return tuple(
            (
                f.key,
                f.fallback,
                f.name,
                checker(self.model, f.name, cut=f.cut),
                _field(meta, f.name).get_default,
                _text_limit(_field(meta, f.name)),
            )
            for f in self.fields
        )

    def map(self, get: Get, *, partial: bool, into: MirrorValues, prefix: str = "") -> None:
        """Map the fields read by `get` into `into`: values (complete: all of them), and rejections under
        Zoom's key (`prefix`: where the keys sit in Zoom's object, e.g. "settings.")."""
        values, rejected = into.values, into.rejected
        for key, fallback, name, check, default, limit in self.plan:
            value = get(key)
            if value is None and fallback:
                value = get(fallback)
            if value is None:
                if not partial:
                    values[name] = default()
                continue
            if limit and type(value) is str and len(value) <= limit and "\x00" not in value:
                values[name] = value  # the usual string, checked here: the full sync maps 1M meetings
                continue
            try:
                values[name] = check(value)
            except Rejected as error:
                rejected[prefix + key] = str(error)
                if not partial:
                    values[name] = default()


def reader(source: Mapping[str, Any] | object) -> Get:
    """Reads Zoom's keys from its JSON, or from the client's typed result (a dataclass whose attributes are
    named as Zoom's keys; a missing string is "" there, a missing number or time None)."""
    if isinstance(source, dict) or not hasattr(type(source), "__dataclass_fields__"):
        return source.get  # type: ignore[union-attr]
    return vars(source).get


def map_value(model: type[models.Model], name: str, key: str, value: Any, *, into: MirrorValues) -> Any:
    """One value for the field `name`, or None (and a rejection under Zoom's `key`) when it cannot be."""
    try:
        return checker(model, name)(value)
    except Rejected as error:
        into.rejected[key] = str(error)
        return None


@cache
def checker(model: type[models.Model], name: str, *, cut: bool = False) -> Check:
    """The check of a value for the mirror field `name`: returns it as the field stores it, or raises
    Rejected. Built once per field (the integer range is the database's)."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.DateTimeField):
        return _moment_check(nullable=model_field.null)
    if isinstance(model_field, models.IntegerField):
        low = max(
            (v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)), default=None
        )
        high = min(
            (v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)), default=None
        )
        return _whole_check(low, high)
    if isinstance(model_field, models.CharField | models.TextField):
        return _text_check(model_field.max_length, cut=cut)
    raise TypeError(f"{model.__name__}.{name}: no check for a {type(model_field).__name__}")


def _field(meta: Any, name: str) -> models.Field:
    """A concrete field of the mirror model (the mappings name columns, never relations)."""
    model_field = meta.get_field(name)
    assert isinstance(model_field, models.Field), name
    return model_field


def _text_limit(model_field: models.Field) -> int:
    """The longest string the field takes as it is (0: not a text field)."""
    if isinstance(model_field, models.CharField | models.TextField):
        return model_field.max_length or sys.maxsize
    return 0


def _text_check(limit: int | None, *, cut: bool) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Rejected(NOT_TEXT.format(kind=type(value).__name__))
        if "\x00" in value:  # PostgreSQL cannot store it, nor take it as a query parameter
            raise Rejected(HAS_NUL)
        if limit is not None and len(value) > limit:
            if cut:
                return value[:limit]
            raise Rejected(TOO_LONG.format(limit=limit))
        return value

    return check


def _whole_check(low: int | None, high: int | None) -> Check:
    def check(value: Any) -> int:
        if type(value) is int:  # not a bool
            number = value
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit() and value.isascii():
            try:
                number = int(value)
            except ValueError:  # beyond Python's digit limit
                raise Rejected(NOT_WHOLE) from None
        else:
            raise Rejected(NOT_WHOLE)
        if (low is not None and number < low) or (high is not None and number > high):
            raise Rejected(OUT_OF_RANGE.format(low=low, high=high))
        return number

    return check


def _moment_check(*, nullable: bool) -> Check:
    def check(value: Any) -> datetime.datetime | None:
        if isinstance(value, datetime.datetime):
            return value
        try:
            moment = parse_datetime(value)
        except (ValueError, OverflowError, OSError):  # epoch numbers beyond any calendar
            raise Rejected(NOT_MOMENT) from None
        if moment is None and value != "":
            raise Rejected(NOT_MOMENT)
        if moment is None and not nullable:
            raise Rejected(EMPTY)
        return moment

    return check
