"""The results page (query, live facets, map area, sort, pages) and the case page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from metroscope.web.exchange.search import (
    FACETS,
    SORTS,
    CaseQuery,
    CaseResults,
    QueryError,
    search_cases,
    similar_cases,
)
from metroscope.web.exchange.search.query import parse
from metroscope.web.exchange.views.common import published_cases
from metroscope.web.exchange.views.compare import compare_url_adding
from metroscope.web.exchange.views.facets import active_filters, facet_views

PER_PAGE = 20
GEOJSON_URL = "/api/cases.geojson"  # the API (mounted at /api/) takes the same filters
MAX_QUERY_CHARS = 500
SORT_LABELS: dict[str, str] = {
    "relevance": "Best match",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title A–Z",
}


@dataclass
class ParsedRequest:
    """The search a results page asks for, and what in its address could not be used."""

    query: CaseQuery
    problems: list[str] = field(default_factory=list)


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """``"west,south,east,north"`` [deg] → tuple; raises ValueError with a readable reason."""
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValueError("the map area needs four numbers: west,south,east,north")
    west, south, east, north = (float(p) for p in parts)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("the map area must be finite numbers")
    if not (-90 <= south < north <= 90):
        raise ValueError("the map area's south must be below its north, within -90..90")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError("the map area's west and east must lie within -180..180")
    return west, south, east, north


def parse_request(params: QueryDict) -> ParsedRequest:
    """Read q, facet filters, bbox, sort and page from the address; never raises."""
    problems: list[str] = []
    q = params.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        problems.append(f"Your query was cut to its first {MAX_QUERY_CHARS} characters.")
        q = q[:MAX_QUERY_CHARS]
    filters = {name: [v for v in params.getlist(name) if v.strip()] for name in FACETS}
    filters = {name: values for name, values in filters.items() if values}
    bbox = None
    if params.get("bbox"):
        try:
            bbox = _parse_bbox(params["bbox"])
        except ValueError as error:
            problems.append(f"The map area was ignored: {error}.")
    sort = params.get("sort") or ("relevance" if q else "newest")
    if sort not in SORTS:
        problems.append(f"Unknown sort “{sort}” ignored; use one of {', '.join(SORTS)}.")
        sort = "relevance" if q else "newest"
    page = 1
    if params.get("page"):
        try:
            page = max(1, int(params["page"]))
        except ValueError:
            problems.append("The page number was not a whole number; showing page 1.")
    return ParsedRequest(
        CaseQuery(q=q, filters=filters, bbox=bbox, sort=sort, page=page, per_page=PER_PAGE),
        problems,
    )


def _without_param(query: CaseQuery, param: str) -> CaseQuery:
    """``query`` with the parameter a :class:`QueryError` named removed."""
    if param in query.filters:
        return replace(query, filters={k: v for k, v in query.filters.items() if k != param})
    defaults = {"q": "", "bbox": None, "sort": "newest", "page": 1, "per_page": PER_PAGE}
    if param in defaults:
        return replace(query, **{param: defaults[param]})
    return replace(query, filters={})


def run_search(parsed: ParsedRequest) -> tuple[CaseQuery, CaseResults]:
    """Search, dropping any parameter the search rejects (and saying so) instead of failing."""
    query = parsed.query
    for _attempt in range(len(FACETS) + 4):
        try:
            return query, search_cases(query)
        except QueryError as error:
            parsed.problems.append(f"“{error.param}” was ignored: {error.message.rstrip('.')}.")
            query = _without_param(query, error.param)
    return query, search_cases(CaseQuery(sort="newest", per_page=PER_PAGE))


def _page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers to link, with ``None`` for an ellipsis: 1 … 4 5 [6] 7 8 … 20."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    links: list[int | None] = []
    for prev, n in zip([0, *numbers], numbers, strict=False):
        if n - prev > 1:
            links.append(None)
        links.append(n)
    return links


def sort_choices(query: CaseQuery, explicit: bool) -> list[tuple[str, str, bool]]:
    """Options of the sort menu as ``(value, label, selected)``.

    The default order (best match with a query, newest without) has the empty value, so a
    new query typed on a page sorted by default is ranked by relevance, not by the old order.
    """
    default = "relevance" if query.q else "newest"
    choices = [("", SORT_LABELS[default], not explicit or query.sort == default)]
    for key in SORTS:
        if key == default or (key == "relevance" and not query.q):
            continue
        choices.append((key, SORT_LABELS[key], explicit and query.sort == key))
    return choices


def _api_params(query: CaseQuery, raw_bbox: str) -> QueryDict:
    """The GeoJSON feed's parameters for the search actually run (rejected ones left out)."""
    params = QueryDict(mutable=True)
    if query.q:
        params["q"] = query.q
    for name, values in query.filters.items():
        params.setlist(name, values)
    if query.bbox:
        params["bbox"] = raw_bbox
    return params


def case_list(request: HttpRequest) -> HttpResponse:
    """Results page; htmx requests get only the region that changes (facets, hits, pages)."""
    parsed = parse_request(request.GET)
    query, results = run_search(parsed)
    q_dissolved = bool(query.q) and parse(query.q).empty
    pages = max(1, math.ceil(results.count / query.per_page))
    facets = facet_views(results.facets, query.filters)
    api_params = _api_params(query, request.GET.get("bbox", ""))
    context = {
        "query": query,
        "results": results,
        "hits": results.hits,
        "facets": facets,
        "active": active_filters(request.GET, facets, request.path),
        "problems": parsed.problems,
        "q_dissolved": q_dissolved,
        "page": query.page,
        "pages": pages,
        "page_links": _page_links(query.page, pages),
        "first_index": (query.page - 1) * query.per_page + 1,
        "last_index": (query.page - 1) * query.per_page + len(results.hits),
        "sort_choices": sort_choices(query, explicit=bool(request.GET.get("sort"))),
        "params": request.GET,
        "bbox_value": request.GET.get("bbox", "") if query.bbox else "",
        "geojson_url": GEOJSON_URL + ("?" + api_params.urlencode() if api_params else ""),
    }
    htmx = request.headers.get("HX-Request") == "true"
    restoring = request.headers.get("HX-History-Restore-Request") == "true"
    template = "exchange/_results.html" if htmx and not restoring else "exchange/cases.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


SECTIONS: tuple[tuple[str, str], ...] = (
    ("challenge", "The challenge"),
    ("solution", "What was done"),
    ("results", "Results"),
    ("lessons", "Lessons learned"),
)


def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One case: its sections with linked citations, outcomes, sources, map and neighbours."""
    case = get_object_or_404(published_cases(), slug=slug)
    sources = list(case.sources.order_by("position", "id"))
    number_of = {source.pk: i for i, source in enumerate(sources, start=1)}
    outcomes = [
        (outcome, number_of.get(outcome.source_id))
        for outcome in case.outcomes.order_by("position", "id")
    ]
    sections = [(key, title, getattr(case, key)) for key, title in SECTIONS if getattr(case, key)]
    lat, lon = case.point
    context = {
        "case": case,
        "sources": sources,
        "sources_count": len(sources),
        "outcomes": outcomes,
        "sections": sections,
        "targets": list(case.sdg_targets.select_related("goal").order_by("goal_id", "position")),
        "similar": similar_cases(case, limit=5),
        "metro": case.effective_metro,
        "lat": lat,
        "lon": lon,
        "compare_url": compare_url_adding(request, case.slug),
        "in_compare": case.slug in request.session.get("compare", []),
    }
    return render(request, "exchange/case.html", context)
