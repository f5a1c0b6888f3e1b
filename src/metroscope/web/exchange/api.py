"""The public read-only JSON API (django-ninja), mounted at /api/; OpenAPI UI at /api/docs.

Every list endpoint takes the same search parameters: ``q``, each facet name as a repeatable
filter (``?topic=energy&topic=mobility&sdg=7``: OR within a facet, AND across facets),
``bbox=west,south,east,north`` [deg] and ``sort``. A bad value answers 422 with the
parameter's name in ``detail[].loc``; a malformed text query is sanitised, never an error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from metroscope import __version__
from metroscope.web.exchange.exporter import case_record, export_cases, export_queryset
from metroscope.web.exchange.formats import write_geojson
from metroscope.web.exchange.models import CaseStudy, City, MetroArea, ReviewStatus, SdgGoal
from metroscope.web.exchange.search import (
    FACETS,
    MAX_PER_PAGE,
    SORTS,
    CaseQuery,
    QueryError,
    search_cases,
    search_ids,
)
from metroscope.web.exchange.search.base import SearchBackend

api = NinjaAPI(
    title="Metroscope exchange API",
    version=__version__,
    description=(
        "Read-only access to the case studies of the Metroscope exchange: faceted full-text "
        "search, full records with outcomes and sources, GeoJSON and CSV feeds, places and SDGs. "
        'Public, CORS-enabled. Text query syntax: words (all must match), "phrases", prefix*, '
        "a OR b, -excluded."
    ),
    urls_namespace="api",
)


class SearchParams(Schema):
    """Search parameters shared by /cases, /cases.geojson and /cases.csv."""

    q: str = Field(
        "",
        description='Text query: words, "phrases", prefix*, OR, -exclude (first 500 characters).',
    )
    topic: list[str] = Field(default_factory=list, description="Topic slug(s), e.g. energy.")
    sdg: list[str] = Field(default_factory=list, description="SDG number(s), 1 to 17.")
    country: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 code(s).")
    region: list[str] = Field(default_factory=list, description="UN M49 sub-region(s).")
    metro: list[str] = Field(default_factory=list, description="Metro area slug(s).")
    scale: list[str] = Field(default_factory=list, description="neighbourhood, municipal, …")
    status: list[str] = Field(
        default_factory=list, description="planned, ongoing, completed, discontinued."
    )
    decade: list[str] = Field(
        default_factory=list, description="Decade of the start year, e.g. 2010s."
    )
    bbox: str | None = Field(None, description="west,south,east,north [deg], e.g. -10,35,30,60.")
    sort: str = Field("relevance", description=f"One of {', '.join(SORTS)}.")


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    per_page: int = Field(
        20, ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}."
    )


class CaseItem(Schema):
    slug: str
    title: str
    city: str
    city_slug: str
    country: str
    metro: str | None
    metro_name: str | None
    scale: str
    status: str
    start_year: int | None
    end_year: int | None
    topics: list[str]
    sdgs: list[int]
    summary: str
    snippet: str = Field(description="HTML-safe; matches wrapped in <mark>.")
    score: float
    lat: float
    lon: float
    url: str


class CaseList(Schema):
    count: int
    page: int
    per_page: int
    relaxed: bool = Field(
        description="True when no case held every word and any word was accepted."
    )
    items: list[CaseItem]
    facets: dict[str, dict[str, int]]


class ErrorDetail(Schema):
    loc: list[str]
    msg: str


class ErrorOut(Schema):
    detail: list[ErrorDetail]


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None or raw.strip() == "":
        return None
    parts = raw.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise QueryError(
            "bbox", f"{raw!r} is not four numbers west,south,east,north [deg]"
        ) from None
    if len(values) != 4:
        raise QueryError(
            "bbox", f"{raw!r} has {len(values)} numbers; expected west,south,east,north [deg]"
        )
    return values  # type: ignore[return-value]


def _query(params: SearchParams, page: int = 1, per_page: int = 20) -> CaseQuery:
    filters = {name: getattr(params, name) for name in FACETS if getattr(params, name)}
    return CaseQuery(
        q=params.q,
        filters=filters,
        bbox=_bbox(params.bbox),
        sort=params.sort,
        page=page,
        per_page=per_page,
    )


def _item(case: CaseStudy, snippet: str, score: float) -> dict[str, Any]:
    metro = case.effective_metro
    lat, lon = case.point
    return {
        "slug": case.slug,
        "title": case.title,
        "city": case.city.name,
        "city_slug": case.city.slug,
        "country": case.city.country,
        "metro": metro.slug if metro else None,
        "metro_name": metro.name if metro else None,
        "scale": case.scale,
        "status": case.status,
        "start_year": case.start_year,
        "end_year": case.end_year,
        "topics": sorted(t.slug for t in case.topics.all()),
        "sdgs": sorted(g.number for g in case.sdgs.all()),
        "summary": case.summary,
        "snippet": snippet,
        "score": score,
        "lat": lat,
        "lon": lon,
        "url": case.get_absolute_url(),
    }


@api.exception_handler(QueryError)
def _query_error(request: HttpRequest, error: QueryError) -> HttpResponse:
    return api.create_response(
        request, {"detail": [{"loc": ["query", error.param], "msg": error.message}]}, status=422
    )


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    detail = [
        {
            "loc": [str(part) for part in item.get("loc", ()) if part not in {"params"}],
            "msg": item.get("msg", ""),
        }
        for item in error.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.get(
    "/cases", response={200: CaseList, 422: ErrorOut}, tags=["cases"], summary="Search case studies"
)
def list_cases(
    request: HttpRequest, params: Query[SearchParams], paging: Query[PageParams]
) -> dict[str, Any]:
    """Faceted full-text search; ``facets`` count values over the whole filtered result set."""
    results = search_cases(_query(params, paging.page, paging.per_page))
    return {
        "count": results.count,
        "page": paging.page,
        "per_page": paging.per_page,
        "relaxed": results.relaxed,
        "items": [_item(hit.case, hit.snippet, hit.score) for hit in results.hits],
        "facets": results.facets,
    }


def _matching(params: SearchParams) -> list[CaseStudy]:
    ids = search_ids(_query(params))
    cases = SearchBackend.load(ids)
    return [cases[pk] for pk in ids if pk in cases]


@api.get(
    "/cases.geojson",
    tags=["cases"],
    summary="Matching cases as GeoJSON points",
    response={422: ErrorOut},
)
def cases_geojson(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    """A FeatureCollection of every matching case (same filters as /cases, no paging)."""
    cases = _matching(params)
    properties = []
    for case in cases:
        item = _item(case, "", 0.0)
        properties.append(
            {k: v for k, v in item.items() if k not in {"lat", "lon", "snippet", "score"}}
        )
    body = write_geojson(properties, [case.point for case in cases], indent=None)
    return HttpResponse(body, content_type="application/geo+json")


@api.get(
    "/cases.csv",
    tags=["cases"],
    summary="Matching cases as CSV (import format)",
    response={422: ErrorOut},
)
def cases_csv(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    """Every matching case as CSV in the import format (re-importable)."""
    ids = search_ids(_query(params))
    by_id = {case.pk: case for case in export_queryset().filter(pk__in=ids)}
    response = HttpResponse(
        export_cases("csv", [by_id[pk] for pk in ids if pk in by_id]), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="metroscope-cases.csv"'
    return response


@api.get(
    "/cases/{slug}",
    tags=["cases"],
    summary="One case study in full",
    response={200: dict, 404: ErrorOut},
)
def case_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The full record (import format) plus its place, point and page address."""
    case = get_object_or_404(export_queryset(), slug=slug, status_review=ReviewStatus.PUBLISHED)
    lat, lon = case.point
    metro = case.effective_metro
    return {
        **case_record(case),
        "url": case.get_absolute_url(),
        "point": {"lat": lat, "lon": lon},
        "place": {
            "city": case.city.name,
            "city_slug": case.city.slug,
            "country": case.city.country,
            "region": case.city.region,
            "metro": metro.slug if metro else None,
            "metro_name": metro.name if metro else None,
        },
    }


@api.get("/cities", tags=["places"], summary="Cities with their published case counts")
def list_cities(request: HttpRequest) -> list[dict[str, Any]]:
    counts = _case_counts("city_id")
    return [
        {
            "slug": c.slug,
            "name": c.name,
            "country": c.country,
            "region": c.region,
            "metro": c.metro_area.slug if c.metro_area else None,
            "lat": c.lat,
            "lon": c.lon,
            "population": c.population,
            "population_year": c.population_year,
            "population_source": c.population_source or None,
            "cases": counts.get(c.pk, 0),
        }
        for c in City.objects.select_related("metro_area").order_by("name")
    ]


@api.get("/metros", tags=["places"], summary="Metropolitan areas with member cities")
def list_metros(request: HttpRequest) -> list[dict[str, Any]]:
    counts = _case_counts("city__metro_area_id")
    return [
        {
            "slug": m.slug,
            "name": m.name,
            "country": m.country,
            "region": m.region,
            "core_city": m.core_city.slug if m.core_city else None,
            "population": m.population,
            "population_year": m.population_year,
            "population_source": m.population_source or None,
            "cities": sorted(c.slug for c in m.cities.all()),
            "sources": m.sources,
            "cases": counts.get(m.pk, 0),
        }
        for m in MetroArea.objects.select_related("core_city")
        .prefetch_related("cities")
        .order_by("name")
    ]


@api.get("/sdgs", tags=["reference"], summary="The 17 SDGs with their targets")
def list_sdgs(request: HttpRequest) -> list[dict[str, Any]]:
    counts = _case_counts("sdgs__number")
    return [
        {
            "number": g.number,
            "title": g.title,
            "short_title": g.short_title,
            "colour": g.colour,
            "targets": [{"code": t.code, "text": t.text} for t in g.targets.all()],
            "cases": counts.get(g.number, 0),
        }
        for g in SdgGoal.objects.prefetch_related("targets").order_by("number")
    ]


def _case_counts(field: str) -> dict[Any, int]:
    from django.db.models import Count

    rows = (
        CaseStudy.objects.filter(status_review=ReviewStatus.PUBLISHED)
        .values(field)
        .annotate(n=Count("id", distinct=True))
        .values_list(field, "n")
    )
    return dict(rows)
