"""Keyset pagination: results are ordered by a tuple of non-NULL columns ending in the primary key, and a
page continues from a cursor holding the last row's values, compared as a row value `(a, b, id) > (...)`,
which SQLite and PostgreSQL both answer from the matching (a, b, id) index. There is no OFFSET, so page
1000 costs what page 1 costs. Cursors are signed; a bad one is ignored (the first page is shown)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import connections
from django.db.models import BooleanField, F, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

_CURSOR_SALT = "zoomadmin.keyset"


@dataclass(frozen=True)
class SortOption:
    label: str
    fields: tuple[str, ...]  # non-NULL model fields; the primary key is appended as the tie-breaker


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    bad_cursor: bool  # a cursor was given but could not be used


def sort_key_or_default(value: str | None, sorts: dict[str, SortOption], default: str) -> tuple[str, bool]:
    """A valid sort key ("name" or "-name") and whether the given one had to be replaced."""
    if value and value.lstrip("-") in sorts and value.count("-") <= 1:
        return value, False
    return default, bool(value)


def _sort_columns(model: type[Model], sort: SortOption) -> list[Any]:
    return [model._meta.get_field(name) for name in sort.fields] + [model._meta.pk]


def _db_field(model_field: Any) -> Any:
    """The field that converts values (a GeneratedField converts through its output field)."""
    return getattr(model_field, "output_field", model_field)


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def encode_cursor(sort_key: str, row: Model, model: type[Model], sort: SortOption) -> str:
    values = [_to_json(getattr(row, f.attname)) for f in _sort_columns(model, sort)]
    return signing.dumps([sort_key, values], salt=_CURSOR_SALT, compress=False)


def decode_cursor(token: str, sort_key: str, model: type[Model], sort: SortOption) -> list[Any] | None:
    """The row values a cursor holds, or None if it is not one of ours for this sort order."""
    try:
        key, values = signing.loads(token, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    columns = _sort_columns(model, sort)
    if key != sort_key or not isinstance(values, list) or len(values) != len(columns):
        return None
    try:
        return [_db_field(f).to_python(v) for f, v in zip(columns, values, strict=True)]
    except Exception:  # any value that does not parse makes the cursor unusable
        return None


def _row_compare(qs: QuerySet, columns: list[Any], values: list[Any], op: str) -> QuerySet:
    conn = connections[qs.db]
    table = conn.ops.quote_name(qs.model._meta.db_table)
    names = ", ".join(f"{table}.{conn.ops.quote_name(f.column)}" for f in columns)
    params = [_db_field(f).get_db_prep_value(v, conn) for f, v in zip(columns, values, strict=True)]
    marks = ", ".join(["%s"] * len(params))
    # Column names come from the model, `op` is "<" or ">"; the values are bound parameters.
    return qs.filter(RawSQL(f"({names}) {op} ({marks})", params, BooleanField()))  # noqa: S611


def keyset_page(
    qs: QuerySet,
    *,
    sorts: dict[str, SortOption],
    sort_key: str,
    after: str | None = None,
    before: str | None = None,
    page_size: int,
    use_sort_index: bool = True,
) -> KeysetPage:
    """One page of `qs` in the order `sort_key` ("name" ascending, "-name" descending), after or before
    the row a cursor names. `use_sort_index=False` words the order so that no index can produce it, which
    makes the database collect the (few) filtered rows and sort them instead of walking the sort index."""
    descending = sort_key.startswith("-")
    sort = sorts[sort_key.lstrip("-")]
    columns = _sort_columns(qs.model, sort)
    backwards = bool(before) and not after
    token = before if backwards else after
    position = decode_cursor(token, sort_key, qs.model, sort) if token else None
    if position is not None:
        qs = _row_compare(qs, columns, position, ">" if descending == backwards else "<")
    reverse_order = descending != backwards
    order = [F(f.name) for f in columns]
    if not use_sort_index:
        order[0] = Coalesce(order[0], order[0])  # same order, but no index matches it
    qs = qs.order_by(*(o.desc() if reverse_order else o.asc() for o in order))
    rows = list(qs[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    has_next = (backwards and position is not None) or (more and not backwards)
    has_prev = (more and backwards) or (not backwards and position is not None)
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(sort_key, rows[-1], qs.model, sort) if rows and has_next else None,
        prev_cursor=encode_cursor(sort_key, rows[0], qs.model, sort) if rows and has_prev else None,
        bad_cursor=bool(token) and position is None,
    )
