"""Import case records: validate EVERY record first, then write all of them in one transaction.

Two passes: (1) each record against :class:`CaseRecord` (types, vocabularies, sources), then
(2) against the database (known city, metro area, topics, SDG goals and targets). Any error
raises :class:`ImportValidationError` listing every problem as
``record N (slug 'x'): field: what is wrong; accepted: …`` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from pydantic import ValidationError

from metroscope.web.exchange.formats import read_file
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
from metroscope.web.exchange.schema import CaseRecord, CityRecord
from metroscope.web.exchange.search.index import deferred_indexing, index_cases

MAX_LISTED = 12


@dataclass(frozen=True)
class RecordError:
    """One problem: which record (1-based index, slug), which field, what is wrong."""

    index: int
    slug: str
    field: str
    message: str
    origin: str = ""

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        slug = f" (slug {self.slug!r})" if self.slug else ""
        return f"{where}record {self.index}{slug}: {self.field}: {self.message}"


class ImportValidationError(ValueError):
    """The import was rejected; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: Sequence[RecordError]) -> None:
        self.errors = list(errors)
        lines = [str(error) for error in self.errors]
        super().__init__(f"{len(lines)} problem(s), nothing imported:\n" + "\n".join(lines))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    cities_created: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)


def _loc(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in {
            "str",
            "CityRecord",
            "constrained-str",
            "function-after[_consistent(), CaseRecord]",
        }:
            continue
        else:
            text += ("." if text else "") + str(part)
    return text or "(record)"


def _accepted(items: Iterable[str]) -> str:
    items = sorted(items)
    listed = ", ".join(items[:MAX_LISTED])
    return listed + (f", … ({len(items)} in all)" if len(items) > MAX_LISTED else "")


def parse_records(
    raw: Sequence[dict[str, Any]], origins: Sequence[str] | None = None
) -> tuple[list[CaseRecord | None], list[RecordError]]:
    """Pass 1: validate each raw dict against :class:`CaseRecord`."""
    records: list[CaseRecord | None] = []
    errors: list[RecordError] = []
    for i, item in enumerate(raw, start=1):
        slug = str(item.get("slug") or "")
        origin = origins[i - 1] if origins else ""
        try:
            records.append(CaseRecord.model_validate(item))
        except ValidationError as error:
            records.append(None)
            for detail in error.errors():
                message = detail["msg"].removeprefix("Value error, ")
                if detail["type"] == "extra_forbidden":
                    message = "unknown field; accepted: " + ", ".join(CaseRecord.model_fields)
                errors.append(RecordError(i, slug, _loc(detail["loc"]), message, origin))
    seen: dict[str, int] = {}
    for i, record in enumerate(records, start=1):
        if record is None:
            continue
        if record.slug in seen:
            errors.append(
                RecordError(i, record.slug, "slug", f"duplicate of record {seen[record.slug]}")
            )
        seen.setdefault(record.slug, i)
    return records, errors


def check_references(
    records: Sequence[CaseRecord | None], origins: Sequence[str] | None = None
) -> list[RecordError]:
    """Pass 2: every slug a record refers to must exist (or be created by the same import)."""
    cities = dict(City.objects.values_list("slug", "country"))
    metros = set(MetroArea.objects.values_list("slug", flat=True))
    topics = set(Topic.objects.values_list("slug", flat=True))
    goals = {str(n) for n in SdgGoal.objects.values_list("number", flat=True)}
    targets = set(SdgTarget.objects.values_list("code", flat=True))
    errors: list[RecordError] = []
    for i, record in enumerate(records, start=1):
        if record is None:
            continue
        origin = origins[i - 1] if origins else ""

        def err(
            field_name: str,
            message: str,
            i: int = i,
            record: CaseRecord = record,
            origin: str = origin,
        ) -> None:
            errors.append(RecordError(i, record.slug, field_name, message, origin))

        if isinstance(record.city, str):
            if record.city not in cities:
                err(
                    "city",
                    f"unknown city {record.city!r}; accepted: a known city slug ({_accepted(cities)}) or a city object {{name, country, lat, lon}}",
                )
        else:
            slug = slugify(record.city.name)
            if not slug:
                err("city.name", "gives an empty slug; use letters or digits")
            elif slug in cities and cities[slug] != record.city.country:
                err(
                    "city",
                    f"city {slug!r} exists in country {cities[slug]}, not {record.city.country}",
                )
            else:
                cities.setdefault(slug, record.city.country)
            if record.city.metro_area and record.city.metro_area not in metros:
                err(
                    "city.metro_area",
                    f"unknown metro area {record.city.metro_area!r}; accepted: {_accepted(metros)}",
                )
        if record.metro_area and record.metro_area not in metros:
            err(
                "metro_area",
                f"unknown metro area {record.metro_area!r}; accepted: {_accepted(metros)}",
            )
        for j, topic in enumerate(record.topics):
            if topic not in topics:
                err(f"topics[{j}]", f"unknown topic {topic!r}; accepted: {_accepted(topics)}")
        for j, goal in enumerate(record.sdgs):
            if str(goal) not in goals:
                err(f"sdgs[{j}]", f"SDG {goal} is not loaded; load the SDG reference data first")
        for j, code in enumerate(record.sdg_targets):
            if code not in targets:
                err(
                    f"sdg_targets[{j}]",
                    f"unknown SDG target {code!r}; accepted: codes such as 7.2 or 7.a from the 169 targets",
                )
    return errors


def validate_records(
    raw: Sequence[dict[str, Any]], origins: Sequence[str] | None = None
) -> list[CaseRecord]:
    """Both passes; raises :class:`ImportValidationError` with every problem found."""
    records, errors = parse_records(raw, origins)
    errors += check_references(records, origins)
    if errors:
        raise ImportValidationError(errors)
    return [record for record in records if record is not None]


def _city_for(record: CaseRecord, report: ImportReport) -> City:
    if isinstance(record.city, str):
        return City.objects.get(slug=record.city)
    data: CityRecord = record.city
    city, created = City.objects.get_or_create(
        slug=slugify(data.name),
        defaults={
            "name": data.name,
            "country": data.country,
            "lat": data.lat,
            "lon": data.lon,
            "region": data.region or "",
            "metro_area": MetroArea.objects.filter(slug=data.metro_area).first()
            if data.metro_area
            else None,
            "population": data.population,
            "population_year": data.population_year,
            "population_source": data.population_source or "",
        },
    )
    if created:
        report.cities_created.append(city.slug)
    return city


def write_record(record: CaseRecord, report: ImportReport) -> CaseStudy:
    """Create or replace (by slug) one validated case with its outcomes and sources."""
    case = CaseStudy.objects.filter(slug=record.slug).first()
    (report.updated if case else report.created).append(record.slug)
    case = case or CaseStudy(slug=record.slug)
    budget = record.budget
    case.title = record.title
    case.city = _city_for(record, report)
    case.metro_area = MetroArea.objects.get(slug=record.metro_area) if record.metro_area else None
    case.lat, case.lon = record.lat, record.lon
    case.location_note = record.location_note or ""
    case.scale, case.status = record.scale, record.status
    case.start_year, case.end_year = record.start_year, record.end_year
    case.summary, case.challenge, case.solution = record.summary, record.challenge, record.solution
    case.results, case.lessons = record.results, record.lessons
    case.stakeholders = list(record.stakeholders)
    case.budget_amount = budget.amount if budget else None
    case.budget_currency = budget.currency if budget else ""
    case.budget_note = (budget.note or "") if budget else ""
    case.budget_source = (budget.source or "") if budget else ""
    case.language, case.licence = record.language, record.licence
    case.contact = record.contact or ""
    case.energy_scenario = record.energy_scenario or ""
    case.status_review = record.status_review
    case.save()
    case.topics.set(record.topics)
    case.sdgs.set(record.sdgs)
    case.sdg_targets.set(record.sdg_targets)
    case.outcomes.all().delete()
    case.sources.all().delete()
    sources = Source.objects.bulk_create(
        Source(
            case=case,
            position=i,
            url=s.url,
            title=s.title,
            publisher=s.publisher,
            accessed=s.accessed,
        )
        for i, s in enumerate(record.sources)
    )
    by_url = {source.url: source for source in sources}
    Outcome.objects.bulk_create(
        Outcome(
            case=case,
            position=i,
            metric=o.metric,
            label=o.label,
            value=o.value,
            unit=o.unit,
            year=o.year,
            baseline=o.baseline,
            baseline_year=o.baseline_year,
            note=o.note or "",
            source=by_url[o.source],
        )
        for i, o in enumerate(record.outcomes)
    )
    return case


def import_records(
    raw: Sequence[dict[str, Any]], origins: Sequence[str] | None = None, dry_run: bool = False
) -> ImportReport:
    """Validate every record, then write them all in one transaction (or none on error)."""
    report = ImportReport()
    with transaction.atomic():
        records = validate_records(raw, origins)
        if dry_run:
            report.created = [r.slug for r in records]
            return report
        with deferred_indexing():
            ids = [write_record(record, report).pk for record in records]
        index_cases(ids)
    return report


def import_file(path: Path, dry_run: bool = False) -> ImportReport:
    """Import the cases of a YAML, JSON or CSV file (see :mod:`formats`)."""
    return import_records(read_file(path), dry_run=dry_run)
