"""Home page and the full-screen map: entry points into the case collection."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from metroscope.web.exchange.models import CaseStudy, City, MetroArea, SdgGoal, Topic
from metroscope.web.exchange.views.cases import GEOJSON_URL
from metroscope.web.exchange.views.common import PUBLISHED, published_cases, recent_first

RECENT_COUNT = 6
_PUBLISHED_CASES = Q(cases__status_review=PUBLISHED)


def home(request: HttpRequest) -> HttpResponse:
    """Search box, map of every case, recent cases, counts, and entries by topic/SDG/metro."""
    cases = published_cases()
    topics = (
        Topic.objects.annotate(case_count=Count("cases", filter=_PUBLISHED_CASES))
        .filter(case_count__gt=0)
        .order_by("-case_count", "name")
    )
    sdgs = SdgGoal.objects.annotate(case_count=Count("cases", filter=_PUBLISHED_CASES)).order_by(
        "number"
    )
    metro_counts = Counter(
        own or city_metro
        for own, city_metro in cases.values_list("metro_area__slug", "city__metro_area__slug")
        if own or city_metro
    )
    metros = list(MetroArea.objects.filter(slug__in=metro_counts).order_by("name"))
    for metro in metros:
        metro.case_count = metro_counts[metro.slug]  # type: ignore[attr-defined]
    stats = {
        "cases": cases.count(),
        "cities": City.objects.filter(_PUBLISHED_CASES).distinct().count(),
        "metros": len(metros),
        "countries": City.objects.filter(_PUBLISHED_CASES).values("country").distinct().count(),
    }
    context = {
        "featured": featured_case(cases),
        "stats": stats,
        "recent": recent_first(cases)[:RECENT_COUNT],
        "topics": topics,
        "sdgs": sdgs,
        "metros": metros,
        "geojson_url": GEOJSON_URL,
        "examples": ["solar charging", "bus rapid transit", "heat", "participatory budget"],
    }
    return render(request, "exchange/home.html", context)


def featured_case(cases: QuerySet[CaseStudy]) -> CaseStudy | None:
    """The case shown beside the search box: the newest one linked to an energy model
    (it can be simulated as well as read), else the newest one with measured outcomes."""
    with_model = recent_first(cases.exclude(energy_scenario="")).first()
    if with_model is not None:
        return with_model
    return recent_first(cases.filter(outcomes__isnull=False).distinct()).first()


def map_page(request: HttpRequest) -> HttpResponse:
    """Every published case on one clustered map."""
    context = {"case_count": published_cases().count(), "geojson_url": GEOJSON_URL}
    return render(request, "exchange/map.html", context)
