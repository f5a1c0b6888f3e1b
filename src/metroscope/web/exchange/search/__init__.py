"""Faceted full-text search over published case studies, one interface for both databases.

``search_cases(CaseQuery(...))`` answers a query with ranked hits, HTML-safe snippets and
facet counts over the filtered result set; ``similar_cases(case)`` ranks related cases by
shared topics, shared SDGs and text similarity. The backend (SQLite FTS5 or PostgreSQL
full-text) is picked from the database vendor; see :data:`BACKENDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metroscope.web.exchange.models import CaseStudy

FACETS: tuple[str, ...] = (
    "topic",
    "sdg",
    "country",
    "region",
    "metro",
    "scale",
    "status",
    "decade",
)
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest", "title")
MAX_PER_PAGE = 100


class QueryError(ValueError):
    """A query parameter has a value the search cannot use; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass
class CaseQuery:
    """What to search for.

    ``filters`` maps a facet name (see :data:`FACETS`) to accepted values: values within a
    facet are OR-ed, facets are AND-ed. ``bbox`` is ``(west, south, east, north)`` [deg].
    """

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    bbox: tuple[float, float, float, float] | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass
class CaseHit:
    """One ranked result; ``snippet`` is HTML-safe with matches wrapped in ``<mark>``."""

    case: CaseStudy
    score: float
    snippet: str


@dataclass
class CaseResults:
    """A page of hits, the total ``count`` and facet counts over the filtered result set.

    ``relaxed`` is true when no case held every word and the words were OR-ed instead.
    """

    count: int
    hits: list[CaseHit]
    facets: dict[str, dict[str, int]]
    relaxed: bool = False


def search_cases(query: CaseQuery) -> CaseResults:
    """Search published cases; raises :class:`QueryError` naming a bad parameter."""
    from metroscope.web.exchange.search.backends import backend

    return backend().search(query)


def search_ids(query: CaseQuery) -> list[int]:
    """Ids of every published case matching ``query`` (paging ignored), in sort order."""
    from metroscope.web.exchange.search.backends import backend

    return backend().ids(query)


def similar_cases(case: CaseStudy, limit: int = 5) -> list[CaseStudy]:
    """Published cases most like ``case``: shared topics and SDGs plus text similarity."""
    from metroscope.web.exchange.search.backends import backend

    return backend().similar(case, limit)


__all__ = [
    "FACETS",
    "MAX_PER_PAGE",
    "SORTS",
    "CaseHit",
    "CaseQuery",
    "CaseResults",
    "QueryError",
    "search_cases",
    "search_ids",
    "similar_cases",
]
