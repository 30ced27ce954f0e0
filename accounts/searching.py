"""Text search over the mirror, shared by user and meeting search: query terms, the indexed text filter,
the capped count, and one function that runs a whole search page.

How a text search runs (see search_index.py for the indexes):
- Terms of 3+ characters go through the trigram index (FTS5 on SQLite, an ILIKE on the GIN-indexed
  expression on PostgreSQL). The count comes from the index and stops at COUNT_CAP (on PostgreSQL a
  term its planner estimates at 10x the cap or more is not counted at all: it shows as "1,000+").
- The page is collected through the index and sorted, except when the terms are common (the count
  reached the cap) and the order is unrelated to the searched text (meetings by start time): then walking
  the sort index and checking each row meets a page of matches sooner than collecting them all. The plan
  is chosen here rather than left to the database's planner, which misjudges how common a substring is.
- Terms of 1-2 characters cannot use trigrams: rows are checked one by one along the sort order, and the
  count is only what the first page shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.keyset import SortOption, keyset_page, sort_key_or_default
from accounts.search_index import SearchIndexSpec

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MIN_INDEXED_TERM = 3  # the trigram index needs at least three characters
COUNT_CAP = 1_000  # each counted row costs a row read; beyond this the page says "1,000+"
PG_COMMON_ESTIMATE = 10 * COUNT_CAP  # planner estimates this far past the cap are trusted without counting
PAGE_SIZE = 50
INT64 = 2**63
BAD_SORT = "Unknown sort order ignored."
BAD_CURSOR = "That page link has expired or is not valid; showing the first page."
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


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


def _fts_match(terms: Sequence[str]) -> str:
    # Inside double quotes FTS5 syntax (AND, NEAR, *, -, :, parentheses) is plain text.
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains_all(spec: SearchIndexSpec, terms: Sequence[str]) -> Q:
    """Every term in one of the columns, checked row by row (no index)."""
    condition = Q()
    for term in terms:
        any_column = Q()
        for column in spec.columns:
            any_column |= Q(**{f"{column}__icontains": term})
        condition &= any_column
    return condition


def _fts_rowids(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str]) -> QuerySet:
    """Rows among the index's matches (the matches are collected first: good when they are few)."""
    sql = f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH %s"  # noqa: S608 - constants
    return qs.filter(pk__in=RawSQL(sql, [_fts_match(terms)]))  # noqa: S611 - the terms are a parameter


def _fts_driven(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str]) -> QuerySet:
    """The same rows with the index as the outer loop, so that a LIMIT stops it early (for counting)."""
    fts, table = spec.fts_table, qs.model._meta.db_table
    return qs.extra(  # noqa: S610 - identifiers are constants, the terms a parameter
        tables=[fts], where=[f"{fts}.rowid = {table}.id", f"{fts} MATCH %s"], params=[_fts_match(terms)]
    )


def _pg_contains_all(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str], *, indexed: bool) -> QuerySet:
    """Every term in the searched columns: an ILIKE on the trigram-indexed expression, or (indexed=False)
    the same test worded as strpos(), which the index cannot serve and the planner takes to be common,
    so that it walks the sort index instead of collecting every match of a common term."""
    for term in terms:
        if indexed:
            condition = f"{spec.pg_expression} ILIKE %s"  # the expression is a constant; the term a parameter
            param = _like_pattern(term)
        else:
            condition, param = f"strpos(lower({spec.pg_expression}), lower(%s)) > 0", term
        qs = qs.filter(RawSQL(condition, [param], BooleanField()))  # noqa: S611
    return qs


def _pg_estimated_rows(qs: QuerySet) -> int:
    plan = json.loads(qs.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def count_capped(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """An exact count up to `cap` (COUNT_CAP), beyond it only "more than cap": counting costs."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass(frozen=True)
class TextPlan:
    count: int | None  # None: not counted (terms too short for the index); the first page tells
    capped: bool
    rows: QuerySet  # the rows to page through
    walk_sort_index: bool  # page by walking the sort index; False: collect the matches, then sort them


def text_search(
    qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str], *, sort_fields: Sequence[str] = ()
) -> TextPlan:
    """How to count and page the rows of `qs` matching every term.

    `sort_fields` is the page's order. When it involves no searched column, matches are spread evenly
    along it, so for common terms walking the sort index meets a page of them soonest. When it does (names
    sorted by name), the matches bunch up somewhere along the walk: collect them through the text index
    and sort them instead, as for rare terms."""
    vendor = connections[qs.db].vendor
    if not terms or vendor not in ("sqlite", "postgresql"):
        qs = qs.filter(_contains_all(spec, terms))
        return TextPlan(*count_capped(qs), qs, walk_sort_index=True)
    indexed = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    if not indexed:  # no index can find or count these: check rows along the sort order
        rows = qs.filter(_contains_all(spec, terms))
        return TextPlan(None, False, rows, walk_sort_index=True)
    uncorrelated = not set(sort_fields) & set(spec.columns)
    if vendor == "postgresql":
        matches = _pg_contains_all(qs, spec, terms, indexed=True)
        # Counting a very common term means reading every match from the index (a bitmap of 60k rows
        # costs ~25 ms); the planner's estimate, from the expression index's statistics, spots them.
        if _pg_estimated_rows(matches) >= PG_COMMON_ESTIMATE:
            count, capped = COUNT_CAP, True
        else:
            count, capped = count_capped(matches)
        walk = capped and uncorrelated
        return TextPlan(count, capped, _pg_contains_all(qs, spec, terms, indexed=not walk), walk)
    short = _contains_all(spec, [t for t in terms if t not in indexed])
    count, capped = count_capped(_fts_driven(qs, spec, indexed).filter(short))
    if capped and uncorrelated:
        return TextPlan(count, capped, qs.filter(_contains_all(spec, terms)), walk_sort_index=True)
    return TextPlan(count, capped, _fts_rowids(qs, spec, indexed).filter(short), walk_sort_index=False)


@dataclass
class SearchPage:
    rows: list[Any]
    count: int | None  # None: more than a page, not counted (a query too short for the index)
    count_capped: bool
    sort: str
    next_cursor: str | None = None
    prev_cursor: str | None = None
    ignored: list[str] = field(default_factory=list)  # what in the request was ignored, in words

    @property
    def count_label(self) -> str:
        if self.count is None:
            return f"{len(self.rows)}+"
        return f"{self.count:,}+" if self.count_capped else f"{self.count:,}"


@dataclass(frozen=True)
class SearchSpec:
    """What one searchable mirror table needs: its index, sort orders and the columns a row shows."""

    index: SearchIndexSpec
    sorts: dict[str, SortOption]
    default_sort: str
    list_fields: tuple[str, ...]  # must include every sort column (the cursor reads them)


def search_page(
    qs: QuerySet,
    spec: SearchSpec,
    *,
    query: str = "",
    sort: str | None = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """One page of the rows of `qs` (already filtered) that match `query`, with the count."""
    sort_key, bad_sort = sort_key_or_default(sort, spec.sorts, spec.default_sort)
    sort_fields = spec.sorts[sort_key.lstrip("-")].fields
    plan = text_search(qs, spec.index, query_terms(query), sort_fields=sort_fields)
    count, capped = plan.count, plan.capped
    page = keyset_page(
        plan.rows.only(*spec.list_fields),
        sorts=spec.sorts,
        sort_key=sort_key,
        after=after,
        before=before,
        page_size=page_size,
        use_sort_index=plan.walk_sort_index,
    )
    if count is None and not (page.next_cursor or page.prev_cursor):
        count = len(page.rows)  # everything fits on this page
    ignored = [BAD_SORT] * bad_sort + [BAD_CURSOR] * page.bad_cursor
    return SearchPage(page.rows, count, capped, sort_key, page.next_cursor, page.prev_cursor, ignored)
