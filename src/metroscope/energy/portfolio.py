"""Portfolios: many hubs across a metropolitan area, simulated in parallel and added up.

A portfolio YAML file (:class:`Portfolio`, JSON Schema in
``docs/schemas/energy-portfolio.schema.json``) lists sites; each names a base scenario (a
shipped demo or a YAML path relative to the portfolio file) and overrides a few of its
quantities (:data:`metroscope.energy.variants.OVERRIDES`: place, PV kWp, chargers, fleet
size, building consumption) or any field by dotted path. :func:`run_portfolio` simulates
every site — on a Dask cluster when ``DASK_SCHEDULER_ADDRESS`` is set, on local processes
otherwise (:mod:`metroscope.energy.parallel`) — and returns one row per site, one per
municipality and the metro totals.

Aggregation rules (:data:`SUMMED_KPIS`, :func:`aggregate`)
---------------------------------------------------------
Energies, costs, CO2, EV energies and solve times add up. Ratios are recomputed from
their summed parts, with :mod:`metroscope.energy.kpis`' definitions:
``self_consumption = Σ local_pv_kwh / Σ pv_used_kwh`` and
``self_sufficiency = Σ local_pv_kwh / Σ consumption_kwh`` where
``local_pv = pv_used − export`` and ``consumption = local_pv + import``. Peak import is the sum of
the sites' own peaks (``peak_import_kw_sum``): an upper bound of the coincident metro peak,
labelled so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from metroscope.energy.parallel import run_jobs
from metroscope.energy.scenario import Scenario, ScenarioError
from metroscope.energy.variants import apply_overrides

__all__ = [
    "SUMMED_KPIS",
    "Portfolio",
    "PortfolioResult",
    "Site",
    "SiteOverrides",
    "aggregate",
    "load_portfolio",
    "portfolio_json_schema",
    "run_portfolio",
    "write_portfolio_outputs",
]

SUMMED_KPIS: tuple[str, ...] = (
    "energy_cost_eur",
    "import_kwh",
    "export_kwh",
    "pv_kwh",
    "co2_kg",
    "ev_requested_kwh",
    "ev_delivered_kwh",
    "unmet_kwh",
    "v2g_discharged_kwh",
    "ev_to_building_kwh",
    "degradation_cost_eur",
    "pv_used_kwh",
    "curtailed_kwh",
    "local_pv_kwh",
    "consumption_kwh",
    "ev_charged_kwh",
    "refused_requested_kwh",
    "sessions_refused",
    "pv_kwp",
    "chargers",
    "sessions",
    "steps",
    "solve_seconds",
    "site_years",
)
"""Site columns that add up across sites."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteOverrides(_Model):
    """Quantities of the base scenario a site changes (unset = keep the base value)."""

    place: str | None = Field(default=None, description="Location name shown in reports.")
    latitude_deg: float | None = Field(default=None, ge=-90, le=90, description="Latitude [deg].")
    longitude_deg: float | None = Field(
        default=None, ge=-180, le=180, description="Longitude [deg]."
    )
    pv_kw: float | None = Field(default=None, ge=0, description="PV peak power [kWp].")
    chargers: int | None = Field(
        default=None, ge=0, description="Chargers of the first charger group."
    )
    fleet_size: int | None = Field(
        default=None, ge=0, description="Vehicles of the first municipal_fleet session profile."
    )
    building_annual_kwh: float | None = Field(
        default=None, ge=0, description="Annual consumption of a BDEW building load [kWh/yr]."
    )


class Site(_Model):
    """One hub of the portfolio."""

    id: str = Field(min_length=1, description="Unique site identifier.")
    municipality: str = Field(min_length=1, description="Municipality the site is in.")
    scenario: str | None = Field(
        default=None,
        description="Base scenario: demo name or YAML path (default: the portfolio's).",
    )
    overrides: SiteOverrides = Field(default_factory=lambda: SiteOverrides())
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Other scenario fields by dotted path, e.g. {'grid.import_limit_kw': 60}.",
    )
    strategy: str | None = Field(
        default=None, description="Dispatch strategy (default: the portfolio's)."
    )
    sources: list[str] = Field(
        default_factory=list, description="Where this site's facts come from."
    )
    assumptions: list[str] = Field(
        default_factory=list, description="Which of this site's figures are assumed."
    )


class Portfolio(_Model):
    """A set of hubs across a metropolitan area."""

    name: str = Field(description="Short identifier, e.g. amb-portfolio.")
    description: str = ""
    illustrative: bool = Field(
        default=True, description="True when sizes and fleets are assumptions, not an actual plan."
    )
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    scenario: str | None = Field(default=None, description="Default base scenario of the sites.")
    strategy: str = Field(default="optimal", description="Default dispatch strategy.")
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids_and_scenarios(self) -> Portfolio:
        seen: set[str] = set()
        for i, site in enumerate(self.sites):
            if site.id in seen:
                raise ValueError(
                    f"sites[{i}].id {site.id!r} is used twice; site ids must be unique"
                )
            seen.add(site.id)
            if site.scenario is None and self.scenario is None:
                raise ValueError(
                    f"sites[{i}] ({site.id}): no scenario; give `scenario:` on the site or the portfolio"
                )
        return self


def portfolio_json_schema() -> dict[str, Any]:
    """JSON Schema of the portfolio YAML format."""
    schema = Portfolio.model_json_schema(mode="validation")
    schema["$id"] = "https://metroscope.invalid/schemas/energy-portfolio.schema.json"
    schema["title"] = "Metroscope energy portfolio"
    return schema


def write_json_schema(path: str | Path) -> None:
    """Write :func:`portfolio_json_schema` to ``path`` (sorted, indented)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(portfolio_json_schema(), indent=2, sort_keys=True) + "\n")


def load_portfolio(name_or_path: str | Path) -> tuple[Portfolio, Path]:
    """Read a portfolio YAML by path or shipped name; returns it with its folder.

    Raises
    ------
    ScenarioError
        Naming the file and every bad field.
    """
    from metroscope.energy.simulate import demo_dir

    path = Path(name_or_path)
    if not path.is_file():
        candidate = demo_dir() / f"{name_or_path}.yaml"
        if path.suffix in (".yaml", ".yml") or not candidate.is_file():
            raise ScenarioError(f"{name_or_path}: no such portfolio file or shipped portfolio name")
        path = candidate
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: not valid YAML: {err}") from None
    try:
        return Portfolio.model_validate(data), path.resolve().parent
    except ValidationError as err:
        lines = [f"{path}: invalid portfolio ({err.error_count()} problem(s))"]
        for e in err.errors():
            loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
            msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
            lines.append(f"  - field {loc}: {msg}")
        raise ScenarioError("\n".join(lines)) from None


def site_scenarios(portfolio: Portfolio, base_dir: Path) -> list[tuple[Site, Scenario, str]]:
    """Every site's scenario with its overrides applied, and its strategy."""
    from metroscope.energy.dispatch import STRATEGIES
    from metroscope.energy.simulate import load_scenario

    bases: dict[str, Scenario] = {}
    out = []
    for i, site in enumerate(portfolio.sites):
        origin = f"sites[{i}] ({site.id})"
        ref = site.scenario or portfolio.scenario or ""
        if ref not in bases:
            local = base_dir / ref
            try:
                bases[ref] = load_scenario(local if local.is_file() else ref)
            except ScenarioError as err:
                raise ScenarioError(f"{origin}: scenario {ref!r}: {err}") from None
        strategy = site.strategy or portfolio.strategy
        if strategy not in STRATEGIES:
            raise ScenarioError(
                f"{origin}: unknown strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}"
            )
        overrides = site.overrides.model_dump(exclude_none=True)
        overrides.setdefault("name", f"{bases[ref].name}@{site.id}")
        scenario = apply_overrides(bases[ref], overrides, site.set, origin=origin)
        out.append((site, scenario, strategy))
    return out


def _run_site(job: tuple[str, str, Scenario, str]) -> dict[str, Any]:
    """Simulate one site and return its row (KPIs plus the parts ratios are made of)."""
    from metroscope.energy.simulate import simulate

    site_id, municipality, scenario, strategy = job
    result = simulate(scenario, strategy)
    k = {key: float(v) for key, v in result.kpis.items()}
    local_pv = k["pv_used_kwh"] - k["export_kwh"]
    pv_kwp = scenario.pv.peak_kw if scenario.pv is not None and scenario.pv.kind == "pvlib" else 0.0
    return {
        "site": site_id,
        "municipality": municipality,
        "strategy": strategy,
        "lat_deg": scenario.location.lat_deg,
        "lon_deg": scenario.location.lon_deg,
        "pv_kwp": float(pv_kwp),
        "chargers": float(sum(g.count for g in scenario.chargers)),
        "site_years": float(result.problem.n_steps * result.problem.dt_h / 8760.0),
        **k,
        "local_pv_kwh": local_pv,
        "consumption_kwh": local_pv + k["import_kwh"],
    }


def aggregate(rows: pd.DataFrame) -> dict[str, float]:
    """Metro (or municipality) totals of site rows (see the module docstring's rules)."""
    total = {k: float(rows[k].sum()) for k in SUMMED_KPIS if k in rows}
    total["sites"] = float(len(rows))
    if "peak_import_kw" in rows:
        total["peak_import_kw_sum"] = float(rows["peak_import_kw"].sum())
    used = total.get("pv_used_kwh", 0.0)
    local = total.get("local_pv_kwh", 0.0)
    total["self_consumption"] = local / used if used > 1e-12 else 0.0
    cons = total.get("consumption_kwh", 0.0)
    total["self_sufficiency"] = local / cons if cons > 1e-12 else 0.0
    return total


@dataclass
class PortfolioResult:
    """Site rows, municipality rows and metro totals of a portfolio run."""

    portfolio: Portfolio
    sites: pd.DataFrame
    municipalities: pd.DataFrame
    metro: dict[str, float]
    backend: str
    wall_seconds: float


def run_portfolio(
    portfolio: Portfolio,
    base_dir: Path | str = ".",
    *,
    workers: int = 1,
    client: Any = None,
    show_progress: bool = True,
) -> PortfolioResult:
    """Simulate every site of a portfolio and aggregate per municipality and metro.

    Parameters
    ----------
    portfolio : Portfolio
        The sites.
    base_dir : path
        Folder relative scenario paths refer to (the portfolio file's folder).
    workers : int
        Local worker processes (1 = in process); ignored on a Dask cluster.
    client : dask.distributed.Client, optional
        Run on this Dask client; otherwise on ``DASK_SCHEDULER_ADDRESS`` when set.
    show_progress : bool
        Draw a rich progress bar.
    """
    import time

    from metroscope.energy.parallel import choose_backend

    jobs = [
        (site.id, site.municipality, scenario, strategy)
        for site, scenario, strategy in site_scenarios(portfolio, Path(base_dir))
    ]
    start = time.perf_counter()
    rows = run_jobs(
        _run_site,
        jobs,
        workers=workers,
        client=client,
        description=f"portfolio {portfolio.name}",
        show_progress=show_progress,
    )
    wall = time.perf_counter() - start
    return summarise(portfolio, rows, choose_backend(workers, client), wall)


def summarise(
    portfolio: Portfolio, rows: Sequence[dict[str, Any]], backend: str, wall_seconds: float
) -> PortfolioResult:
    """Build a :class:`PortfolioResult` from site rows (as :func:`run_portfolio` makes them)."""
    sites = pd.DataFrame(list(rows))
    munis = pd.DataFrame(
        [{"municipality": m, **aggregate(g)} for m, g in sites.groupby("municipality", sort=True)]
    )
    return PortfolioResult(portfolio, sites, munis, aggregate(sites), backend, wall_seconds)


def write_portfolio_outputs(result: PortfolioResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``sites.csv``, ``municipalities.csv``, ``metro.json`` and ``portfolio.html``."""
    from metroscope.energy.portfolio_report import write_portfolio_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "sites": out / "sites.csv",
        "municipalities": out / "municipalities.csv",
        "metro": out / "metro.json",
    }
    result.sites.to_csv(paths["sites"], index=False)
    result.municipalities.to_csv(paths["municipalities"], index=False)
    meta = {
        "portfolio": result.portfolio.name,
        "illustrative": result.portfolio.illustrative,
        "backend": result.backend,
        "wall_seconds": result.wall_seconds,
        "metro": result.metro,
        "notes": [
            "peak_import_kw_sum adds every site's own peak: an upper bound of the coincident peak"
        ],
        "assumptions": result.portfolio.assumptions,
        "sources": result.portfolio.sources,
    }
    paths["metro"].write_text(json.dumps(meta, indent=2), encoding="utf-8")
    paths["html"] = write_portfolio_html(result, out / "portfolio.html")
    return paths
