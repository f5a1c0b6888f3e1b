"""Helpers shared by the exchange page views: the public case queryset and map points."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from metroscope.web.exchange.models import CaseStudy, City, ReviewStatus, SdgGoal, Topic

PUBLISHED = ReviewStatus.PUBLISHED


def published_cases() -> QuerySet[CaseStudy]:
    """Published cases with what a case card shows (place, topics, SDGs) fetched in bulk."""
    return (
        CaseStudy.objects.filter(status_review=PUBLISHED)
        .select_related("city", "city__metro_area", "metro_area")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("sdgs", queryset=SdgGoal.objects.order_by("number")),
        )
    )


def case_feature(case: CaseStudy) -> dict[str, Any]:
    """One case as a GeoJSON Point feature with what a map popup shows."""
    lat, lon = case.point
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "slug": case.slug,
            "title": case.title,
            "url": case.get_absolute_url(),
            "city": case.city.name,
            "country": case.city.country,
            "status": case.status,
        },
    }


def feature_collection(cases: Iterable[CaseStudy]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of ``cases`` (for maps fed inline by ``json_script``)."""
    return {"type": "FeatureCollection", "features": [case_feature(c) for c in cases]}


def place_collection(cities: Iterable[City]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of city reference points (for orientation on a map)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [city.lon, city.lat]},
                "properties": {"name": city.name, "url": f"/cities/{city.slug}/"},
            }
            for city in cities
        ],
    }


def recent_first(cases: QuerySet[CaseStudy]) -> QuerySet[CaseStudy]:
    """Newest projects first (start year), then most recently added."""
    return cases.order_by(F("start_year").desc(nulls_last=True), "-created", "title")
