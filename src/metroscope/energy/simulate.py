"""The energy engine's orchestrator: scenario → problem → dispatch → result.

:func:`simulate` reads as the list of its steps::

    index    = scenario_index(scenario)            # tz-aware steps of the period
    problem  = build_problem(scenario)             # PV, load, prices, CO2, sessions → arrays
    dispatch = STRATEGIES[strategy](problem)       # uncontrolled, pv_surplus, optimal, mpc
    result   = SimulationResult(..., timeseries, sessions, kpis)

Shipped demo scenarios live in ``metroscope/data/energy/*.yaml`` and are addressed by name
(:func:`load_scenario`, :func:`list_demos`).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metroscope.energy import fleet, loads, solar, tariffs
from metroscope.energy.dispatch.problem import Battery as ProblemBattery
from metroscope.energy.dispatch.problem import Dispatch, Problem
from metroscope.energy.scenario import Scenario, ScenarioError, read_scenario
from metroscope.energy.timeseries import scenario_index

__all__ = [
    "SimulationResult",
    "build_inputs",
    "build_problem",
    "demo_dir",
    "demo_kind",
    "list_demos",
    "load_scenario",
    "simulate",
]

Progress = Callable[[str, float], None]
"""Progress callback: ``(stage description, fraction done in [0, 1])``."""


@dataclass
class SimulationResult:
    """Everything one run produced (see the energy contract for the column lists)."""

    scenario: Scenario
    strategy: str
    problem: Problem
    dispatch: Dispatch
    timeseries: pd.DataFrame
    sessions: pd.DataFrame
    kpis: dict[str, float]
    refused: pd.DataFrame = field(default_factory=pd.DataFrame)


# ----------------------------------------------------------------------------- demos
def demo_dir() -> Path:
    """Folder of the shipped demo scenarios."""
    return Path(str(resources.files("metroscope") / "data" / "energy"))


def _demo_data(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def demo_kind(name: str) -> str:
    """``scenario`` (run, compare) or ``portfolio`` (many sites; a file with ``sites:``)."""
    path = demo_dir() / f"{name}.yaml"
    return "portfolio" if "sites" in _demo_data(path) else "scenario"


def list_demos(kind: str | None = None) -> list[tuple[str, str]]:
    """Shipped demos as ``(name, one-line description)``, sorted by name.

    Parameters
    ----------
    kind : {"scenario", "portfolio"}, optional
        Only demos of this kind (:func:`demo_kind`); all by default.
    """
    out = []
    for path in sorted(demo_dir().glob("*.yaml")):
        data = _demo_data(path)
        if kind is not None and ("portfolio" if "sites" in data else "scenario") != kind:
            continue
        desc = " ".join(str(data.get("description", "")).split())
        out.append((path.stem, desc))
    return out


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped demo by name (``molins-de-rei``) or a scenario YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return read_scenario(path)
    candidate = demo_dir() / f"{name_or_path}.yaml"
    if candidate.is_file():
        if demo_kind(str(name_or_path)) == "portfolio":
            raise ScenarioError(
                f"{name_or_path!r} is a portfolio of sites, not one scenario: run "
                f"`metroscope energy portfolio {name_or_path}`"
            )
        return read_scenario(candidate)
    names = ", ".join(n for n, _ in list_demos("scenario"))
    raise ScenarioError(f"{name_or_path!r} is neither a scenario file nor a demo name ({names})")


# ----------------------------------------------------------------------------- problem
def _problem_battery(scenario: Scenario) -> ProblemBattery | None:
    b = scenario.battery
    if b is None:
        return None
    initial = (
        b.soc_initial_kwh
        if b.soc_initial_kwh is not None
        else max(b.capacity_kwh / 2, b.soc_min_kwh)
    )
    return ProblemBattery(
        capacity_kwh=b.capacity_kwh,
        power_kw=b.power_kw,
        eta_ch=b.eta_ch,
        eta_dis=b.eta_dis,
        soc_initial_kwh=initial,
        soc_min_kwh=b.soc_min_kwh,
    )


def build_inputs(
    scenario: Scenario, progress: Progress | None = None
) -> tuple[Problem, fleet.FleetPlan]:
    """The dispatch :class:`Problem` of a scenario and its fleet plan (sessions, chargers)."""
    report = progress or (lambda stage, frac: None)
    index = scenario_index(scenario)
    if len(index) < 1:
        raise ScenarioError("period: contains no step")
    dt_h = scenario.period.step_minutes / 60.0
    report("solar", 0.0)
    pv = solar.pv_power_kw(scenario, index).to_numpy(dtype=float)
    report("load", 0.25)
    load = loads.load_kw(scenario, index).to_numpy(dtype=float)
    report("tariff", 0.5)
    p_imp = tariffs.import_price_eur_per_kwh(scenario, index)
    p_exp = tariffs.export_price_eur_per_kwh(scenario, index)
    co2 = tariffs.co2_kg_per_kwh(scenario, index)
    report("sessions", 0.75)
    plan = fleet.plan_fleet(scenario, index)
    acc = plan.accepted
    by_id = {c.charger_id: c for c in plan.chargers}
    ch = [by_id[c] for c in acc["charger"]]
    charger_kw = np.array([c.power_kw for c in ch], dtype=float)
    bidir = np.array([c.bidirectional for c in ch], dtype=bool)
    eta = np.array([c.efficiency for c in ch], dtype=float)
    v2g = acc["v2g"].to_numpy(dtype=bool)
    battery = _problem_battery(scenario)
    deficit = load - pv
    over = np.flatnonzero(deficit > scenario.grid.import_limit_kw + 1e-9)
    if over.size:
        t = int(over[0])
        raise ScenarioError(
            f"grid.import_limit_kw = {scenario.grid.import_limit_kw} kW is below the building's "
            f"net load ({load[t] - pv[t]:.1f} kW at {index[t]}): raise the limit or lower the load"
        )
    problem = Problem(
        index=index,
        dt_h=dt_h,
        pv_kw=pv,
        load_kw=load,
        price_import_eur_per_kwh=p_imp,
        price_export_eur_per_kwh=p_exp,
        co2_kg_per_kwh=co2,
        import_limit_kw=scenario.grid.import_limit_kw,
        export_limit_kw=scenario.grid.export_limit_kw,
        degradation_eur_per_kwh=scenario.degradation_eur_per_kwh,
        demand_charge_eur_per_kw=scenario.demand_charge_eur_per_kw,
        arrival_step=acc["arrival_step"].to_numpy(dtype=np.int64),
        departure_step=acc["departure_step"].to_numpy(dtype=np.int64),
        capacity_kwh=acc["capacity_kwh"].to_numpy(dtype=float),
        soc_arrival_kwh=acc["soc_arrival_kwh"].to_numpy(dtype=float),
        energy_requested_kwh=acc["energy_requested_kwh"].to_numpy(dtype=float),
        min_soc_kwh=acc["min_soc_kwh"].to_numpy(dtype=float),
        max_charge_kw=np.minimum(charger_kw, acc["max_charge_kw"].to_numpy(dtype=float)),
        max_discharge_kw=np.where(
            bidir & v2g, np.minimum(charger_kw, acc["max_discharge_kw"].to_numpy(dtype=float)), 0.0
        ),
        eta_ch=eta,
        eta_dis=eta,
        battery=battery,
        unmet_penalty_eur_per_kwh=scenario.unmet_penalty_eur_per_kwh,
    )
    report("ready", 1.0)
    return problem, plan


def build_problem(scenario: Scenario) -> Problem:
    """The dispatch :class:`Problem` of a scenario (issue 3's model as arrays)."""
    return build_inputs(scenario)[0]


# ----------------------------------------------------------------------------- simulate
def simulate(
    scenario: Scenario,
    strategy: str = "optimal",
    progress: Progress | None = None,
    inputs: tuple[Problem, fleet.FleetPlan] | None = None,
    **options: Any,
) -> SimulationResult:
    """Build the problem, dispatch it with ``strategy``, and compute results and KPIs.

    Parameters
    ----------
    scenario : Scenario
        The hub and period.
    strategy : str
        A name in :data:`metroscope.energy.dispatch.STRATEGIES`.
    progress : callable, optional
        ``progress(stage, fraction)`` called as the run advances.
    inputs : (Problem, FleetPlan), optional
        The output of :func:`build_inputs`, to run several strategies on one build.
    **options
        Passed to the strategy.
    """
    from metroscope.energy.dispatch import get_strategy
    from metroscope.energy.kpis import compute_kpis
    from metroscope.energy.results import session_table, timeseries_frame

    report = progress or (lambda stage, frac: None)
    run = get_strategy(strategy)
    if inputs is None:
        inputs = build_inputs(scenario, lambda s, f: report(f"inputs: {s}", 0.3 * f))
    problem, plan = inputs
    report(f"dispatch: {strategy}", 0.3)
    start = time.perf_counter()
    if progress is not None and "progress" in inspect.signature(run).parameters:
        options.setdefault("progress", lambda f: report(f"dispatch: {strategy}", 0.3 + 0.6 * f))
    dispatch = run(problem, **options)
    if not dispatch.solve_seconds:
        dispatch.solve_seconds = time.perf_counter() - start
    report("results", 0.9)
    frame = timeseries_frame(problem, dispatch)
    sessions = session_table(problem, dispatch, plan.accepted)
    refused = plan.sessions[plan.sessions["status"] != "accepted"].reset_index(drop=True)
    kpis = compute_kpis(
        problem, dispatch, vehicle_ids=plan.accepted["vehicle_id"].to_numpy(), refused=refused
    )
    report("done", 1.0)
    return SimulationResult(scenario, strategy, problem, dispatch, frame, sessions, kpis, refused)
