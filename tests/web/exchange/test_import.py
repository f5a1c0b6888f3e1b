"""Import: every record validated first, clear errors naming record and field, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from metroscope.web.exchange.formats import FormatError, write_csv
from metroscope.web.exchange.importer import ImportValidationError, import_file, import_records
from metroscope.web.exchange.models import CaseStudy, City, Outcome, Source
from metroscope.web.exchange.search import CaseQuery, search_cases

from .factories import case_record, make_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    make_reference()


def snapshot() -> tuple[int, int, int, int]:
    return (
        CaseStudy.objects.count(),
        City.objects.count(),
        Source.objects.count(),
        Outcome.objects.count(),
    )


def test_it_imports_cases_with_their_outcomes_sources_and_tags(reference):
    report = import_records([case_record("a"), case_record("b", city="seoul", metro_area=None)])
    assert report.created == ["a", "b"]
    case = CaseStudy.objects.get(slug="a")
    assert sorted(case.topics.values_list("slug", flat=True)) == ["energy", "mobility"]
    assert sorted(case.sdg_targets.values_list("code", flat=True)) == ["11.a", "7.1"]
    assert case.outcomes.get().source.url == "https://example.org/a"
    assert [s.url for s in case.sources.all()] == ["https://example.org/a", "https://example.org/b"]
    assert case.budget_amount == 1234.5 and case.budget_currency == "EUR"


def test_imported_cases_are_searchable_at_once(reference):
    import_records([case_record("depot-canopies")])
    assert [h.case.slug for h in search_cases(CaseQuery(q="canopies")).hits] == ["depot-canopies"]


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".csv"])
def test_it_reads_yaml_json_and_csv_files(reference, tmp_path: Path, suffix: str):
    records = [case_record("a"), case_record("b")]
    writers = {
        ".yaml": lambda: yaml.safe_dump({"cases": records}, allow_unicode=True),
        ".json": lambda: json.dumps(records),
        ".csv": lambda: write_csv(records),
    }
    path = tmp_path / f"cases{suffix}"
    path.write_text(writers[suffix](), encoding="utf-8")
    assert import_file(path).created == ["a", "b"]
    assert CaseStudy.objects.get(slug="b").stakeholders == [
        "City Council",
        "Bus operator; depot staff",
    ]


def test_it_rejects_a_file_with_one_bad_record_names_it_and_writes_nothing(reference):
    before = snapshot()
    records = [
        case_record("good-one"),
        case_record(
            "new-city", city={"name": "Rosario", "country": "AR", "lat": -32.95, "lon": -60.65}
        ),
        case_record("bad-one", topics=["energy", "enrgy"]),
    ]
    with pytest.raises(ImportValidationError) as error:
        import_records(records)
    message = str(error.value)
    assert (
        "record 3 (slug 'bad-one'): topics[1]: unknown topic 'enrgy'; accepted: energy" in message
    )
    assert snapshot() == before


def test_it_lists_every_problem_of_every_record(reference):
    records = [
        case_record("one", scale="galactic"),
        case_record("two", sources=[]),
        case_record("three", sdgs=[7], sdg_targets=["11.a"]),
        case_record(
            "four", outcomes=[{**case_record()["outcomes"][0], "source": "https://elsewhere.org"}]
        ),
        case_record("five", colour="red"),
    ]
    with pytest.raises(ImportValidationError) as error:
        import_records(records)
    by_record = {e.index: e for e in error.value.errors}
    assert by_record[1].field == "scale" and "'neighbourhood'" in by_record[1].message
    assert by_record[2].field == "sources" and "at least 1" in by_record[2].message
    assert "11.a belongs to SDG 11" in by_record[3].message
    assert "https://elsewhere.org is not in sources" in by_record[4].message
    assert (
        by_record[5].field == "colour" and "unknown field; accepted: slug" in by_record[5].message
    )


def test_it_rejects_unknown_cities_metros_and_targets(reference):
    with pytest.raises(ImportValidationError) as error:
        import_records(
            [case_record("x", city="atlantis", metro_area="nowhere", sdg_targets=["7.9"])]
        )
    fields = {e.field for e in error.value.errors}
    assert fields == {"city", "metro_area", "sdg_targets[0]"}


def test_it_rejects_duplicate_slugs_within_one_file(reference):
    with pytest.raises(ImportValidationError) as error:
        import_records([case_record("same"), case_record("same")])
    assert "record 2 (slug 'same'): slug: duplicate of record 1" in str(error.value)


def test_it_creates_a_city_given_as_an_object(reference):
    city = {
        "name": "Rosario",
        "country": "AR",
        "lat": -32.95,
        "lon": -60.65,
        "region": "South America",
    }
    report = import_records([case_record("rosario-case", city=city, metro_area=None)])
    assert report.cities_created == ["rosario"]
    assert CaseStudy.objects.get(slug="rosario-case").city.country == "AR"


def test_it_replaces_a_case_with_the_same_slug(reference):
    import_records([case_record("a")])
    report = import_records([case_record("a", title="Renamed", outcomes=[], topics=["water"])])
    assert report.updated == ["a"]
    case = CaseStudy.objects.get(slug="a")
    assert (
        case.title,
        case.outcomes.count(),
        list(case.topics.values_list("slug", flat=True)),
    ) == ("Renamed", 0, ["water"])
    assert [h.case.title for h in search_cases(CaseQuery(q="renamed")).hits] == ["Renamed"]


def test_it_names_the_file_of_an_unreadable_document(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(FormatError, match=r"broken\.json: not valid JSON"):
        import_file(path)
    with pytest.raises(FormatError, match=r"accepted: \.yaml, \.yml, \.json, \.csv"):
        import_file(tmp_path / "cases.xlsx")


def test_a_csv_row_may_create_its_city_from_a_json_cell(reference, tmp_path: Path):
    city = {"name": "Montevideo", "country": "UY", "lat": -34.9, "lon": -56.19}
    path = tmp_path / "cases.csv"
    path.write_text(write_csv([case_record("mvd", city=city, metro_area=None)]), encoding="utf-8")
    report = import_file(path)
    assert report.cities_created == ["montevideo"]
    assert CaseStudy.objects.get(slug="mvd").city.lat == -34.9


def test_a_csv_with_an_unknown_column_is_rejected_naming_it(tmp_path: Path):
    path = tmp_path / "cases.csv"
    path.write_text("slug,colour\na,red\n", encoding="utf-8")
    with pytest.raises(FormatError, match="unknown column"):
        import_file(path)
