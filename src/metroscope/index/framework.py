"""Index configuration: the tree of the composite indicator and the pipeline settings.

An index configuration (YAML or dict) is validated by pydantic into an :class:`IndexConfig`:
a tree *index → dimensions → sub-dimensions → indicators*. Every indicator carries its
direction (+1 when more is better, −1 when less is better), weight, unit of measure, source,
optional goalposts/target and an optional denominator. Every aggregate node can choose its
aggregation method; otherwise the method of its level (``pipeline.aggregate.levels``) or the
pipeline default applies. Every pipeline step can be overridden per indicator.

Errors name the indicator or node they concern (``indicator 'co2_t': weight must be ≥ 0``),
never only a list position. The JSON Schema is exported by :func:`export_schema` to
``docs/schemas/index-config.schema.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from metroscope.index.aggregate import AGGREGATORS
from metroscope.index.impute import IMPUTERS
from metroscope.index.normalise import NORMALISERS
from metroscope.index.treat import TREATMENTS
from metroscope.index.weights import WEIGHTINGS

SCHEMA_PATH = Path("docs/schemas/index-config.schema.json")
STEP_NAMES = ("screen", "denominate", "impute", "treat", "normalise", "weights", "aggregate")


class ConfigError(ValueError):
    """An index configuration is invalid; the message names the indicator or node."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodSpec(_Model):
    """A method chosen from a registry and its keyword parameters."""

    method: str = Field(description="Name of the method in the step's registry.")
    params: dict[str, Any] = Field(default_factory=dict, description="Keyword parameters.")


class ScreenStep(_Model):
    """Screening by data availability (JRC/OECD Handbook step 3)."""

    enabled: bool = True
    min_indicator_availability: float = Field(
        default=0.0, ge=0, le=1, description="Drop indicators observed for fewer units [fraction]."
    )
    min_unit_availability: float = Field(
        default=0.0, ge=0, le=1, description="Drop units with fewer observed indicators [fraction]."
    )


class DenominateStep(_Model):
    """Divide indicators by a denominator (per capita, per km²) where the indicator asks."""

    enabled: bool = True


class ImputeStep(MethodSpec):
    """Imputation of missing values; ``method`` from :data:`IMPUTERS`."""

    method: str = "none"
    enabled: bool = True

    @field_validator("method")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_method(v, IMPUTERS, "impute")


class TreatStep(MethodSpec):
    """Outlier treatment; ``method`` from :data:`TREATMENTS` (``coinr`` is COINr's rule)."""

    method: str = "none"
    enabled: bool = True

    @field_validator("method")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_method(v, TREATMENTS, "treat")


class NormaliseStep(MethodSpec):
    """Normalisation; ``method`` from :data:`NORMALISERS`."""

    method: str = "minmax"

    @field_validator("method")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_method(v, NORMALISERS, "normalise")


class WeightsStep(MethodSpec):
    """Weighting; ``method`` from :data:`WEIGHTINGS` (``manual`` uses the config weights)."""

    method: str = "manual"

    @field_validator("method")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_method(v, WEIGHTINGS, "weights")


class AggregationSpec(MethodSpec):
    """An aggregation method from :data:`AGGREGATORS` and its parameters."""

    method: str = "arithmetic"

    @field_validator("method")
    @classmethod
    def _known(cls, v: str) -> str:
        return _check_method(v, AGGREGATORS, "aggregate")


class AggregateStep(AggregationSpec):
    """Aggregation default plus per-level choices keyed by depth (0 = index, 1 = dimensions…)."""

    levels: dict[int, AggregationSpec] = Field(
        default_factory=dict, description="Aggregation per tree depth: 0 index, 1 dimension…"
    )


class Pipeline(_Model):
    """Settings of every pipeline step, in the order they run."""

    screen: ScreenStep = Field(default_factory=ScreenStep)
    denominate: DenominateStep = Field(default_factory=DenominateStep)
    impute: ImputeStep = Field(default_factory=ImputeStep)
    treat: TreatStep = Field(default_factory=TreatStep)
    normalise: NormaliseStep = Field(default_factory=NormaliseStep)
    weights: WeightsStep = Field(default_factory=WeightsStep)
    aggregate: AggregateStep = Field(default_factory=AggregateStep)


class IndicatorOverrides(_Model):
    """Per-indicator choices that replace the pipeline default for this indicator only."""

    impute: MethodSpec | None = None
    treat: MethodSpec | None = None
    normalise: MethodSpec | None = None

    @model_validator(mode="after")
    def _known(self) -> IndicatorOverrides:
        for step, reg in (("impute", IMPUTERS), ("treat", TREATMENTS), ("normalise", NORMALISERS)):
            spec = getattr(self, step)
            if spec is not None:
                _check_method(spec.method, reg, step)
        return self


class Indicator(_Model):
    """One indicator (a leaf of the tree)."""

    id: str = Field(description="Identifier; the column or 'indicator' value in the data.")
    name: str = ""
    direction: Literal[1, -1] = Field(
        default=1, description="+1 more is better, −1 less is better."
    )
    weight: float = Field(default=1.0, description="Weight within the parent node (≥ 0).")
    unit: str = Field(default="", description="Unit of measure, e.g. 't CO2 per capita'.")
    source: str = Field(default="", description="Where the values come from (URL or citation).")
    goalposts: tuple[float, float] | None = Field(
        default=None, description="[worst, best] reference values for goalpost normalisation."
    )
    target: float | None = Field(default=None, description="Target value for distance-to-target.")
    denominator: str | None = Field(
        default=None,
        description="Unit metadata column or indicator to divide by (e.g. population).",
    )
    scale: float = Field(
        default=1.0, description="Multiplier after denomination (e.g. 1000 per 1000)."
    )
    overrides: IndicatorOverrides = Field(default_factory=IndicatorOverrides)

    @field_validator("direction", mode="before")
    @classmethod
    def _sign(cls, v: Any) -> Any:
        return {"+": 1, "-": -1, "−": -1, "+1": 1, "-1": -1}.get(v, v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.weight < 0:
            raise ValueError(f"indicator '{self.id}': weight must be ≥ 0, got {self.weight}")
        if self.goalposts is not None and self.goalposts[0] == self.goalposts[1]:
            raise ValueError(f"indicator '{self.id}': goalposts must differ, got {self.goalposts}")
        return self


class Node(_Model):
    """An aggregate node: a dimension or sub-dimension (or the index itself)."""

    id: str
    name: str = ""
    weight: float = Field(default=1.0, description="Weight within the parent node (≥ 0).")
    aggregation: AggregationSpec | None = Field(
        default=None, description="Overrides the level's aggregation for this node only."
    )
    children: list[Node] = Field(default_factory=list, description="Sub-dimensions.")
    indicators: list[Indicator] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Node:
        if self.weight < 0:
            raise ValueError(f"node '{self.id}': weight must be ≥ 0, got {self.weight}")
        if self.children and self.indicators:
            raise ValueError(
                f"node '{self.id}': has both children and indicators; "
                "put the indicators in a sub-dimension"
            )
        if not self.children and not self.indicators:
            raise ValueError(f"node '{self.id}': has neither children nor indicators")
        return self


class UnitsSpec(_Model):
    """Where the unit metadata lives (columns of the data or of a separate units file)."""

    groups: list[str] = Field(default_factory=list, description="Group columns (region, size).")
    population: str | None = Field(default="population", description="Population column [persons].")
    area: str | None = Field(default="area_km2", description="Area column [km²].")
    is_core: str | None = Field(
        default="is_core", description="Boolean column: unit is a metro core."
    )
    parent: str | None = Field(default="parent", description="Column naming the unit's metro area.")


class DataSpec(_Model):
    """How to read the data: chosen year (None = latest per unit and indicator)."""

    year: int | None = None
    units: UnitsSpec = Field(default_factory=UnitsSpec)


class IndexConfig(_Model):
    """A composite index: its tree, data settings and pipeline."""

    name: str
    description: str = ""
    id: str = "index"
    aggregation: AggregationSpec | None = Field(
        default=None, description="Aggregation of the index."
    )
    dimensions: list[Node]
    data: DataSpec = Field(default_factory=DataSpec)
    pipeline: Pipeline = Field(default_factory=Pipeline)

    @model_validator(mode="after")
    def _unique(self) -> IndexConfig:
        seen: dict[str, str] = {self.id: "index"}
        for kind, item in self.walk():
            if item.id in seen:
                raise ValueError(f"{kind} '{item.id}': id used twice (also a {seen[item.id]})")
            seen[item.id] = kind
        if not self.dimensions:
            raise ValueError("index has no dimensions")
        return self

    # --- navigation -------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[str, Node | Indicator]]:
        """Yield ``(kind, item)`` for every node and indicator, depth first."""

        def rec(node: Node) -> Iterator[tuple[str, Node | Indicator]]:
            yield "node", node
            for c in node.children:
                yield from rec(c)
            for ind in node.indicators:
                yield "indicator", ind

        for d in self.dimensions:
            yield from rec(d)

    @property
    def root(self) -> Node:
        """The index as a node whose children are the dimensions."""
        return Node(
            id=self.id, name=self.name, aggregation=self.aggregation, children=self.dimensions
        )

    @property
    def indicators(self) -> list[Indicator]:
        """All indicators, in tree order."""
        return [i for k, i in self.walk() if k == "indicator"]  # type: ignore[misc]

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def indicator(self, ind_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == ind_id:
                return ind
        raise ConfigError(f"indicator '{ind_id}' is not in index '{self.name}'")

    def nodes(self) -> list[tuple[int, Node]]:
        """Aggregate nodes with their depth (0 = index), deepest first (bottom-up order)."""
        out: list[tuple[int, Node]] = []

        def rec(node: Node, depth: int) -> None:
            for c in node.children:
                rec(c, depth + 1)
            out.append((depth, node))

        rec(self.root, 0)
        return sorted(out, key=lambda t: -t[0])

    def aggregation_for(self, node: Node, depth: int) -> AggregationSpec:
        """Node override, else the level's choice, else the pipeline default."""
        if node.aggregation is not None:
            return node.aggregation
        agg = self.pipeline.aggregate
        if depth in agg.levels:
            return agg.levels[depth]
        return AggregationSpec(method=agg.method, params=agg.params)

    def step_spec(self, step: str, ind: Indicator) -> MethodSpec:
        """The method spec of ``step`` for ``ind``: its override or the pipeline default."""
        override = getattr(ind.overrides, step, None)
        if override is not None:
            return override  # type: ignore[no-any-return]
        spec = getattr(self.pipeline, step)
        return MethodSpec(method=spec.method, params=spec.params)


def _check_method(name: str, registry: Mapping[str, Any], step: str) -> str:
    if name not in registry:
        raise ValueError(
            f"{step}: unknown method '{name}'; accepted: {', '.join(sorted(registry))}"
        )
    return name


def _describe_loc(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic location into a path naming ids: ``dimensions[economy].indicators[gdp]``."""
    parts: list[str] = []
    cur = raw
    for key in loc:
        if isinstance(key, int) and isinstance(cur, list) and key < len(cur):
            cur = cur[key]
            label = cur.get("id") if isinstance(cur, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{label if label else key}]"]
        else:
            parts.append(str(key))
            cur = cur.get(key) if isinstance(cur, dict) else None
    return ".".join(parts)


def load_config(source: str | Path | Mapping[str, Any]) -> IndexConfig:
    """Load and validate an index configuration.

    Parameters
    ----------
    source
        Path of a YAML/JSON file, or an already parsed mapping.

    Raises
    ------
    ConfigError
        With one line per problem naming the indicator or node (and the file).
    """
    where = ""
    if isinstance(source, str | Path):
        path = Path(source)
        where = f"{path}: "
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no such index config file") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    else:
        raw = dict(source)
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}an index config must be a mapping, got {type(raw).__name__}")
    try:
        return IndexConfig.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = _describe_loc(raw, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{where}{loc}: {msg}" if loc else f"{where}{msg}")
        raise ConfigError("invalid index config:\n  " + "\n  ".join(lines)) from None


def config_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`IndexConfig`."""
    return IndexConfig.model_json_schema()


def export_schema(path: str | Path = SCHEMA_PATH) -> Path:
    """Write the JSON Schema of the index config to ``path`` (default under docs/schemas)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return out
