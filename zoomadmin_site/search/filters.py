"""The filters of a search (role, type, dates, ...), described rather than only applied: the selectors say
which they applied, so the search engine can word them in its own SQL (searching.matches_sql) and tell
which columns they read (whether a walk index covers them) without looking inside a queryset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Field, Model, Q, QuerySet

# Each lookup in SQL; `%s` stands for the value, bound as a parameter (`marks`: one per value of an IN).
_SQL = {
    "exact": "{column} = %s",
    "gte": "{column} >= %s",
    "lt": "{column} < %s",
    "in": "{column} IN ({marks})",
    "isnull": "{column} IS NULL",
}


@dataclass(frozen=True)
class Where:
    """One filter: `field` `lookup` `value`, as in QuerySet.filter(), or (negated) as in exclude().

    Lookups: exact, in (a tuple of values), gte, lt, and isnull (True). Only non-NULL columns can be
    negated (except by isnull), where Django's exclude() adds nothing but the NOT."""

    field: str
    lookup: str
    value: Any
    negated: bool = False

    def __post_init__(self) -> None:
        if self.lookup not in _SQL:
            raise ValueError(f"Unsupported search filter lookup: {self.lookup}")
        if (self.lookup == "in") != isinstance(self.value, tuple) or self.value is None:
            raise ValueError(f"Unsupported value for a search filter {self.field}__{self.lookup}")
        if self.lookup == "isnull" and self.value is not True:
            raise ValueError("isnull search filters take True (negate them for IS NOT NULL)")

    def q(self) -> Q:
        """The filter for QuerySet.filter() (an exact one worded as filter(field=value) would word it)."""
        keyword = self.field if self.lookup == "exact" else f"{self.field}__{self.lookup}"
        condition = Q(**{keyword: self.value})
        return ~condition if self.negated else condition

    def sql(self, model: type[Model], connection: Any) -> tuple[str, list[Any]]:
        """The filter as SQL on `model`'s table (columns qualified by its name), and its parameters."""
        field = cast(Field, model._meta.get_field(self.field))  # a concrete column, never a relation
        if self.negated and field.null and self.lookup != "isnull":
            raise ValueError(f"A negated search filter needs a non-NULL column, not {self.field}")
        qn = connection.ops.quote_name
        column = f"{qn(model._meta.db_table)}.{qn(field.column)}"
        db_field = getattr(field, "output_field", field)  # a GeneratedField converts through its output field
        values = () if self.lookup == "isnull" else self.value if self.lookup == "in" else (self.value,)
        params = [db_field.get_db_prep_value(value, connection) for value in values]
        if self.lookup == "in" and not params:
            sql = "1 = 0"  # IN () matches nothing
        else:
            sql = _SQL[self.lookup].format(column=column, marks=", ".join(["%s"] * len(params)))
        return (f"NOT ({sql})" if self.negated else sql), params


NOT_GONE = Where("gone_at", "isnull", True)  # rows still in Zoom: what a search shows unless told otherwise


@dataclass(frozen=True)
class SearchFilters:
    """Every filter of one search (a row must pass them all)."""

    wheres: tuple[Where, ...] = ()

    def apply(self, qs: QuerySet) -> QuerySet:
        """`qs` with these filters."""
        for where in self.wheres:
            qs = qs.filter(where.q())
        return qs

    @property
    def fields(self) -> frozenset[str]:
        """The fields the filters read."""
        return frozenset(where.field for where in self.wheres)

    @property
    def excludes_gone(self) -> bool:
        """Whether rows gone from Zoom are left out (the walk indexes hold no others)."""
        return NOT_GONE in self.wheres

    def sql(self, model: type[Model], connection: Any) -> tuple[list[str], list[Any]]:
        """The filters as SQL conditions on `model`'s table (to AND together), and their parameters."""
        conditions: list[str] = []
        params: list[Any] = []
        for where in self.wheres:
            sql, where_params = where.sql(model, connection)
            conditions.append(sql)
            params += where_params
        return conditions, params


NO_FILTERS = SearchFilters()
