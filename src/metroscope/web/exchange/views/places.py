"""City and metropolitan-area pages: where a place is, who belongs to it, what it did."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from metroscope.web.exchange.models import City, MetroArea
from metroscope.web.exchange.views.common import (
    PUBLISHED,
    feature_collection,
    place_collection,
    published_cases,
    recent_first,
)


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A city: facts with sources, its metro area, a map of its cases and their list."""
    city = get_object_or_404(City.objects.select_related("metro_area"), slug=slug)
    cases = list(recent_first(published_cases().filter(city=city)))
    context = {
        "city": city,
        "cases": cases,
        "points": feature_collection(cases),
    }
    return render(request, "exchange/city.html", context)


def metro_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A metropolitan area: member municipalities with their case counts, map, cases."""
    metro = get_object_or_404(MetroArea.objects.select_related("core_city"), slug=slug)
    in_metro = Q(metro_area=metro) | Q(metro_area__isnull=True, city__metro_area=metro)
    cases = list(recent_first(published_cases().filter(in_metro)))
    members = metro.cities.annotate(
        case_count=Count("cases", filter=Q(cases__status_review=PUBLISHED))
    ).order_by("name")
    population_known = [m.population for m in members if m.population]
    context = {
        "metro": metro,
        "cases": cases,
        "members": members,
        "members_with_cases": sum(1 for m in members if m.case_count),
        "population_total": sum(population_known)
        if len(population_known) == len(members)
        else None,
        "points": feature_collection(cases),
        "member_points": place_collection(members),
    }
    return render(request, "exchange/metro.html", context)
