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


def row_compare_sql(
    model: type[Model], columns: list[Any], values: list[Any], op: str, *, connection: Any
) -> tuple[str, list[Any]]:
    """`(a, b, id) op (...)` on the columns of `model`'s table (qualified by its name), and its
    parameters. Column names come from the model, `op` is a comparison operator; the values are bound
    parameters."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(f"{table}.{qn(f.column)}" for f in columns)
    params = [_db_field(f).get_db_prep_value(v, connection) for f, v in zip(columns, values, strict=True)]
    return f"({names}) {op} ({', '.join(['%s'] * len(params))})", params


def _row_compare(qs: QuerySet, columns: list[Any], values: list[Any], op: str) -> QuerySet:
    sql, params = row_compare_sql(qs.model, columns, values, op, connection=connections[qs.db])
    return qs.filter(RawSQL(sql, params, BooleanField()))  # noqa: S611 - see row_compare_sql


@dataclass(frozen=True)
class PageRequest:
    """Which page: the sort order, and the row values of the cursor it continues from (if any)."""

    sort_key: str
    sort: SortOption
    columns: list[Any]
    position: list[Any] | None  # the cursor's row; None: from the start (or the end, reading backwards)
    backwards: bool  # reading towards the start of the order (a "previous page" link)
    bad_cursor: bool  # a cursor was given but could not be used

    @property
    def reverse_order(self) -> bool:
        """Whether the rows are read in descending order."""
        return self.sort_key.startswith("-") != self.backwards

    def position_and_order_sql(
        self, model: type[Model], connection: Any
    ) -> tuple[str | None, list[Any], str]:
        """The page's position (None from the start) and order as SQL on `model`'s table, as _ordered()
        words them for a queryset: the row comparison, its parameters and the ORDER BY list."""
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        direction = "DESC" if self.reverse_order else "ASC"
        order = ", ".join(f"{table}.{qn(f.column)} {direction}" for f in self.columns)
        if self.position is None:
            return None, [], order
        op = "<" if self.reverse_order else ">"
        compare, params = row_compare_sql(model, self.columns, self.position, op, connection=connection)
        return compare, params, order


def page_request(
    model: type[Model],
    *,
    sorts: dict[str, SortOption],
    sort_key: str,
    after: str | None = None,
    before: str | None = None,
) -> PageRequest:
    sort = sorts[sort_key.lstrip("-")]
    backwards = bool(before) and not after
    token = before if backwards else after
    position = decode_cursor(token, sort_key, model, sort) if token else None
    columns = _sort_columns(model, sort)
    return PageRequest(sort_key, sort, columns, position, backwards, bool(token) and position is None)


def _ordered(qs: QuerySet, request: PageRequest, *, use_sort_index: bool = True) -> QuerySet:
    """`qs` from the page's position on, in reading order. `use_sort_index=False` words the order so that
    no index can produce it, which makes the database collect the (few) filtered rows and sort them
    instead of walking the sort index."""
    if request.position is not None:
        qs = _row_compare(qs, request.columns, request.position, "<" if request.reverse_order else ">")
    order: list[Any] = [F(f.name) for f in request.columns]
    if not use_sort_index:
        order[0] = Coalesce(order[0], order[0])  # same order, but no index matches it
    return qs.order_by(*(o.desc() if request.reverse_order else o.asc() for o in order))


def walk_boundary(qs: QuerySet, request: PageRequest, rows: int) -> list[Any] | None:
    """The sort values of the row `rows` steps along the order of `qs` from the page's position, or None
    when the order ends sooner. Read from the sort index alone when `qs` filters on nothing."""
    found = _ordered(qs, request).values_list(*(f.attname for f in request.columns))[rows - 1 : rows]
    return list(found[0]) if found else None


def fetch_page(
    qs: QuerySet,
    request: PageRequest,
    *,
    page_size: int,
    use_sort_index: bool = True,
    boundary: list[Any] | None = None,
    ids: tuple[str, list[Any]] | None = None,
) -> KeysetPage | None:
    """The page of `qs` that `request` names. With a `boundary` (see walk_boundary) rows past it are not
    read, and None means that the page could not be filled before it. `ids` is SQL that finds the page's
    ids (the first page_size + 1 of `qs` from the request's position, in its order) reading nothing else,
    and its parameters: the rows are fetched once those are known. Where an index covers the order and
    the filters, that walk reads the index alone (an index-only scan) and no table row until the page is
    known (see searching.matches_sql)."""
    ordered = _ordered(qs, request, use_sort_index=use_sort_index)
    if ids is not None:
        ordered = ordered.filter(pk__in=RawSQL(*ids))  # noqa: S611 - identifiers from the model, values bound
    if boundary is not None:
        ordered = _row_compare(ordered, request.columns, boundary, ">=" if request.reverse_order else "<=")
    rows = list(ordered[: page_size + 1])
    if boundary is not None and len(rows) <= page_size:
        return None
    return page_from_rows(rows, request, page_size=page_size, model=qs.model)


def page_from_rows(
    rows: list[Any], request: PageRequest, *, page_size: int, model: type[Model]
) -> KeysetPage:
    """A page from up to page_size + 1 rows in reading order (one more than fits says there are more)."""
    more = len(rows) > page_size
    rows = rows[:page_size]
    if request.backwards:
        rows.reverse()
    after_position = request.position is not None
    has_next = (request.backwards and after_position) or (more and not request.backwards)
    has_prev = (more and request.backwards) or (not request.backwards and after_position)
    sort_key, sort = request.sort_key, request.sort
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(sort_key, rows[-1], model, sort) if rows and has_next else None,
        prev_cursor=encode_cursor(sort_key, rows[0], model, sort) if rows and has_prev else None,
        bad_cursor=request.bad_cursor,
    )


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
    the row a cursor names (see _ordered for `use_sort_index`)."""
    request = page_request(qs.model, sorts=sorts, sort_key=sort_key, after=after, before=before)
    page = fetch_page(qs, request, page_size=page_size, use_sort_index=use_sort_index)
    assert page is not None  # only a bounded walk can come back without a page
    return page
