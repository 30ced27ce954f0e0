"""The queries of a text search that are the search's own SQL (searching.matches_sql words the matches):
how many rows match up to a cap, the highest id among them (how dense the matches are), and, in the same
query when the matches are few, their first page; and the ids of a page found by walking the sort order
(keyset.fetch_page's `ids`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model

from zoomadmin_site.search.keyset import PageRequest


def column_of(model: type[Model], name: str) -> str:
    """The database column of `model`'s field `name` ("pk": its primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    assert column, f"{model.__name__}.{name} is a column"
    return column


@dataclass(frozen=True)
class MatchesSQL:
    """A search's matches as SQL: the FROM and WHERE of a query on `model`'s table, whose columns are
    qualified by the table's name. Identifiers come from the model and the search index; every value is
    one of `params`."""

    model: type[Model]
    tables: str
    where: str
    params: list[Any]
    using: str

    def capped(self, columns: Sequence[str], limit: int) -> str:
        """The SQL of the first `limit` matches the database finds (in no particular order), reading the
        model's fields `columns` under their column names."""
        meta, qn = self.model._meta, connections[self.using].ops.quote_name
        table = qn(meta.db_table)
        selected = ", ".join(f"{table}.{qn(column_of(self.model, name))}" for name in columns)
        return f"SELECT {selected} FROM {self.tables} WHERE {self.where} LIMIT {int(limit)}"  # noqa: S608

    def page_ids(self, request: PageRequest, limit: int) -> tuple[str, list[Any]]:
        """The SQL of the ids of the first `limit` matches from the request's position in its order, and
        its parameters (a subquery for keyset.fetch_page: it names the table, which shadows the outer
        query's)."""
        meta, connection = self.model._meta, connections[self.using]
        qn = connection.ops.quote_name
        position, params, order = request.position_and_order_sql(self.model, connection)
        where = self.where if position is None else f"{self.where} AND {position}"
        pk = f"{qn(meta.db_table)}.{qn(column_of(self.model, 'pk'))}"
        sql = f"SELECT {pk} FROM {self.tables} WHERE {where} ORDER BY {order} LIMIT {int(limit)}"  # noqa: S608
        return sql, [*self.params, *params]


def count_and_last(matches: MatchesSQL, limit: int) -> tuple[int, int | None]:
    """How many of the first `limit` matches there are, and their highest primary key."""
    pk_name = matches.model._meta.pk.name if matches.model._meta.pk else "id"
    column = connections[matches.using].ops.quote_name(column_of(matches.model, "pk"))
    sql = f"SELECT COUNT(*), MAX({column}) FROM ({matches.capped([pk_name], limit)}) capped"  # noqa: S608
    with connections[matches.using].cursor() as cursor:
        cursor.execute(sql, matches.params)
        n, last = cursor.fetchone()
    return n, last


def counted_first_page(
    matches: MatchesSQL, request: PageRequest, *, fields: Sequence[str], page_size: int, cap: int
) -> tuple[int, int | None, list[Any]]:
    """One query for what usually takes two: how many matches there are (up to cap + 1, read in the order
    the database finds them), the highest primary key among those, and the first page of them in the
    request's order, as model instances with `fields` loaded. The page is the real first page only when
    no more than `cap` matches were found."""
    assert request.position is None, "the first page only: a cursor would hide rows from the count"
    model = matches.model
    qn = connections[matches.using].ops.quote_name
    direction = "DESC" if request.reverse_order else "ASC"
    order = ", ".join(f"{qn(f.column)} {direction}" for f in request.columns)
    pk = qn(column_of(model, "pk"))
    columns = dict.fromkeys(
        [model._meta.pk.name if model._meta.pk else "id", *fields, *(f.name for f in request.columns)]
    )
    found = matches.capped(list(columns), cap + 1)
    sql = (
        f"SELECT *, COUNT(*) OVER () AS keyset_found, MAX({pk}) OVER () AS keyset_last "  # noqa: S608
        f"FROM ({found}) AS counted ORDER BY {order} LIMIT {int(page_size) + 1}"
    )
    rows = list(model._default_manager.db_manager(matches.using).raw(sql, matches.params))
    if not rows:
        return 0, None, []
    first = rows[0]
    return getattr(first, "keyset_found"), getattr(first, "keyset_last"), rows  # noqa: B009 - raw() columns
