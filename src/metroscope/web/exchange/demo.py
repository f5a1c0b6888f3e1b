"""Load the shipped demo content (src/metroscope/data/exchange/) through the same validator.

Reference files (``sdgs.yaml``, ``topics.yaml``, ``places.yaml``) are pydantic-validated
here; each ``cases/*.yaml`` file holds one :class:`CaseRecord` and goes through
:func:`metroscope.web.exchange.importer.import_records`. Everything is written in one
transaction: a single bad file leaves the database unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metroscope.web.exchange.importer import (
    ImportReport,
    ImportValidationError,
    RecordError,
    import_records,
)
from metroscope.web.exchange.models import CaseStudy, City, MetroArea, SdgGoal, SdgTarget, Topic
from metroscope.web.exchange.schema import (
    CountryCode,
    Latitude,
    Longitude,
    Slug,
    TargetCode,
    Url,
    Year,
)


def demo_dir() -> Path:
    """Directory of the shipped exchange content."""
    return Path(str(resources.files("metroscope") / "data" / "exchange"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TargetRecord(_Strict):
    code: TargetCode
    text: str = Field(min_length=1)


class GoalRecord(_Strict):
    number: int = Field(ge=1, le=17)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    targets: list[TargetRecord]


class SdgFile(BaseModel):
    source: Url
    goals: list[GoalRecord]


class TopicRecord(_Strict):
    slug: Slug
    name: str = Field(min_length=1)
    description: str = ""


class MetroRecord(_Strict):
    slug: Slug
    name: str = Field(min_length=1)
    country: CountryCode
    region: str = ""
    core_city: Slug | None = None
    population: int | None = Field(default=None, ge=0)
    population_year: Year | None = None
    population_source: Url | None = None
    population_note: str = ""
    sources: list[Url] = Field(default_factory=list)


class PlaceRecord(_Strict):
    slug: Slug
    name: str = Field(min_length=1)
    country: CountryCode
    region: str = ""
    metro_area: Slug | None = None
    lat: Latitude
    lon: Longitude
    coords_note: str = ""
    population: int | None = Field(default=None, ge=0)
    population_year: Year | None = None
    population_source: Url | None = None
    population_note: str = ""


class PlacesFile(BaseModel):
    metro_areas: list[MetroRecord]
    cities: list[PlaceRecord]


@dataclass
class DemoReport:
    goals: int
    targets: int
    topics: int
    metros: int
    cities: int
    cases: ImportReport


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ImportValidationError(
            [RecordError(0, "", "(file)", f"cannot be read: {error}", str(path))]
        ) from None


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            RecordError(
                int(d["loc"][1]) + 1 if len(d["loc"]) > 1 and isinstance(d["loc"][1], int) else 0,
                "",
                ".".join(str(p) for p in d["loc"]),
                d["msg"],
                str(path),
            )
            for d in error.errors()
        ]
        raise ImportValidationError(problems) from None


def _check_places(places: PlacesFile, path: Path) -> None:
    metros = {m.slug for m in places.metro_areas}
    cities = {c.slug for c in places.cities}
    problems = []
    for i, city in enumerate(places.cities, start=1):
        if city.metro_area and city.metro_area not in metros:
            problems.append(
                RecordError(
                    i, city.slug, "metro_area", f"unknown metro {city.metro_area!r}", str(path)
                )
            )
        if city.population is not None and not city.population_source:
            problems.append(
                RecordError(
                    i, city.slug, "population_source", "required with population", str(path)
                )
            )
    for i, metro in enumerate(places.metro_areas, start=1):
        if metro.core_city and metro.core_city not in cities:
            problems.append(
                RecordError(
                    i, metro.slug, "core_city", f"unknown city {metro.core_city!r}", str(path)
                )
            )
    if problems:
        raise ImportValidationError(problems)


def load_reference(directory: Path) -> tuple[int, int, int, int, int]:
    """Upsert SDGs, topics and places from ``directory``; returns counts written."""
    sdgs: SdgFile = _validate(SdgFile, _load_yaml(directory / "sdgs.yaml"), directory / "sdgs.yaml")
    topics_data = _load_yaml(directory / "topics.yaml")
    topics = [_validate(TopicRecord, t, directory / "topics.yaml") for t in topics_data or []]
    places: PlacesFile = _validate(
        PlacesFile, _load_yaml(directory / "places.yaml"), directory / "places.yaml"
    )
    _check_places(places, directory / "places.yaml")
    n_targets = 0
    for goal in sdgs.goals:
        fields = goal.model_dump(exclude={"targets", "number"})
        SdgGoal.objects.update_or_create(number=goal.number, defaults=fields)
        for position, target in enumerate(goal.targets, start=1):
            SdgTarget.objects.update_or_create(
                code=target.code,
                defaults={"goal_id": goal.number, "text": target.text, "position": position},
            )
            n_targets += 1
    for topic in topics:
        Topic.objects.update_or_create(slug=topic.slug, defaults=topic.model_dump(exclude={"slug"}))
    metro_objects = {}
    for metro in places.metro_areas:
        fields = metro.model_dump(exclude={"slug", "core_city"})
        fields["population_source"] = fields["population_source"] or ""
        metro_objects[metro.slug], _ = MetroArea.objects.update_or_create(
            slug=metro.slug, defaults=fields
        )
    for city in places.cities:
        fields = city.model_dump(exclude={"slug", "metro_area"})
        fields["population_source"] = fields["population_source"] or ""
        fields["metro_area"] = metro_objects.get(city.metro_area) if city.metro_area else None
        City.objects.update_or_create(slug=city.slug, defaults=fields)
    for metro in places.metro_areas:
        if metro.core_city:
            MetroArea.objects.filter(slug=metro.slug).update(
                core_city=City.objects.get(slug=metro.core_city)
            )
    return len(sdgs.goals), n_targets, len(topics), len(places.metro_areas), len(places.cities)


def case_files(directory: Path) -> list[Path]:
    return sorted((directory / "cases").glob("*.y*ml"))


def read_case_files(directory: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Raw records of ``cases/*.yaml`` with the file each came from."""
    raw, origins = [], []
    for path in case_files(directory):
        data = _load_yaml(path)
        if not isinstance(data, dict):
            raise ImportValidationError(
                [RecordError(1, "", "(file)", "expected one case mapping", str(path))]
            )
        raw.append(data)
        origins.append(f"{directory.name}/cases/{path.name}")
    return raw, origins


def load_demo(directory: Path | None = None) -> DemoReport:
    """Load reference data and every demo case in one transaction."""
    directory = directory or demo_dir()
    with transaction.atomic():
        goals, targets, topics, metros, cities = load_reference(directory)
        raw, origins = read_case_files(directory)
        report = import_records(raw, origins)
    return DemoReport(goals, targets, topics, metros, cities, report)


def ensure_demo_loaded() -> DemoReport | None:
    """Load the demo content when the database holds no case yet."""
    if CaseStudy.objects.exists():
        return None
    return load_demo()


def ensure_reference_loaded() -> bool:
    """Load SDGs, topics and places (not the cases) when no SDG is in the database yet."""
    if SdgGoal.objects.exists():
        return False
    with transaction.atomic():
        load_reference(demo_dir())
    return True
