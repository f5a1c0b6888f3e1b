"""Export cases in the import format: JSON, CSV or GeoJSON (re-importable, lossless)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from metroscope.web.exchange.formats import EXPORT_FORMATS, write_csv, write_geojson, write_json
from metroscope.web.exchange.models import CaseStudy
from metroscope.web.exchange.schema import CaseRecord

FORMATS = EXPORT_FORMATS


def export_queryset() -> QuerySet[CaseStudy]:
    """Every case with what the export reads, in slug order."""
    return (
        CaseStudy.objects.order_by("slug")
        .select_related("city__metro_area", "metro_area")
        .prefetch_related("topics", "sdgs", "sdg_targets", "sources", "outcomes__source")
    )


def case_record(case: CaseStudy) -> dict[str, Any]:
    """``case`` as a JSON-ready dict of the import format (validated by :class:`CaseRecord`)."""
    budget = None
    if case.budget_amount is not None:
        budget = {
            "amount": case.budget_amount,
            "currency": case.budget_currency,
            "note": case.budget_note or None,
            "source": case.budget_source or None,
        }
    data = {
        "slug": case.slug,
        "title": case.title,
        "city": case.city.slug,
        "metro_area": case.metro_area.slug if case.metro_area else None,
        "lat": case.lat,
        "lon": case.lon,
        "location_note": case.location_note or None,
        "scale": case.scale,
        "status": case.status,
        "start_year": case.start_year,
        "end_year": case.end_year,
        "topics": sorted(t.slug for t in case.topics.all()),
        "sdgs": sorted(g.number for g in case.sdgs.all()),
        "sdg_targets": [
            t.code
            for t in sorted(case.sdg_targets.all(), key=lambda t: (t.goal_id, t.position, t.code))
        ],
        "summary": case.summary,
        "challenge": case.challenge,
        "solution": case.solution,
        "results": case.results,
        "lessons": case.lessons,
        "stakeholders": list(case.stakeholders or []),
        "budget": budget,
        "language": case.language,
        "licence": case.licence,
        "contact": case.contact or None,
        "energy_scenario": case.energy_scenario or None,
        "status_review": case.status_review,
        "outcomes": [
            {
                "metric": o.metric,
                "label": o.label,
                "value": o.value,
                "unit": o.unit,
                "year": o.year,
                "baseline": o.baseline,
                "baseline_year": o.baseline_year,
                "note": o.note or None,
                "source": o.source.url,
            }
            for o in sorted(case.outcomes.all(), key=lambda o: o.position)
        ],
        "sources": [
            {"url": s.url, "title": s.title, "publisher": s.publisher, "accessed": s.accessed}
            for s in sorted(case.sources.all(), key=lambda s: s.position)
        ],
    }
    return CaseRecord.model_validate(data).model_dump(mode="json")


def export_cases(fmt: str, cases: Iterable[CaseStudy] | None = None) -> str:
    """All cases (or ``cases``) as text in format ``fmt`` (json, csv or geojson)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not supported; accepted: {', '.join(FORMATS)}")
    selected = list(export_queryset() if cases is None else cases)
    records = [case_record(case) for case in selected]
    if fmt == "geojson":
        return write_geojson(records, [case.point for case in selected])
    return write_csv(records) if fmt == "csv" else write_json(records)
