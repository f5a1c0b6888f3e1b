"""The search algorithm shared by both backends: validation, filters, paging, similarity.

A backend says how to match and rank text (:meth:`SearchBackend.text_match`), how to cut
snippets (:meth:`SearchBackend.snippets`) and how to gather a text query's hits with their
facet counts (:meth:`SearchBackend.gather_text`). Everything is SQL with ``%s`` parameters,
never user text pasted into SQL. Per query:

- no text: facet counts straight from the narrow ``exchange_searchentry`` table (the
  unfiltered set's counts cached per index generation, see :mod:`.facets`) and the page from
  an index-ordered scan;
- text: the backend gathers matches once, counts facets over them and cuts the page.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection

from metroscope.web.exchange.models import CaseStudy, SearchEntry
from metroscope.web.exchange.search import (
    FACETS,
    MAX_PER_PAGE,
    SORTS,
    CaseHit,
    CaseQuery,
    CaseResults,
    QueryError,
)
from metroscope.web.exchange.search.facets import (
    MULTI_FACETS,
    SCALAR_FACETS,
    Counts,
    cached,
    run_facets,
    tally,
)
from metroscope.web.exchange.search.query import ParsedQuery, Term, parse

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
ENTRY = SearchEntry._meta.db_table
# sort_year is 0 when the start year is unknown: last for "newest" and, by the first key, for "oldest"
ORDERS: dict[str, str] = {
    "relevance": "rank DESC, e.title_sort, e.case_id",
    "newest": "e.sort_year DESC, e.title_sort, e.case_id",
    "oldest": "e.sort_year = 0, e.sort_year, e.title_sort, e.case_id",
    "title": "e.title_sort, e.case_id",
}
_DECADE = re.compile(r"^\d{3}0s$")
EXACT_SIMILAR_CASES = 5_000  # above this many published cases, similarity scores a pool
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "de",
        "del",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "la",
        "le",
        "les",
        "el",
        "los",
        "das",
        "des",
        "du",
    ]
)


@dataclass
class TextMatch:
    """SQL fragments restricting the search entries ``e`` to those matching the text."""

    from_sql: str
    from_params: list[object] = field(default_factory=list)
    where_sql: str = ""
    where_params: list[object] = field(default_factory=list)
    rank_sql: str = "0"


def _normalise_values(name: str, values: list[str]) -> list[str]:
    cleaned = [str(v).strip() for v in values if str(v).strip()]
    if name == "sdg":
        for value in cleaned:
            if not value.isdigit() or not 1 <= int(value) <= 17:
                raise QueryError("sdg", f"{value!r} is not an SDG; accepted: whole numbers 1 to 17")
        return [str(int(v)) for v in cleaned]
    if name == "decade":
        for value in cleaned:
            if not _DECADE.match(value):
                raise QueryError("decade", f"{value!r} is not a decade; accepted: e.g. 2010s")
    if name == "country":
        return [v.upper() for v in cleaned]
    return cleaned


def validate(query: CaseQuery) -> CaseQuery:
    """Check every parameter; returns a normalised copy or raises :class:`QueryError`."""
    filters: dict[str, list[str]] = {}
    for name, values in (query.filters or {}).items():
        if name not in FACETS:
            raise QueryError(name, f"unknown filter; accepted: {', '.join(FACETS)}")
        if isinstance(values, str):
            values = [values]
        cleaned = _normalise_values(name, list(values))
        if cleaned:
            filters[name] = cleaned
    if query.sort not in SORTS:
        raise QueryError(
            "sort", f"{query.sort!r} is not a sort order; accepted: {', '.join(SORTS)}"
        )
    if not isinstance(query.page, int) or query.page < 1:
        raise QueryError("page", f"{query.page!r} is not a page number; accepted: 1 or more")
    if not isinstance(query.per_page, int) or not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryError(
            "per_page", f"{query.per_page!r} is out of range; accepted: 1 to {MAX_PER_PAGE}"
        )
    bbox = query.bbox
    if bbox is not None:
        if len(bbox) != 4 or not all(isinstance(v, int | float) and math.isfinite(v) for v in bbox):
            raise QueryError("bbox", "expected four numbers west,south,east,north [deg]")
        west, south, east, north = (float(v) for v in bbox)
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise QueryError(
                "bbox",
                "accepted: west,south,east,north with longitudes in [-180, 180], "
                "latitudes in [-90, 90] and south <= north",
            )
        bbox = (west, south, east, north)
    return replace(query, filters=filters, bbox=bbox, q=(query.q or "")[:500])


def filter_clauses(query: CaseQuery) -> tuple[list[str], list[object]]:
    """WHERE clauses (on alias ``e``) for the facet filters and the bounding box."""
    clauses: list[str] = []
    params: list[object] = []
    for name, values in query.filters.items():
        marks = ", ".join(["%s"] * len(values))
        if name in MULTI_FACETS:
            table, case_col, value_col = MULTI_FACETS[name]
            typed: list[object] = [int(v) for v in values] if name == "sdg" else list(values)
            clauses.append(
                f"e.case_id IN (SELECT {case_col} FROM {table} WHERE {value_col} IN ({marks}))"
            )
            params += typed
        else:
            clauses.append(f"e.{SCALAR_FACETS[name]} IN ({marks})")
            params += values
    if query.bbox is not None:
        west, south, east, north = query.bbox
        clauses.append("e.lat BETWEEN %s AND %s")
        params += [south, north]
        if west <= east:
            clauses.append("e.lon BETWEEN %s AND %s")
            params += [west, east]
        else:  # the box crosses the antimeridian
            clauses.append("(e.lon >= %s OR e.lon <= %s)")
            params += [west, east]
    return clauses, params


def mark_up(raw: str) -> str:
    """HTML-escape ``raw`` then turn the sentinel characters into ``<mark>`` tags."""
    return html.escape(raw).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def plain_snippet(text: str, length: int = 240) -> str:
    """The start of ``text``, cut at a word boundary, HTML-escaped."""
    text = " ".join(text.split())
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + " …"
    return html.escape(text)


class SearchBackend:
    """Search over the ``SearchEntry`` table; subclasses provide the full-text parts."""

    vendor = ""
    facet_join = "JOIN"  # how facet counts join topics/SDGs (see facets.facet_sql)

    # -- to be provided by each backend -------------------------------------------------
    def text_match(self, parsed: ParsedQuery) -> TextMatch:
        raise NotImplementedError

    def snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
        raise NotImplementedError

    def gather_text(
        self, text: TextMatch, where: str, params: list[object], order: str, limit: int, offset: int
    ) -> tuple[Counts, list[tuple[int, float]]]:
        """Facet counts and one page of a text query.

        Default: one statement for the counts (a materialised CTE of the hits, then the
        grouped counts glued with UNION ALL) and one for the page.
        """
        columns = ", ".join(["e.case_id", *(f"e.{c}" for c in SCALAR_FACETS.values())])
        scalar_columns = ", ".join(SCALAR_FACETS.values())
        pads = ", ".join(["''"] * (len(SCALAR_FACETS) - 1))
        arms = [
            f"SELECT '' AS facet, {scalar_columns}, COUNT(*) AS n FROM hits GROUP BY {scalar_columns}"
        ]
        for name, (table, case_col, value_col) in MULTI_FACETS.items():
            arms.append(
                f"SELECT '{name}', CAST(j.{value_col} AS TEXT), {pads}, COUNT(*) FROM hits "
                f"JOIN {table} j ON j.{case_col} = hits.case_id GROUP BY j.{value_col}"
            )
        hits_sql = f"SELECT {columns} FROM {text.from_sql} WHERE {where}"
        sql = f"WITH hits AS MATERIALIZED ({hits_sql})\n" + "\nUNION ALL ".join(arms)
        combos: list[tuple[object, ...]] = []
        grouped: dict[str, list[tuple[object, int]]] = {name: [] for name in MULTI_FACETS}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for facet, *row in cursor.fetchall():
                if facet == "":
                    combos.append(tuple(row))
                else:
                    grouped[facet].append((row[0], row[-1]))
            counts = tally(combos, grouped)
            page: list[tuple[int, float]] = []
            if counts[0]:
                cursor.execute(
                    f"SELECT e.case_id, {text.rank_sql} AS rank FROM {text.from_sql} WHERE {where} "
                    f"ORDER BY {order} LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
                page = [(int(pk), float(rank or 0.0)) for pk, rank in cursor.fetchall()]
        return counts, page

    # -- the shared algorithm -----------------------------------------------------------
    def search(self, query: CaseQuery) -> CaseResults:
        query = validate(query)
        parsed = parse(query.q)
        results = self._run(query, parsed)
        if results.count == 0 and not parsed.explicit and len(parsed.groups) > 1:
            results = self._run(query, parsed.relaxed())
            results.relaxed = True
        return results

    def _base(self, query: CaseQuery, parsed: ParsedQuery) -> tuple[TextMatch, str, list[object]]:
        text = self.text_match(parsed) if not parsed.empty else TextMatch(from_sql=f"{ENTRY} e")
        clauses, params = filter_clauses(query)
        where = ["e.published = %s"] + ([text.where_sql] if text.where_sql else []) + clauses
        all_params = [*text.from_params, True, *text.where_params, *params]
        return text, " AND ".join(where), all_params

    def _run(self, query: CaseQuery, parsed: ParsedQuery) -> CaseResults:
        text, where, params = self._base(query, parsed)
        sort = query.sort if (query.sort != "relevance" or not parsed.empty) else "newest"
        limit, offset = query.per_page, (query.page - 1) * query.per_page
        if parsed.empty:
            if not query.filters and query.bbox is None:
                count, facets = cached(
                    lambda: run_facets(f"{ENTRY} e", where, params, self.facet_join)
                )
            else:
                count, facets = run_facets(f"{ENTRY} e", where, params, self.facet_join)
            hits: list[tuple[int, float]] = []
            if count:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT e.case_id, 0 AS rank FROM {ENTRY} e WHERE {where} "
                        f"ORDER BY {ORDERS[sort]} LIMIT %s OFFSET %s",
                        [*params, limit, offset],
                    )
                    hits = [(int(pk), 0.0) for pk, _ in cursor.fetchall()]
        else:
            (count, facets), hits = self.gather_text(
                text, where, params, ORDERS[sort], limit, offset
            )
        ids = [pk for pk, _ in hits]
        cases = self.load(ids)
        snippets = self.snippets(parsed, ids) if ids and not parsed.empty else {}
        return CaseResults(
            count=count,
            hits=[
                CaseHit(
                    case=cases[pk],
                    score=score,
                    snippet=snippets.get(pk) or plain_snippet(cases[pk].summary),
                )
                for pk, score in hits
                if pk in cases
            ],
            facets=facets,
        )

    def ids(self, query: CaseQuery, limit: int = 200_000) -> list[int]:
        """Ids of every matching case in ``query.sort`` order (no paging; for feeds)."""
        query = validate(query)
        parsed = parse(query.q)
        found = self._ids(query, parsed, limit)
        if not found and not parsed.explicit and len(parsed.groups) > 1:
            found = self._ids(query, parsed.relaxed(), limit)
        return found

    def _ids(self, query: CaseQuery, parsed: ParsedQuery, limit: int) -> list[int]:
        text, where, params = self._base(query, parsed)
        sort = query.sort if (query.sort != "relevance" or not parsed.empty) else "newest"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.case_id, {text.rank_sql} AS rank FROM {text.from_sql} WHERE {where} "
                f"ORDER BY {ORDERS[sort]} LIMIT %s",
                [*params, limit],
            )
            return [int(row[0]) for row in cursor.fetchall()]

    @staticmethod
    def load(ids: list[int]) -> dict[int, CaseStudy]:
        """Cases by id with what result lists show (city, metro, topics, SDGs).

        The long text sections are deferred (loaded on first access): result cards do not
        show them, and skipping them halves the time to build a page of hits.
        """
        queryset = (
            CaseStudy.objects.filter(pk__in=ids)
            .select_related("city__metro_area", "metro_area")
            .prefetch_related("topics", "sdgs")
            .defer("challenge", "solution", "results", "lessons", "stakeholders")
        )
        return {case.pk: case for case in queryset}

    # -- similar cases ------------------------------------------------------------------
    def similar(
        self,
        case: CaseStudy,
        limit: int = 5,
        topic_weight: float = 2.0,
        sdg_weight: float = 1.0,
        text_weight: float = 3.0,
    ) -> list[CaseStudy]:
        """Rank published cases by shared topics, shared SDGs and title text.

        Up to :data:`EXACT_SIMILAR_CASES` published cases every case sharing a tag is scored;
        beyond, only a candidate pool is (the best text matches and the newest cases of the
        same metro area), so a case page stays fast at 100,000 cases.
        """
        scores: dict[int, float] = {}
        with connection.cursor() as cursor:
            for pk, rank in self._text_neighbours(case, cursor):
                scores[pk] = scores.get(pk, 0.0) + text_weight * rank
            pool: list[int] | None = None
            cursor.execute(f"SELECT COUNT(*) FROM {ENTRY} WHERE published = %s", [True])
            if int(cursor.fetchone()[0]) > EXACT_SIMILAR_CASES:
                cursor.execute(
                    f"SELECT case_id FROM {ENTRY} e WHERE published = %s AND metro = "
                    f"(SELECT metro FROM {ENTRY} WHERE case_id = %s) AND metro <> '' "
                    f"ORDER BY {ORDERS['newest']} LIMIT 200",
                    [True, case.pk],
                )
                pool = sorted(set(scores) | {int(row[0]) for row in cursor.fetchall()})
            for pk, shared in self._tag_neighbours(case, cursor, topic_weight, sdg_weight, pool):
                scores[pk] = scores.get(pk, 0.0) + shared
        scores.pop(case.pk, None)
        best = sorted(scores, key=lambda pk: (-scores[pk], pk))[:limit]
        cases = self.load(best)
        return [cases[pk] for pk in best if pk in cases]

    def _text_neighbours(self, case: CaseStudy, cursor: Any) -> list[tuple[int, float]]:
        """Up to 200 published cases matching any title word, rank scaled to the best (1.0)."""
        words = [w for w in parse(case.title).words() if w not in _STOPWORDS and len(w) > 2]
        if not words:
            return []
        parsed = ParsedQuery(groups=[[Term(tokens=(w,)) for w in dict.fromkeys(words[:12])]])
        text = self.text_match(parsed)
        cursor.execute(
            f"SELECT e.case_id, {text.rank_sql} AS rank FROM {text.from_sql} "
            f"WHERE e.published = %s AND {text.where_sql} AND e.case_id <> %s "
            f"ORDER BY rank DESC LIMIT 200",
            [*text.from_params, True, *text.where_params, case.pk],
        )
        ranked = [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]
        top = max((rank for _, rank in ranked), default=0.0)
        return [(pk, rank / top) for pk, rank in ranked] if top > 0 else []

    @staticmethod
    def _tag_neighbours(
        case: CaseStudy, cursor: Any, topic_weight: float, sdg_weight: float, pool: list[int] | None
    ) -> list[tuple[int, float]]:
        """Published cases sharing topics/SDGs with ``case``, weighted (within ``pool``)."""
        topic_table, topic_case, topic_col = MULTI_FACETS["topic"]
        sdg_table, sdg_case, sdg_col = MULTI_FACETS["sdg"]
        restrict, extra = "", []
        if pool is not None:
            if not pool:
                return []
            restrict = f" AND s.c IN ({', '.join(['%s'] * len(pool))})"
            extra = list(pool)
        cursor.execute(
            f"SELECT c, SUM(w) FROM ("
            f"SELECT {topic_case} AS c, %s AS w FROM {topic_table} WHERE {topic_col} IN "
            f"(SELECT {topic_col} FROM {topic_table} WHERE {topic_case} = %s) "
            f"UNION ALL SELECT {sdg_case}, %s FROM {sdg_table} WHERE {sdg_col} IN "
            f"(SELECT {sdg_col} FROM {sdg_table} WHERE {sdg_case} = %s)"
            f") s JOIN {ENTRY} e ON e.case_id = s.c WHERE e.published = %s AND s.c <> %s{restrict} "
            f"GROUP BY c ORDER BY SUM(w) DESC LIMIT 200",
            [topic_weight, case.pk, sdg_weight, case.pk, True, case.pk, *extra],
        )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
