"""The case-study import/export format as pydantic models (no Django import).

One :class:`CaseRecord` per case; ``metroscope import cases`` reads a list of them (YAML,
JSON or CSV) and ``metroscope export cases`` writes the same shape back. The JSON Schema in
docs/schemas/case.schema.json is generated from :class:`CaseRecord`
(``python -m metroscope.web.exchange.schema > docs/schemas/case.schema.json``); a test keeps
it up to date. Rules that need the database (known city, topic, SDG target…) are checked by
:mod:`metroscope.web.exchange.importer`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)]
MetricSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=1000)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
TargetCode = Annotated[str, StringConstraints(pattern=r"^(?:1[0-7]|[1-9])\.(?:[1-9][0-9]?|[a-z])$")]
Year = Annotated[int, Field(ge=1800, le=2100)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude [deg], WGS84.")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude [deg], WGS84.")]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]

Scale = Literal["neighbourhood", "municipal", "metropolitan", "national", "international"]
Status = Literal["planned", "ongoing", "completed", "discontinued"]
ReviewState = Literal["draft", "submitted", "changes_requested", "published", "archived"]


class Record(BaseModel):
    """Base of every record: unknown fields are errors, so typos do not vanish silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceRecord(Record):
    """A public document backing the case; cited in the text as [n] (n = position + 1)."""

    url: Url
    title: str = ""
    publisher: str = ""
    accessed: date | None = Field(default=None, description="Date the page was read (YYYY-MM-DD).")


class OutcomeRecord(Record):
    """A quantified result; ``metric`` is reused across cases where figures are comparable."""

    metric: MetricSlug
    label: str = Field(min_length=1)
    value: float
    unit: str = Field(min_length=1, max_length=50)
    year: Year | None = None
    baseline: float | None = None
    baseline_year: Year | None = None
    note: str | None = None
    source: Url = Field(description="Must also be listed in the case's sources.")


class BudgetRecord(Record):
    """Money spent or committed, in ``currency`` (ISO 4217)."""

    amount: float = Field(ge=0)
    currency: CurrencyCode
    note: str | None = None
    source: Url | None = Field(default=None, description="Must also be listed in sources.")


class CityRecord(Record):
    """A city given inline; it is created (slug from its name) when not known yet."""

    name: str = Field(min_length=1, max_length=200)
    country: CountryCode
    lat: Latitude
    lon: Longitude
    region: str | None = None
    metro_area: Slug | None = None
    population: int | None = Field(default=None, ge=0)
    population_year: Year | None = None
    population_source: Url | None = None

    @model_validator(mode="after")
    def _population_is_sourced(self) -> CityRecord:
        if self.population is not None and not self.population_source:
            raise ValueError("population_source is required when population is given")
        return self


class CaseRecord(Record):
    """One case study, as imported and exported."""

    slug: Slug
    title: str = Field(min_length=1, max_length=300)
    city: Slug | CityRecord = Field(description="Slug of a known city, or a new city.")
    metro_area: Slug | None = None
    lat: Latitude | None = Field(default=None, description="Site point; the city's when empty.")
    lon: Longitude | None = None
    location_note: str | None = None
    scale: Scale
    status: Status
    start_year: Year | None = None
    end_year: Year | None = None
    topics: list[Slug] = Field(default_factory=list)
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] = Field(default_factory=list)
    sdg_targets: list[TargetCode] = Field(default_factory=list)
    summary: str = Field(min_length=1)
    challenge: str = ""
    solution: str = ""
    results: str = ""
    lessons: str = ""
    stakeholders: list[str] = Field(default_factory=list)
    budget: BudgetRecord | None = None
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]+)?$")
    licence: str = Field(default="CC-BY-4.0", min_length=1, max_length=50)
    contact: str | None = None
    energy_scenario: str | None = None
    status_review: ReviewState = "published"
    outcomes: list[OutcomeRecord] = Field(default_factory=list)
    sources: list[SourceRecord] = Field(min_length=1, description="At least one source.")

    @model_validator(mode="after")
    def _consistent(self) -> CaseRecord:
        problems = []
        if (self.lat is None) != (self.lon is None):
            problems.append("lat and lon must be given together")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            problems.append(f"end_year {self.end_year} is before start_year {self.start_year}")
        urls = [source.url for source in self.sources]
        if len(set(urls)) != len(urls):
            problems.append("sources: each url may appear once")
        for i, outcome in enumerate(self.outcomes):
            if outcome.source not in urls:
                problems.append(f"outcomes[{i}].source {outcome.source} is not in sources")
        if self.budget and self.budget.source and self.budget.source not in urls:
            problems.append(f"budget.source {self.budget.source} is not in sources")
        for code in self.sdg_targets:
            if int(code.split(".")[0]) not in self.sdgs:
                problems.append(
                    f"sdg_targets: {code} belongs to SDG {code.split('.')[0]}, not in sdgs"
                )
        for name in ("topics", "sdgs", "sdg_targets"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                problems.append(f"{name}: duplicate values")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CaseFile(BaseModel):
    """A whole import file: a list of cases, or ``{cases: [...]}``."""

    cases: list[CaseRecord]


def json_schema() -> dict[str, object]:
    """JSON Schema of one case record, as published in docs/schemas/case.schema.json."""
    schema = CaseRecord.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def schema_text() -> str:
    """The schema as the exact text of docs/schemas/case.schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
