"""``metroscope energy sweep`` and ``metroscope energy portfolio``: size hubs, scale to a metro."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

SWEEP_OUT = Path("out/sweep")
PORTFOLIO_OUT = Path("out/portfolio")
console = Console(stderr=True, emoji=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code=2)


def sweep_command(
    scenario: str = typer.Argument(..., help="Demo name (e.g. molins-de-rei) or scenario YAML."),
    pv_kw: str = typer.Option(..., "--pv-kw", help="PV sizes FIRST:LAST:STEP in kWp, e.g. 0:30:5."),
    chargers: str = typer.Option(..., "--chargers", help="Charger counts FIRST:LAST, e.g. 1:4."),
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = SWEEP_OUT,
    strategy: str = typer.Option("optimal", "--strategy", help="Dispatch of the project points."),
    pv_eur_per_kwp: float = typer.Option(1200.0, help="PV capex [EUR/kWp] (assumption)."),
    charger_eur: float = typer.Option(5078.05, help="Capex per charger [EUR] (assumption)."),
    opex_pct: float = typer.Option(1.5, help="Yearly O&M [% of capex] (assumption)."),
    lifetime_years: int = typer.Option(20, help="Project lifetime [years] (assumption)."),
    discount_rate: float = typer.Option(0.04, help="Real discount rate [-] (assumption)."),
    workers: int = typer.Option(1, "--workers", help="Local worker processes."),
) -> None:
    """Size a hub: simulate every PV × chargers point, price it (NPV, paybacks) and plot the
    cost–CO2 Pareto front. Writes sweep.csv, sweep.json and pareto.html to --out."""
    from pydantic import ValidationError

    from metroscope.energy.finance import CostAssumptions
    from metroscope.energy.scenario import ScenarioError
    from metroscope.energy.simulate import load_scenario
    from metroscope.energy.sizing import parse_range, sweep, write_sweep

    try:
        pv_values = parse_range(pv_kw, "--pv-kw")
        charger_values = parse_range(chargers, "--chargers", integer=True)
        if workers < 1:
            raise ValueError(f"--workers: must be >= 1, got {workers}")
        costs = CostAssumptions(
            pv_eur_per_kwp=pv_eur_per_kwp,
            charger_eur=charger_eur,
            opex_pct_of_capex=opex_pct,
            lifetime_years=lifetime_years,
            discount_rate=discount_rate,
        )
        base = load_scenario(scenario)
        result = sweep(
            base,
            pv_values,
            [int(c) for c in charger_values],
            strategy=strategy,
            costs=costs,
            workers=workers,
        )
    except ValidationError as err:
        first = err.errors()[0]
        raise _fail(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
    except (ValueError, ScenarioError, KeyError) as err:
        raise _fail(str(err)) from None
    paths = write_sweep(result, out)
    table = Table(title=f"Sizing {base.name} ({strategy}); best NPV first")
    for col in (
        "kWp",
        "chargers",
        "capex EUR",
        "saving EUR/yr",
        "NPV EUR",
        "payback yr",
        "CO2 kg/yr",
        "Pareto",
    ):
        table.add_column(col, justify="right")
    for r in result.table.sort_values("npv_eur", ascending=False).head(15).itertuples():
        payback = (
            "never"
            if r.simple_payback_years != r.simple_payback_years
            else f"{r.simple_payback_years:.1f}"
        )
        table.add_row(
            f"{r.pv_kwp:g}",
            str(r.chargers),
            f"{r.capex_eur:,.0f}",
            f"{r.saving_eur_per_year:,.0f}",
            f"{r.npv_eur:,.0f}",
            payback,
            f"{r.co2_kg_per_year:,.0f}",
            "yes" if r.pareto else "",
        )
    Console().print(table)
    console.print(f"wrote {paths['csv']}, {paths['json']}, {paths['html']}")


def portfolio_command(
    portfolio: str = typer.Argument(..., help="Portfolio YAML or shipped name (amb-portfolio)."),
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = PORTFOLIO_OUT,
    workers: int = typer.Option(
        1, "--workers", help="Local worker processes (ignored when DASK_SCHEDULER_ADDRESS is set)."
    ),
) -> None:
    """Simulate every site of a portfolio (Dask when DASK_SCHEDULER_ADDRESS is set, local
    processes otherwise) and write per-site, per-municipality and metro results to --out."""
    from metroscope.energy.portfolio import load_portfolio, run_portfolio, write_portfolio_outputs
    from metroscope.energy.scenario import ScenarioError

    if workers < 1:
        raise _fail(f"--workers: must be >= 1, got {workers}")
    try:
        spec, base_dir = load_portfolio(portfolio)
        result = run_portfolio(spec, base_dir, workers=workers)
    except (ValueError, ScenarioError) as err:
        raise _fail(str(err)) from None
    paths = write_portfolio_outputs(result, out)
    table = Table(title=f"Portfolio {spec.name}: {len(result.sites)} sites, {result.backend}")
    for col in ("municipality", "sites", "PV kWh", "import kWh", "cost EUR", "CO2 kg", "unmet kWh"):
        table.add_column(col, justify="right")
    rows = [*result.municipalities.to_dict("records"), {"municipality": "METRO", **result.metro}]
    for r in rows:
        table.add_row(
            str(r["municipality"]),
            f"{r['sites']:.0f}",
            f"{r['pv_kwh']:,.0f}",
            f"{r['import_kwh']:,.0f}",
            f"{r['energy_cost_eur']:,.0f}",
            f"{r['co2_kg']:,.0f}",
            f"{r['unmet_kwh']:,.1f}",
        )
    Console().print(table)
    console.print(f"{result.wall_seconds:.1f} s; wrote {', '.join(str(p) for p in paths.values())}")


def register(app: typer.Typer) -> None:
    """Add the planning commands to the ``energy`` group."""
    app.command("sweep")(sweep_command)
    app.command("portfolio")(portfolio_command)
