"""Shared test data for the exchange: a tiny world of places, topics, SDGs and cases.

Built with the ORM so search tests do not depend on the importer; importer tests build the
same world from records.
"""

from __future__ import annotations

from typing import Any

from metroscope.web.exchange.models import (
    CaseStudy,
    City,
    MetroArea,
    Outcome,
    SdgGoal,
    SdgTarget,
    Source,
    Topic,
)

TOPICS = ["energy", "mobility", "housing", "water", "participation"]


def make_reference() -> None:
    """Topics, all 17 goals (placeholder titles) with two targets each, two metros, four cities."""
    for slug in TOPICS:
        Topic.objects.create(slug=slug, name=slug.title(), description=f"About {slug}.")
    for number in range(1, 18):
        goal = SdgGoal.objects.create(
            number=number,
            title=f"Goal {number} (test)",
            short_title=f"Goal {number}",
            colour="#000000",
        )
        SdgTarget.objects.create(code=f"{number}.1", goal=goal, text="test target", position=1)
        SdgTarget.objects.create(code=f"{number}.a", goal=goal, text="test target", position=2)
    amb = MetroArea.objects.create(
        slug="amb", name="Barcelona Metropolitan Area (AMB)", country="ES"
    )
    sp = MetroArea.objects.create(
        slug="sao-paulo-metro", name="São Paulo Metropolitan Region", country="BR"
    )
    City.objects.create(
        slug="molins-de-rei",
        name="Molins de Rei",
        country="ES",
        region="Southern Europe",
        metro_area=amb,
        lat=41.414,
        lon=2.016,
    )
    City.objects.create(
        slug="barcelona",
        name="Barcelona",
        country="ES",
        region="Southern Europe",
        metro_area=amb,
        lat=41.387,
        lon=2.170,
    )
    City.objects.create(
        slug="sao-paulo",
        name="São Paulo",
        country="BR",
        region="South America",
        metro_area=sp,
        lat=-23.55,
        lon=-46.63,
    )
    City.objects.create(
        slug="seoul",
        name="Seoul",
        country="KR",
        region="Eastern Asia",
        lat=37.57,
        lon=126.98,
    )


def make_case(
    slug: str,
    city: str = "barcelona",
    topics: tuple[str, ...] = ("energy",),
    sdgs: tuple[int, ...] = (7,),
    **fields: Any,
) -> CaseStudy:
    """A published case with one source and one outcome; ``fields`` override defaults."""
    defaults: dict[str, Any] = {
        "title": slug.replace("-", " ").title(),
        "scale": "municipal",
        "status": "ongoing",
        "start_year": 2019,
        "summary": f"Summary of {slug}.",
        "challenge": "A challenge.",
        "solution": "A solution.",
    }
    defaults.update(fields)
    case = CaseStudy.objects.create(slug=slug, city=City.objects.get(slug=city), **defaults)
    case.topics.set(topics)
    case.sdgs.set(sdgs)
    source = Source.objects.create(
        case=case, url=f"https://example.org/{slug}", title="Test source"
    )
    Outcome.objects.create(
        case=case, metric="test_metric", label="Test", value=1.0, unit="kWh", source=source
    )
    return case


def make_world() -> dict[str, CaseStudy]:
    """Reference data plus six cases spread over topics, SDGs, places, scales and decades."""
    make_reference()
    cases = [
        make_case(
            "amb-molins-de-rei-v2g-fotolinera",
            city="molins-de-rei",
            topics=("energy", "mobility"),
            sdgs=(7, 11, 13),
            scale="metropolitan",
            title="Public bidirectional (V2G) solar charging station in Molins de Rei",
            summary="A solar pergola charges electric cars at the municipal sports centre car park.",
            solution="Vehicle-to-grid charging feeds the sports centre when no car needs power.",
        ),
        make_case(
            "barcelona-superblocks",
            topics=("mobility", "participation"),
            sdgs=(11, 3),
            title="Superblocks",
            start_year=2016,
            scale="neighbourhood",
            summary="Streets returned to people; car traffic kept to the perimeter.",
        ),
        make_case(
            "sao-paulo-bike-lanes",
            city="sao-paulo",
            topics=("mobility",),
            sdgs=(11,),
            title="São Paulo cycle lane network",
            start_year=2014,
            status="completed",
            summary="Hundreds of kilometres of cycle lanes across São Paulo.",
        ),
        make_case(
            "seoul-cheonggyecheon",
            city="seoul",
            topics=("water",),
            sdgs=(6, 11),
            title="Cheonggyecheon stream restoration",
            start_year=2003,
            status="completed",
            summary="An elevated highway removed and a buried stream restored in central Seoul.",
        ),
        make_case(
            "barcelona-solar-roofs",
            topics=("energy",),
            sdgs=(7,),
            start_year=2000,
            title="Solar thermal ordinance",
            status="completed",
            summary="New buildings must heat water with solar thermal collectors.",
        ),
        make_case(
            "barcelona-draft-housing",
            topics=("housing",),
            sdgs=(11,),
            title="Draft housing case (not published)",
            status_review="draft",
            summary="Solar housing draft never published.",
        ),
    ]
    return {case.slug: case for case in cases}


def case_record(slug: str = "test-case", **overrides: Any) -> dict[str, Any]:
    """A valid import record referring to the world of :func:`make_reference`."""
    record: dict[str, Any] = {
        "slug": slug,
        "title": f"Test case {slug}",
        "city": "barcelona",
        "metro_area": "amb",
        "scale": "municipal",
        "status": "completed",
        "start_year": 2015,
        "end_year": 2018,
        "topics": ["energy", "mobility"],
        "sdgs": [7, 11],
        "sdg_targets": ["7.1", "11.a"],
        "summary": "Solar canopies over bus depots [1].",
        "challenge": "Depots used grid power only [1].",
        "solution": "Canopies with PV; chargers underneath.",
        "results": "It works.",
        "lessons": "Start small.",
        "stakeholders": ["City Council", "Bus operator; depot staff"],
        "budget": {
            "amount": 1234.5,
            "currency": "EUR",
            "note": "excl. VAT",
            "source": "https://example.org/a",
        },
        "language": "en",
        "licence": "CC-BY-4.0",
        "outcomes": [
            {
                "metric": "pv_energy_kwh",
                "label": "PV energy produced",
                "value": 1500.25,
                "unit": "kWh",
                "year": 2018,
                "baseline": 0,
                "baseline_year": 2014,
                "note": "first year",
                "source": "https://example.org/a",
            }
        ],
        "sources": [
            {
                "url": "https://example.org/a",
                "title": "Report A",
                "publisher": "City",
                "accessed": "2026-11-26",
            },
            {
                "url": "https://example.org/b",
                "title": "Press B",
                "publisher": "Paper",
                "accessed": None,
            },
        ],
    }
    record.update(overrides)
    return record
