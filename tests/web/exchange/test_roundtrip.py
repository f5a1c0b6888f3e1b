"""Export: JSON, CSV and GeoJSON in the import format; export → import → export is lossless."""

from __future__ import annotations

import json

import pytest

from metroscope.web.exchange.exporter import export_cases
from metroscope.web.exchange.formats import read_csv, read_json
from metroscope.web.exchange.importer import import_records
from metroscope.web.exchange.models import CaseStudy
from metroscope.web.exchange.schema import CaseRecord

from .factories import case_record, make_reference

pytestmark = pytest.mark.django_db

READERS = {"json": read_json, "csv": read_csv}


@pytest.fixture
def imported():
    make_reference()
    records = [
        case_record("a"),
        case_record(
            "b",
            city="sao-paulo",
            metro_area=None,
            lat=-23.5,
            lon=-46.6,
            budget=None,
            location_note="near the river",
            contact="someone@example.org",
            start_year=None,
            end_year=None,
            stakeholders=[],
            title='São Paulo, "quoted", and; semicolons',
        ),
    ]
    import_records(records)
    return records


def test_an_imported_record_comes_back_as_it_went_in(imported):
    exported = json.loads(export_cases("json"))
    expected = [CaseRecord.model_validate(r).model_dump(mode="json") for r in imported]
    for record in expected:  # tags are sets: exported sorted
        for name in ("topics", "sdgs"):
            record[name] = sorted(record[name])
    expected[0]["sdg_targets"] = ["7.1", "11.a"]
    expected[1]["sdg_targets"] = ["7.1", "11.a"]
    assert exported == expected


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_export_is_identical(imported, fmt):
    first = export_cases(fmt)
    CaseStudy.objects.all().delete()
    import_records(READERS[fmt](first, f"export.{fmt}"))
    assert export_cases(fmt) == first


def test_the_geojson_export_has_one_point_per_case_with_the_full_record(imported):
    collection = json.loads(export_cases("geojson"))
    assert collection["type"] == "FeatureCollection"
    points = {f["id"]: f["geometry"]["coordinates"] for f in collection["features"]}
    assert points == {"a": [2.17, 41.387], "b": [-46.6, -23.5]}
    assert collection["features"][1]["properties"]["location_note"] == "near the river"
