"""The shipped demo content passes the import validator and answers the issue's search."""

from __future__ import annotations

import pytest
import yaml

from metroscope.web.exchange.demo import case_files, demo_dir, ensure_demo_loaded, load_demo
from metroscope.web.exchange.importer import ImportValidationError, parse_records
from metroscope.web.exchange.models import CaseStudy, City, SdgGoal, SdgTarget, Source
from metroscope.web.exchange.search import CaseQuery, search_cases

CASE_FILES = case_files(demo_dir())


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_every_shipped_case_file_is_a_valid_record(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    records, errors = parse_records([data], [path.name])
    assert errors == []
    assert records[0].slug == path.stem, "file name must be the slug"


@pytest.mark.django_db
def test_the_whole_demo_loads_through_the_validator():
    report = load_demo()
    assert (report.goals, report.targets) == (17, 169)
    assert SdgGoal.objects.count() == 17 and SdgTarget.objects.count() == 169
    assert report.cases.total == len(CASE_FILES) == CaseStudy.objects.count()
    assert City.objects.filter(metro_area__slug="amb").count() == 36
    assert not CaseStudy.objects.exclude(pk__in=Source.objects.values("case")).exists()


@pytest.mark.django_db
def test_the_molins_de_rei_station_ranks_first_for_solar_charging_sports_centre():
    load_demo()
    results = search_cases(CaseQuery(q="solar charging sports centre"))
    assert results.hits[0].case.slug == "amb-molins-de-rei-v2g-fotolinera"


@pytest.mark.django_db
def test_the_demo_is_loaded_only_into_an_empty_database():
    assert ensure_demo_loaded() is not None
    assert ensure_demo_loaded() is None


@pytest.mark.django_db
def test_a_bad_demo_file_leaves_the_database_unchanged(tmp_path):
    source = demo_dir()
    for name in ("sdgs.yaml", "topics.yaml", "places.yaml"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "cases").mkdir()
    good = CASE_FILES[0]
    (tmp_path / "cases" / good.name).write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    bad = yaml.safe_load(good.read_text(encoding="utf-8")) | {
        "slug": "zz-bad",
        "scale": "planetary",
    }
    (tmp_path / "cases" / "zz-bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(
        ImportValidationError,
        match=r"/cases/zz-bad\.yaml: record 2 \(slug 'zz-bad'\): scale: Input should be 'neighbourhood'",
    ):
        load_demo(tmp_path)
    assert SdgGoal.objects.count() == 0 and CaseStudy.objects.count() == 0
