"""Text search over the mirror, shared by user and meeting search: query terms, the indexed text filter,
the capped count, and one function that runs a whole search page.

How a text search runs (see index.py for the indexes). The plan is chosen here rather than left to
the database's planner, which misjudges how common a substring is:
- Terms of 3+ characters go through the trigram index (FTS5 on SQLite, a LIKE on the GIN-indexed
  search_text on PostgreSQL). The count comes from the index and stops at COUNT_CAP (on PostgreSQL a
  term its planner estimates at PG_COMMON_ESTIMATE or more is not counted at all: it shows as "1,000+").
- Rare terms (the count stays below the cap): the matches are collected through the index and sorted.
  On PostgreSQL the counting query sorts them too and returns the first page with the count.
- Common terms, in an order unrelated to the searched text (meetings by start time): the sort index is
  walked until a page of matches is met, which is soonest. Each row's text is checked on the way, from
  the walk index alone where one covers the order and the filters (SearchIndexSpec.walk_orders), except on
  SQLite when matches are sparse (under SQLITE_WALK_DENSE with a walk index, else SQLITE_DENSE): then
  the index's matches are collected once into a set, and the walk reads only the sort index, looking
  each row's id up in the set.
- Common terms, in an order by a searched column (names by name): matches may bunch up anywhere along
  the order, so a walk is only tried for BOUNDED_WALK_ROWS rows; if that does not fill the page, the
  matches are collected and sorted as for rare terms.
- Terms of 1-2 characters cannot use trigrams: rows are checked one by one along the sort order, and the
  count is only what the first page shows. SQLite's LIKE folds only ASCII letters, so such checks try
  each other letter in both cases ("öl" also as "Öl"; see case_variants); the index folds every letter.

The selectors describe the filters they apply (filters.SearchFilters), so that the counting queries,
which are the search's own SQL (matches_sql, counting.py), word them too, and the choice of a walk knows
which columns they read. Figures behind the thresholds below: bench/results/ and the README.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import BooleanField, IntegerField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from zoomadmin_site.search.counting import MatchesSQL, count_and_last, counted_first_page
from zoomadmin_site.search.filters import SearchFilters
from zoomadmin_site.search.index import PG_TEXT_COLUMN, SearchIndexSpec
from zoomadmin_site.search.keyset import (
    KeysetPage,
    PageRequest,
    SortOption,
    fetch_page,
    page_from_rows,
    page_request,
    sort_key_or_default,
    walk_boundary,
)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MIN_INDEXED_TERM = 3  # the trigram index needs at least three characters
# Spellings of one term that a row-by-row check may try (see case_variants): a 1-2 character term never
# needs more than 9, so short terms always match in any case.
MAX_CASE_VARIANTS = 9
# SQLite: a common term this long is looked up by its covering trigrams, then checked whole
# (_relaxed_fts_match).
RELAX_FROM_LENGTH = 6
COUNT_CAP = 1_000  # each counted row costs a row read; beyond this the page says "1,000+"
# Planner estimates this far past the cap are trusted without counting ("1,000+"): with the search
# text's statistics at 10x the default target, estimates of terms around the cap were within 0.6x-1.7x
# of the truth at 1M meetings (one outlier at 0.1x, which only means counting), so a term estimated at
# 3x the cap has, in practice, never fewer matches than the cap. Counting one would read every match.
PG_COMMON_ESTIMATE = 3 * COUNT_CAP
PG_FEW_ESTIMATE = 2 * COUNT_CAP  # below this estimate the count query fetches the first page too
# For an order by a searched column (names by name), a term past the cap would next be tried with a
# bounded walk and then collected and sorted anyway: below PG_COMMON_ESTIMATE the count query collects up
# to this many matches instead, which yields the page in the same query for all but the commonest.
PG_COLLECT_LIMIT = 4 * COUNT_CAP
PAGE_SIZE = 50
# A bounded walk reads at most this many rows of the sort order (a few pages' cost) before collecting.
BOUNDED_WALK_ROWS = 2_000
# SQLite: from this share of rows matching, checking each row's text along the walk beats looking ids
# up in the set of the index's matches (which costs collecting them all first).
SQLITE_DENSE = 0.01
# The same where the walk index covers the walk (it holds the searched columns: a row is checked without
# reading it from the table), which makes the walk cheap enough to beat the set for much rarer terms;
# below this share a page means walking tens of thousands of rows, while the set is small.
SQLITE_WALK_DENSE = 0.002
INT64 = 2**63
BAD_SORT = "Unknown sort order ignored."
BAD_CURSOR = "That page link has expired or is not valid; showing the first page."
_NUMBER_CHARACTERS = set("0123456789-")
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


def _fts_quoted(text: str) -> str:
    # Inside double quotes FTS5 syntax (AND, NEAR, *, -, :, parentheses) is plain text.
    return '"' + text.replace('"', '""') + '"'


def _fts_match(terms: Sequence[str]) -> str:
    return " AND ".join(_fts_quoted(term) for term in terms)


def _covering_trigrams(term: str) -> list[str]:
    """Trigrams that together cover `term` without overlapping more than they must ("charlotte": cha,
    rlo, tte)."""
    grams = [term[i : i + 3] for i in range(0, len(term) - 2, 3)]
    if len(term) % 3:
        grams.append(term[-3:])
    return grams


def _relaxed_fts_match(terms: Sequence[str]) -> tuple[str, list[str]]:
    """A MATCH that finds at least every row matching `terms`, and the terms it may over-match (to check
    row by row). A term of 6+ characters is a phrase of 4+ trigrams whose positions FTS5 must line up;
    its covering trigrams alone (an AND, no positions) cost half as much and over-match only rarely (the
    trigrams in other places or columns), which are then checked whole, row by row. Where matches are
    few the phrase costs little, and the check's SQL more than it saves: only the walk of a
    common term's members uses this. Terms LIKE cannot spell in every case keep the exact phrase."""
    groups, recheck = [], []
    for term in terms:
        if len(term) >= RELAX_FROM_LENGTH and case_variants(term) is not None:
            groups += [_fts_quoted(gram) for gram in _covering_trigrams(term)]
            recheck.append(term)
        else:
            groups.append(_fts_quoted(term))
    return " AND ".join(groups), recheck


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def case_variants(term: str) -> list[str] | None:
    """The spellings of `term` that SQLite's LIKE, which folds only ASCII letters, needs to match it in
    any case: each other cased letter as given, in lower and in upper case ("öl": öl, Öl). Just [term]
    when it has no such letter (the common case, and no slower than before); None when there would be
    more than MAX_CASE_VARIANTS (long non-ASCII words: those are checked through the index instead)."""
    variants = [""]
    for char in term:
        spellings = [char] if char.isascii() else list(dict.fromkeys((char, char.lower(), char.upper())))
        variants = [v + s for v in variants for s in spellings]
        if len(variants) > MAX_CASE_VARIANTS:
            return None
    return variants


def _term_checks(spec: SearchIndexSpec, term: str, model: type[Model] | None) -> list[tuple[str, str]]:
    """The (column, spelling) pairs of which one must contain `term`, in any case, for a row to match it:
    each searched column, with each spelling LIKE needs (case_variants). Given the `model`, integer
    columns are left out for terms that no number's digits can contain (each LIKE on a number first turns
    it into text)."""
    spellings = case_variants(term) or [term]
    return [
        (column, spelling)
        for column in spec.columns
        if model is None or _could_contain(model._meta.get_field(column), term)
        for spelling in spellings
    ]


def _contains_all(spec: SearchIndexSpec, terms: Sequence[str], model: type[Model] | None = None) -> Q:
    """Every term in one of the columns, in any case, checked row by row (no index; see _term_checks)."""
    condition = Q()
    for term in terms:
        any_column = Q(pk__in=[])  # matches nothing, unless a column can contain the term
        for column, spelling in _term_checks(spec, term, model):
            any_column |= Q(**{f"{column}__icontains": spelling})
        condition &= any_column
    return condition


def _could_contain(field: object, term: str) -> bool:
    return not isinstance(field, IntegerField) or set(term) <= _NUMBER_CHARACTERS


def _fts_rowids(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str]) -> QuerySet:
    """Rows among the index's matches (the matches are collected first: good when they are few)."""
    sql = f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH %s"  # noqa: S608 - constants
    return qs.filter(pk__in=RawSQL(sql, [_fts_match(terms)]))  # noqa: S611 - the terms are a parameter


def _fts_members(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str]) -> QuerySet:
    """The same rows, tested one by one while walking the sort index: the index's matches are collected
    once into a set that each row's id is looked up in. The unary + keeps SQLite from using the set to
    find the rows (that would collect and sort them), so the walk reads only the sort index until a page
    of members is found. The set holds every match of a common term, which is what this costs: it is
    found by covering trigrams (_relaxed_fts_match) and the few members that over-matches are checked
    whole (only rows the walk meets as members: the sort index decides before any row is read)."""
    table, fts = qs.model._meta.db_table, spec.fts_table
    match, recheck = _relaxed_fts_match(terms)
    sql = f'+"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)'  # noqa: S608 - constants
    members = qs.filter(RawSQL(sql, [match], BooleanField()))  # noqa: S611 - the terms are a parameter
    return members.filter(_contains_all(spec, recheck, qs.model)) if recheck else members


def _sqlite_walk_covered(spec: SearchIndexSpec, sort_fields: Sequence[str], filters: SearchFilters) -> bool:
    """SQLite: whether the walk index of this order (index.sqlite_walk_sql) holds every column that the
    `filters` and a text check read, so that a walk checking each row reads it alone. It is partial: the
    filters must keep gone rows out."""
    if tuple(sort_fields) not in spec.walk_orders:
        return False
    readable = {"id", "gone_at", *sort_fields, *spec.columns}
    return filters.excludes_gone and filters.fields <= readable


def _pg_contains_all(qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str], *, indexed: bool) -> QuerySet:
    """Every term in the lowercase search text: a LIKE that the trigram index serves, or (indexed=False)
    the same test worded as strpos(), which the index cannot serve and the planner takes to be common,
    so that it walks the sort index instead of collecting every match of a common term."""
    text = spec.pg_text(qs.model._meta.db_table)  # a constant; the terms are parameters
    for term in terms:
        if indexed:
            condition, param = f"{text} LIKE lower(%s)", _like_pattern(term)
        else:
            condition, param = f"strpos({text}, lower(%s)) > 0", term
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
class PageWanted:
    """The page a search is for, so that counting can fetch it too when the matches are few."""

    request: PageRequest
    size: int
    fields: Sequence[str]


@dataclass(frozen=True)
class Counted:
    count: int
    capped: bool
    density: float  # the share of all rows that match, roughly (see _count)
    page: KeysetPage | None  # the page, when counting read every match


def _count(matches: MatchesSQL, wanted: PageWanted | None = None, *, collect: int | None = None) -> Counted:
    """count_capped(), and how dense the matches are: SQLite's index yields them in id order, so counting
    to the cap while reading ids 1..last says that about cap/last of all rows match (the sync assigns ids
    densely). Given a first page `wanted`, the same query reads up to `collect` matches (the cap unless
    told more) and sorts them: when that is every match, it is the page (which saves collecting the
    matches again, but costs more than the count alone when there are more)."""
    collect = COUNT_CAP if collect is None else max(collect, COUNT_CAP)
    if wanted is None or wanted.request.position is not None:
        n, last = count_and_last(matches, COUNT_CAP + 1)
        page = None
    else:
        size = wanted.size
        n, last, rows = counted_first_page(
            matches, wanted.request, fields=wanted.fields, page_size=size, cap=collect
        )
        fits = n <= collect  # every match was read and sorted: this is the page
        page = page_from_rows(rows, wanted.request, page_size=size, model=matches.model) if fits else None
    density = n / last if last and last > 0 else 1.0
    return Counted(min(n, COUNT_CAP), n > COUNT_CAP, density, page)


def matches_sql(
    qs: QuerySet, spec: SearchIndexSpec, terms: Sequence[str], *, filters: SearchFilters, walk: bool = False
) -> MatchesSQL:
    """The rows passing `filters` (those of `qs`) that match every term, in the search's own SQL.

    For counting: on SQLite the text index drives the query (its FTS5 table is the outer loop of a CROSS
    JOIN, an order SQLite keeps as written), so that a LIMIT stops it early, and terms too short for the
    index are checked with LIKE; on PostgreSQL a LIKE on search_text for each term, which its trigram
    index serves. With `walk`, for a walk along the sort order: every term is checked row by row as the
    walk's queryset checks it (LIKE on each column on SQLite, strpos() on search_text on PostgreSQL), so
    that where a walk index holds every column the walk reads it alone."""
    model, connection = qs.model, connections[qs.db]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    conditions, params = filters.sql(model, connection)
    tables = table
    if connection.vendor == "postgresql":
        text = f"{table}.{qn(PG_TEXT_COLUMN)}"
        test = f"strpos({text}, lower(%s)) > 0" if walk else f"{text} LIKE lower(%s)"
        conditions += [test] * len(terms)
        params += [term if walk else _like_pattern(term) for term in terms]
        return MatchesSQL(model, tables, " AND ".join(conditions), params, qs.db)
    checked = terms
    if not walk:
        indexed = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
        checked = [t for t in terms if t not in indexed]
        fts = qn(spec.fts_table)
        tables = f"{fts} CROSS JOIN {table}"
        conditions += [f"{fts} MATCH %s", f"{table}.{qn(model._meta.pk.column)} = {fts}.rowid"]
        params.append(_fts_match(indexed))
    for term in checked:
        checks = _term_checks(spec, term, model)
        likes = [f"{table}.{qn(column)} LIKE %s ESCAPE '\\'" for column, _spelling in checks]
        conditions.append(f"({' OR '.join(likes) or '1 = 0'})")
        params += [_like_pattern(spelling) for _column, spelling in checks]
    return MatchesSQL(model, tables, " AND ".join(conditions), params, qs.db)


@dataclass(frozen=True)
class TextPlan:
    count: int | None  # None: not counted (terms too short for the index); the first page tells
    capped: bool
    rows: QuerySet  # the rows to page through
    walk_sort_index: bool  # page by walking the sort index; False: collect the matches, then sort them
    # Try first: walk the sort index checking these rows, but only for BOUNDED_WALK_ROWS rows; when that
    # does not fill the page, `rows` are paged as planned.
    bounded_walk: QuerySet | None = None
    page: KeysetPage | None = None  # the page itself, when counting found it
    ids_first: bool = False  # walk for ids alone (an index covers the walk: see keyset.fetch_page's ids)


def text_search(
    qs: QuerySet,
    spec: SearchIndexSpec,
    terms: Sequence[str],
    *,
    filters: SearchFilters,
    sort_fields: Sequence[str] = (),
    wanted: PageWanted | None = None,
) -> TextPlan:
    """How to count and page the rows of `qs` matching every term. `filters` are those that `qs` applies
    (filters.apply()): the counting queries word them in SQL, and they tell whether a walk index covers
    them.

    `sort_fields` is the page's order. When it involves no searched column, matches are spread evenly
    along it, so for common terms walking the sort index meets a page of them soonest. When it does (names
    sorted by name), the matches may bunch up somewhere along the walk: a short walk is tried, and then
    the matches are collected through the text index and sorted, as for rare terms."""
    vendor = connections[qs.db].vendor
    if not terms or vendor not in ("sqlite", "postgresql"):
        qs = qs.filter(_contains_all(spec, terms, qs.model))
        return TextPlan(*count_capped(qs), qs, walk_sort_index=True)
    indexed = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    # Whether a walk checking each row should first find the page's ids in the walk index (ids_first).
    # PostgreSQL's planner reads the table too where the filters need it; SQLite's walk only pays off
    # where the index holds every column the filters read.
    if vendor == "postgresql":
        covered = tuple(sort_fields) in spec.walk_orders
    else:
        covered = _sqlite_walk_covered(spec, sort_fields, filters)
    if not indexed:  # no index can find or count these: check rows along the sort order
        if vendor == "postgresql":  # one strpos() on the search text costs less than an ILIKE per column
            walk = _pg_contains_all(qs, spec, terms, indexed=False)
        else:
            walk = qs.filter(_contains_all(spec, terms, qs.model))
        return TextPlan(None, False, walk, walk_sort_index=True, ids_first=covered)
    uncorrelated = not set(sort_fields) & set(spec.columns)
    page_size = wanted.size if wanted else PAGE_SIZE
    if vendor == "postgresql":
        return _pg_plan(qs, spec, terms, wanted, filters, uncorrelated=uncorrelated, covered=covered)
    return _sqlite_plan(
        qs, spec, terms, filters, page_size=page_size, uncorrelated=uncorrelated, walk_covered=covered
    )


def _worth_a_bounded_walk(density: float, page_size: int) -> bool:
    """Whether BOUNDED_WALK_ROWS rows should hold a page of matches twice over, were they spread evenly."""
    return density * BOUNDED_WALK_ROWS >= 2 * (page_size + 1)


def _pg_plan(
    qs: QuerySet,
    spec: SearchIndexSpec,
    terms: Sequence[str],
    wanted: PageWanted | None,
    filters: SearchFilters,
    *,
    uncorrelated: bool,
    covered: bool,
) -> TextPlan:
    """Rare terms: count the index's matches, and sort them for the page in the same query. Common
    terms: walk the sort index checking each row (the trigram index cannot test one row cheaply); for an
    order by a searched column, only a bounded walk before collecting the matches and sorting them."""
    matches = _pg_contains_all(qs, spec, terms, indexed=True)
    # Counting a very common term means reading every match from the index (a bitmap of tens of
    # thousands of rows); the planner's estimate, from the expression index's statistics, spots them.
    estimate = _pg_estimated_rows(matches)
    if estimate >= PG_COMMON_ESTIMATE:
        count, capped = COUNT_CAP, True
    else:
        counting = matches_sql(qs, spec, terms, filters=filters)
        if uncorrelated:  # a capped count is followed by a cheap walk: count no further than the cap
            counted = _count(counting, wanted if estimate < PG_FEW_ESTIMATE else None)
        else:
            counted = _count(counting, wanted, collect=PG_COLLECT_LIMIT)
        count, capped = counted.count, counted.capped
        if not capped or counted.page is not None:
            return TextPlan(count, capped, matches, walk_sort_index=False, page=counted.page)
    walk = _pg_contains_all(qs, spec, terms, indexed=False)
    if uncorrelated:
        return TextPlan(count, capped, walk, walk_sort_index=True, ids_first=covered)
    # No density estimate here: the heap returns matches in no particular id order.
    return TextPlan(count, capped, matches, walk_sort_index=False, bounded_walk=walk)


def _sqlite_plan(
    qs: QuerySet,
    spec: SearchIndexSpec,
    terms: Sequence[str],
    filters: SearchFilters,
    *,
    page_size: int,
    uncorrelated: bool,
    walk_covered: bool,
) -> TextPlan:
    """Rare terms: collect the index's matches and sort them. Common terms, order unrelated to the text:
    walk the sort index, checking each row's text where matches are dense, else looking each row's id up
    in the set of the index's matches (reading the sort index alone). Common terms, order by a searched
    column: a bounded walk if the matches are dense enough to fill a page in it, then collect."""
    indexed = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    short = _contains_all(spec, [t for t in terms if t not in indexed], qs.model)
    counted = _count(matches_sql(qs, spec, terms, filters=filters))
    count, capped, density = counted.count, counted.capped, counted.density
    collect = _fts_rowids(qs, spec, indexed).filter(short)
    if not capped:
        return TextPlan(count, capped, collect, walk_sort_index=False)
    check_each_row = qs.filter(_contains_all(spec, terms, qs.model))
    # The index folds case for every letter; a row-by-row LIKE only when case_variants() can spell it.
    like_folds = all(case_variants(term) is not None for term in indexed)
    if not uncorrelated:
        worth_it = like_folds and _worth_a_bounded_walk(density, page_size)
        return TextPlan(
            count, capped, collect, walk_sort_index=False, bounded_walk=check_each_row if worth_it else None
        )
    if like_folds and density >= (SQLITE_WALK_DENSE if walk_covered else SQLITE_DENSE):
        return TextPlan(count, capped, check_each_row, walk_sort_index=True, ids_first=walk_covered)
    return TextPlan(count, capped, _fts_members(qs, spec, indexed).filter(short), walk_sort_index=True)


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
    # Rows as named tuples of `pk` and list_fields instead of model instances, for a page whose rows need
    # no model methods, which are cheaper to make. (PostgreSQL's counting query, which fetches a page
    # of rare matches with the count, still gives model instances: the same attributes.)
    plain_rows: bool = False

    def listed(self, qs: QuerySet) -> QuerySet:
        """`qs` reading what a result row shows."""
        if self.plain_rows:
            return qs.values_list("pk", *self.list_fields, named=True)
        return qs.only(*self.list_fields)


def search_page(
    qs: QuerySet,
    spec: SearchSpec,
    *,
    filters: SearchFilters,
    query: str = "",
    sort: str | None = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """One page of the rows of `qs` that match `query`, with the count. `qs` is the mirror's rows with
    `filters` applied (filters.apply()), which the search needs to know of (see text_search)."""
    sort_key, bad_sort = sort_key_or_default(sort, spec.sorts, spec.default_sort)
    sort_fields = spec.sorts[sort_key.lstrip("-")].fields
    request = page_request(qs.model, sorts=spec.sorts, sort_key=sort_key, after=after, before=before)
    wanted = PageWanted(request, page_size, spec.list_fields)
    terms = query_terms(query)
    plan = text_search(qs, spec.index, terms, filters=filters, sort_fields=sort_fields, wanted=wanted)
    count, capped = plan.count, plan.capped
    page = plan.page
    if page is None and count == 0:  # nothing matches (a word being typed): no page to look for
        page = KeysetPage(rows=[], next_cursor=None, prev_cursor=None, bad_cursor=request.bad_cursor)
    if page is None and plan.bounded_walk is not None:
        # Rows of the whole order, filters aside: finding the boundary then reads the sort index alone
        # (filtered, SQLite would sort every row the filters let through, e.g. 250k upcoming meetings).
        boundary = walk_boundary(qs.model._default_manager.all(), request, BOUNDED_WALK_ROWS)
        page = fetch_page(spec.listed(plan.bounded_walk), request, page_size=page_size, boundary=boundary)
    if page is None:
        rows, ids = spec.listed(plan.rows), None
        if plan.ids_first:  # plan.rows are `qs` with every term checked row by row
            ids = matches_sql(qs, spec.index, terms, filters=filters, walk=True).page_ids(
                request, page_size + 1
            )
        page = fetch_page(rows, request, page_size=page_size, use_sort_index=plan.walk_sort_index, ids=ids)
    assert page is not None  # only a bounded walk comes back without a page
    if count is None and not (page.next_cursor or page.prev_cursor):
        count = len(page.rows)  # everything fits on this page
    ignored = [BAD_SORT] * bad_sort + [BAD_CURSOR] * page.bad_cursor
    return SearchPage(page.rows, count, capped, sort_key, page.next_cursor, page.prev_cursor, ignored)
