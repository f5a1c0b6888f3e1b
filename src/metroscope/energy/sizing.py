"""Size a hub: sweep PV kWp × chargers, price each point, find the cost–CO2 Pareto front.

Every point of the grid is simulated (``optimal`` dispatch by default) and compared with
the *no-project baseline* of the same charger count: grid only, no PV, no battery,
uncontrolled charging of the same EV sessions. The yearly saving against that baseline,
the capex and opex of :class:`~metroscope.energy.finance.CostAssumptions` give NPV and
paybacks (:mod:`metroscope.energy.finance`). Results scale to one year when the simulated
period is shorter or longer.

Columns of :attr:`SweepResult.table` (one row per point)
--------------------------------------------------------
``pv_kwp``, ``chargers``, ``capex_eur``, ``opex_eur_per_year``, ``energy_cost_eur_per_year``,
``baseline_cost_eur_per_year``, ``saving_eur_per_year``, ``net_eur_per_year``, ``npv_eur``,
``simple_payback_years``, ``discounted_payback_years`` (NaN = never),
``annualised_cost_eur_per_year`` (capex × capital recovery factor + opex + energy cost),
``co2_kg_per_year``, ``baseline_co2_kg_per_year``, ``co2_saving_kg_per_year``,
``unmet_kwh_per_year``, ``refused_kwh_per_year`` (energy of sessions no charger was free
for), ``self_sufficiency``, ``pareto`` (on the front of
annualised cost vs CO2).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metroscope.energy.finance import (
    CostAssumptions,
    capex_eur,
    capital_recovery_factor,
    discounted_payback_years,
    npv_eur,
    pareto_front,
    simple_payback_years,
)
from metroscope.energy.parallel import run_jobs
from metroscope.energy.scenario import Scenario
from metroscope.energy.variants import apply_overrides

__all__ = [
    "TABLE_COLUMNS",
    "SweepResult",
    "evaluate_point",
    "parse_range",
    "sweep",
    "write_pareto_html",
]

HOURS_PER_YEAR = 8760.0
TABLE_COLUMNS = (
    "pv_kwp",
    "chargers",
    "capex_eur",
    "opex_eur_per_year",
    "energy_cost_eur_per_year",
    "baseline_cost_eur_per_year",
    "saving_eur_per_year",
    "net_eur_per_year",
    "npv_eur",
    "simple_payback_years",
    "discounted_payback_years",
    "annualised_cost_eur_per_year",
    "co2_kg_per_year",
    "baseline_co2_kg_per_year",
    "co2_saving_kg_per_year",
    "unmet_kwh_per_year",
    "refused_kwh_per_year",
    "self_sufficiency",
    "pareto",
)
"""Columns of :attr:`SweepResult.table`, in order."""
BASELINE_STRATEGY = "uncontrolled"


def parse_range(text: str, option: str, *, integer: bool = False) -> list[float]:
    """Parse ``a:b:step`` (or ``a:b`` with step 1, or a single ``a``) into inclusive values.

    Parameters
    ----------
    text : str
        The range as typed, e.g. ``"0:30:5"`` → 0, 5, …, 30.
    option : str
        Option name for error messages, e.g. ``"--pv-kw"``.
    integer : bool
        Require whole numbers (charger counts).

    Raises
    ------
    ValueError
        Naming ``option``, what was wrong and the accepted form.
    """
    form = "a:b (whole numbers, a <= b)" if integer else "a:b:step (numbers, a <= b, step > 0)"
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(p.strip() == "" for p in parts):
        raise ValueError(f"{option}: cannot read {text!r}; expected {form}")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{option}: {text!r} holds a non-number; expected {form}") from None
    if any(not math.isfinite(n) for n in nums):
        raise ValueError(f"{option}: {text!r} holds an infinite or NaN value; expected {form}")
    start = nums[0]
    stop = nums[1] if len(nums) > 1 else start
    step = nums[2] if len(nums) > 2 else 1.0
    if integer and any(n != int(n) for n in nums):
        raise ValueError(f"{option}: {text!r} must hold whole numbers; expected {form}")
    if start < 0:
        raise ValueError(f"{option}: the start {start:g} must be >= 0")
    if stop < start:
        raise ValueError(
            f"{option}: the end {stop:g} is below the start {start:g}; expected {form}"
        )
    if step <= 0:
        raise ValueError(f"{option}: the step {step:g} must be > 0; expected {form}")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > 1000:
        raise ValueError(f"{option}: {text!r} gives {count} values; at most 1000 are accepted")
    values = [round(start + i * step, 10) for i in range(count)]
    return [float(int(v)) for v in values] if integer else values


@dataclass
class SweepResult:
    """A sizing sweep: one row per (PV, chargers) point and the assumptions behind it."""

    scenario_name: str
    strategy: str
    costs: CostAssumptions
    table: pd.DataFrame
    baselines: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def best(self) -> pd.Series:
        """The point with the highest NPV."""
        return self.table.loc[self.table["npv_eur"].idxmax()]


def _simulate_kpis(job: tuple[Scenario, str]) -> dict[str, float]:
    """Simulate one variant and return its KPIs plus the simulated length [h]."""
    from metroscope.energy.simulate import simulate

    scenario, strategy = job
    result = simulate(scenario, strategy)
    kpis = {k: float(v) for k, v in result.kpis.items()}
    kpis["period_h"] = float(result.problem.n_steps * result.problem.dt_h)
    return kpis


def evaluate_point(
    pv_kwp: float,
    chargers: int,
    kpis: dict[str, float],
    baseline: dict[str, float],
    costs: CostAssumptions,
) -> dict[str, float]:
    """Price one sweep point from its KPIs and its baseline's KPIs (both per period).

    Parameters
    ----------
    pv_kwp, chargers : float, int
        Size of the point [kWp], [-].
    kpis, baseline : dict
        KPIs of the point and of its no-project baseline, with ``period_h`` [h].
    costs : CostAssumptions
        Unit costs, lifetime, discount rate.
    """
    per_year = HOURS_PER_YEAR / kpis["period_h"]
    base_per_year = HOURS_PER_YEAR / baseline["period_h"]
    capex = capex_eur(pv_kwp, chargers, costs)
    opex = capex * costs.opex_pct_of_capex / 100.0
    energy = kpis["energy_cost_eur"] * per_year
    base_energy = baseline["energy_cost_eur"] * base_per_year
    saving = base_energy - energy
    net = saving - opex
    rate, years = costs.discount_rate, costs.lifetime_years
    simple = simple_payback_years(capex, net)
    disc = discounted_payback_years(capex, net, rate, years)
    co2 = kpis["co2_kg"] * per_year
    base_co2 = baseline["co2_kg"] * base_per_year
    return {
        "pv_kwp": float(pv_kwp),
        "chargers": int(chargers),
        "capex_eur": capex,
        "opex_eur_per_year": opex,
        "energy_cost_eur_per_year": energy,
        "baseline_cost_eur_per_year": base_energy,
        "saving_eur_per_year": saving,
        "net_eur_per_year": net,
        "npv_eur": npv_eur(capex, net, rate, years),
        "simple_payback_years": np.nan if simple is None else simple,
        "discounted_payback_years": np.nan if disc is None else disc,
        "annualised_cost_eur_per_year": capex * capital_recovery_factor(rate, years)
        + opex
        + energy,
        "co2_kg_per_year": co2,
        "baseline_co2_kg_per_year": base_co2,
        "co2_saving_kg_per_year": base_co2 - co2,
        "unmet_kwh_per_year": kpis.get("unmet_kwh", 0.0) * per_year,
        "refused_kwh_per_year": kpis.get("refused_requested_kwh", 0.0) * per_year,
        "self_sufficiency": kpis.get("self_sufficiency", np.nan),
    }


def sweep(
    scenario: Scenario,
    pv_kwp_values: list[float],
    charger_values: list[float] | list[int],
    *,
    strategy: str = "optimal",
    costs: CostAssumptions | None = None,
    workers: int = 1,
    client: Any = None,
    show_progress: bool = True,
) -> SweepResult:
    """Simulate and price every (PV kWp, chargers) point of a grid.

    Parameters
    ----------
    scenario : Scenario
        Base scenario (needs a pvlib PV model unless all PV values are 0, and a charger
        group).
    pv_kwp_values : list of float
        PV sizes [kWp].
    charger_values : list of int
        Charger counts [-].
    strategy : str
        Dispatch strategy of the project points (``optimal`` by default).
    costs : CostAssumptions, optional
        Unit costs; labelled defaults when omitted.
    workers, client, show_progress
        Passed to :func:`metroscope.energy.parallel.run_jobs`.
    """
    costs = costs or CostAssumptions()
    if not pv_kwp_values or not charger_values:
        raise ValueError("sweep: give at least one PV size and one charger count")
    chargers = [int(c) for c in charger_values]
    points = [(float(pv), c) for c in chargers for pv in pv_kwp_values]
    jobs: list[tuple[Scenario, str]] = []
    for c in chargers:  # baselines first: grid only, no PV, no battery, uncontrolled
        base = apply_overrides(
            scenario,
            {"pv_kw": 0.0, "chargers": c},
            {"battery": None},
            origin=f"sweep baseline chargers={c}",
        )
        jobs.append((base, BASELINE_STRATEGY))
    for pv, c in points:
        variant = apply_overrides(
            scenario, {"pv_kw": pv, "chargers": c}, origin=f"sweep point pv_kw={pv:g} chargers={c}"
        )
        jobs.append((variant, strategy))
    results = run_jobs(
        _simulate_kpis,
        jobs,
        workers=workers,
        client=client,
        description=f"sizing {scenario.name}",
        show_progress=show_progress,
    )
    base_kpis = dict(zip(chargers, results[: len(chargers)], strict=True))
    rows = [
        evaluate_point(pv, c, kpis, base_kpis[c], costs)
        for (pv, c), kpis in zip(points, results[len(chargers) :], strict=True)
    ]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS[:-1]))
    table["pareto"] = pareto_front(
        table["annualised_cost_eur_per_year"].to_numpy(), table["co2_kg_per_year"].to_numpy()
    )
    baselines = pd.DataFrame(
        [
            {"chargers": c, **{k: v for k, v in base_kpis[c].items() if np.isscalar(v)}}
            for c in chargers
        ]
    )
    notes = [
        f"Project points use the '{strategy}' strategy; the baseline for each charger count is "
        "grid only, no PV, no battery, uncontrolled charging of the same sessions.",
        "Figures are scaled to one year from the simulated period.",
        *[f"{k}: {v}" for k, v in costs.labels().items()],
    ]
    return SweepResult(scenario.name, strategy, costs, table, baselines, notes)


_TABLE_COLUMNS = {
    "pv_kwp": "PV [kWp]",
    "chargers": "chargers",
    "capex_eur": "capex [EUR]",
    "saving_eur_per_year": "saving [EUR/yr]",
    "npv_eur": "NPV [EUR]",
    "simple_payback_years": "payback [yr]",
    "discounted_payback_years": "discounted payback [yr]",
    "annualised_cost_eur_per_year": "annualised cost [EUR/yr]",
    "co2_kg_per_year": "CO2 [kg/yr]",
    "co2_saving_kg_per_year": "CO2 saved [kg/yr]",
    "unmet_kwh_per_year": "unmet [kWh/yr]",
    "refused_kwh_per_year": "refused [kWh/yr]",
    "pareto": "Pareto",
}


def _pareto_figure(result: SweepResult) -> go.Figure:
    t = result.table
    fig = go.Figure()
    for on_front, name, colour in (
        (False, "other points", "#9aa5b1"),
        (True, "Pareto front", "#c0392b"),
    ):
        sel = t[t["pareto"] == on_front].sort_values("co2_kg_per_year")
        fig.add_trace(
            go.Scatter(
                x=sel["co2_kg_per_year"],
                y=sel["annualised_cost_eur_per_year"],
                mode="markers+lines+text" if on_front else "markers+text",
                name=name,
                marker={"size": 11, "color": colour},
                line={"dash": "dot"},
                text=[f"{r.pv_kwp:g} kWp · {r.chargers} ch" for r in sel.itertuples()],
                textposition="top center",
                textfont={"size": 10},
                customdata=sel["npv_eur"],
                hovertemplate="%{text}<br>CO2 %{x:,.0f} kg/yr<br>cost %{y:,.0f} EUR/yr"
                "<br>NPV %{customdata:,.0f} EUR<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"Annualised cost vs grid CO2 ({result.strategy} dispatch)",
        xaxis_title="grid CO2 [kg/year]",
        yaxis_title="capex × CRF + opex + energy [EUR/year]",
        template="plotly_white",
        height=520,
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


def _npv_figure(result: SweepResult) -> go.Figure:
    fig = go.Figure()
    for chargers, group in result.table.groupby("chargers"):
        g = group.sort_values("pv_kwp")
        fig.add_trace(
            go.Scatter(
                x=g["pv_kwp"],
                y=g["npv_eur"].round(0),
                name=f"{chargers} charger(s)",
                mode="lines+markers",
            )
        )
    fig.add_hline(y=0, line={"color": "#52606d", "width": 1})
    fig.update_layout(
        title="Net present value by PV size",
        xaxis_title="PV [kWp]",
        yaxis_title="NPV [EUR]",
        template="plotly_white",
        height=420,
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def write_pareto_html(result: SweepResult, path: str | Path) -> Path:
    """The sizing page: Pareto chart of annualised cost vs CO2, NPV by size, all points."""
    from metroscope.energy.report import _fig_html, _html_page

    t = result.table[list(_TABLE_COLUMNS)].rename(columns=_TABLE_COLUMNS)
    table = t.to_html(
        index=False, float_format=lambda v: f"{v + 0.0:,.2f}", na_rep="never", border=0
    )
    best = result.best()
    notes = "".join(f"<li>{n}</li>" for n in result.notes)
    body = (
        '<div class="banner"><b>Illustrative.</b> Capex, opex, lifetime and discount rate are '
        "assumptions (listed below) except the sourced Molins de Rei reference cost.</div>"
        f"<p>Best NPV: <b>{best['pv_kwp']:g} kWp with {int(best['chargers'])} charger(s)</b>, "
        f"NPV {best['npv_eur']:,.0f} EUR, saving {best['saving_eur_per_year']:,.0f} EUR/yr.</p>"
        f"<section>{_fig_html(_pareto_figure(result))}</section>"
        f"<section>{_fig_html(_npv_figure(result))}</section>"
        f"<section><h2>All points</h2><div style='overflow:auto'>{table}</div></section>"
        f"<section><h2>Assumptions</h2><ul class='assume'>{notes}</ul></section>"
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = _html_page(f"Sizing {result.scenario_name}", "PV kWp × chargers sweep", body)
    out.write_text(page, encoding="utf-8")
    return out


def write_sweep(result: SweepResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``sweep.csv``, ``sweep.json`` (with assumptions) and ``pareto.html``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "sweep.csv"
    result.table.to_csv(csv, index=False)
    payload = {
        "scenario": result.scenario_name,
        "strategy": result.strategy,
        "costs": result.costs.model_dump(),
        "notes": result.notes,
        "best_npv": json.loads(result.best().to_json()),
        "points": json.loads(result.table.to_json(orient="records")),
        "baselines": json.loads(result.baselines.to_json(orient="records")),
    }
    js = out / "sweep.json"
    js.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return {"csv": csv, "json": js, "html": write_pareto_html(result, out / "pareto.html")}
