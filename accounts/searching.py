"""Search machinery shared by user and meeting search: query terms, the indexed text filter, keyset
pagination and a capped count.

Keyset pagination: results are ordered by a tuple of non-NULL columns ending in the primary key, and a
page continues from a cursor holding the last row's values, compared as a row value `(a, b, id) > (...)`,
which SQLite and PostgreSQL both answer from the matching (a, b, id) index. There is no OFFSET, so page
1000 costs what page 1 costs. Cursors are signed; a bad one is ignored (the first page is shown).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import connections
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.search_index import SearchIndexSpec

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MIN_INDEXED_TERM = 3  # the trigram index needs at least three characters
COUNT_CAP = 10_000
PAGE_SIZE = 50
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_CURSOR_SALT = "zoomadmin.keyset"
INT64 = 2**63
BAD_SORT = "Unknown sort order ignored."
BAD_CURSOR = "That page link has expired or is not valid; showing the first page."


def clean_query(raw: str) -> str:
    """What we search for: control characters (NUL breaks PostgreSQL) become spaces, length is capped."""
    return _CONTROL_RE.sub(" ", raw or "")[:MAX_QUERY_LENGTH].strip()


def query_terms(query: str) -> list[str]:
    """Words, or "quoted phrases"; every term must match (anywhere in any searched field)."""
    terms = []
    for phrase, word in _TERM_RE.findall(clean_query(query)):
        term = (phrase or word).strip()
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _fts_phrase(term: str) -> str:
    # Inside double quotes FTS5 syntax (AND, NEAR, *, -, :, parentheses) is plain text.
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def apply_text_search(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str]) -> QuerySet:
    """Filter to rows where every term occurs in one of the spec's columns, through the trigram index."""
    if not terms:
        return qs
    vendor = connections[qs.db].vendor
    if vendor == "postgresql":
        for term in terms:
            ilike = f"{spec.pg_expression} ILIKE %s"  # the expression is a constant; the term a parameter
            qs = qs.filter(RawSQL(ilike, [_like_pattern(term)], BooleanField()))  # noqa: S611
        return qs
    indexed = [t for t in terms if len(t) >= MIN_INDEXED_TERM] if vendor == "sqlite" else []
    if indexed:
        match = " AND ".join(_fts_phrase(t) for t in indexed)
        sql = f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH %s"  # noqa: S608
        qs = qs.filter(pk__in=RawSQL(sql, [match]))  # noqa: S611 - the query text is a bound parameter
    for term in terms:
        if term not in indexed:  # too short for trigrams: a scan, still correct
            any_column = Q()
            for column in spec.columns:
                any_column |= Q(**{f"{column}__icontains": term})
            qs = qs.filter(any_column)
    return qs


@dataclass(frozen=True)
class SortOption:
    label: str
    fields: tuple[str, ...]  # non-NULL model fields; the primary key is appended as the tie-breaker


@dataclass
class SearchPage:
    rows: list[Any]
    count: int
    count_capped: bool
    sort: str
    next_cursor: str | None = None
    prev_cursor: str | None = None
    ignored: list[str] = field(default_factory=list)  # what in the request was ignored, in words

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count_capped else f"{self.count:,}"


def count_capped(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """An exact count up to `cap`; beyond that only "more than cap" (counting 1M rows is not free)."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


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
    page_size: int = PAGE_SIZE,
) -> tuple[list[Any], str | None, str | None, bool]:
    """One page of `qs` in the order `sort_key` ("name" ascending, "-name" descending).

    Returns (rows, next_cursor, prev_cursor, cursor_was_bad)."""
    descending = sort_key.startswith("-")
    sort = sorts[sort_key.lstrip("-")]
    columns = _sort_columns(qs.model, sort)
    names = [f.name for f in columns]
    backwards = bool(before) and not after
    token = before if backwards else after
    position = decode_cursor(token, sort_key, qs.model, sort) if token else None
    bad_cursor = bool(token) and position is None
    if position is not None:
        op = ">" if descending == backwards else "<"
        qs = _row_compare(qs, columns, position, op)
    reverse_order = descending != backwards
    qs = qs.order_by(*(f"-{n}" if reverse_order else n for n in names))
    rows = list(qs[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    has_next = (more and not backwards) or (backwards and position is not None)
    has_prev = (more and backwards) or (not backwards and position is not None)
    next_cursor = encode_cursor(sort_key, rows[-1], qs.model, sort) if rows and has_next else None
    prev_cursor = encode_cursor(sort_key, rows[0], qs.model, sort) if rows and has_prev else None
    return rows, next_cursor, prev_cursor, bad_cursor


def sort_key_or_default(value: str | None, sorts: dict[str, SortOption], default: str) -> tuple[str, bool]:
    """A valid sort key ("name" or "-name") and whether the given one had to be replaced."""
    if value and value.lstrip("-") in sorts and value.count("-") <= 1:
        return value, False
    return default, bool(value)
