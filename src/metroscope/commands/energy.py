"""``metroscope energy …``: the energy engine from the command line.

Operating commands (``run``, ``compare``, ``demos``) live here; planning commands
(``sweep``, ``portfolio``) live in :mod:`metroscope.commands.energy_planning`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from metroscope.commands import energy_planning

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
energy_planning.register(app)

# wide enough for the comparison table when output is piped or captured
console = Console(width=None if sys.stdout.isatty() else 180)

SCENARIO_HELP = "A shipped demo name (see `metroscope energy demos`) or a scenario YAML file."


@contextmanager
def _progress_bar(enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar driven by ``(stage, fraction)`` callbacks."""
    if not enabled:
        yield lambda stage, frac: None
        return
    with Progress(
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)

        def update(stage: str, frac: float) -> None:
            bar.update(task, description=stage[:28], completed=min(max(frac, 0.0), 1.0))

        yield update


def _load(name_or_file: str) -> Any:
    from metroscope.energy.scenario import ScenarioError
    from metroscope.energy.simulate import load_scenario

    try:
        return load_scenario(name_or_file)
    except ScenarioError as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2) from None


def _fail(err: Exception) -> None:
    console.print(f"[red]error:[/red] {err}")
    raise typer.Exit(2)


def write_outputs(result: Any, out: Path) -> list[Path]:
    """Write kpis.json, timeseries.csv/.parquet, sessions.csv (and refused) and report.html."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    kpis = {"scenario": result.scenario.name, "strategy": result.strategy, **result.kpis}
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2) + "\n")
    written.append(out / "kpis.json")
    result.timeseries.to_csv(out / "timeseries.csv", float_format="%.6g")
    written.append(out / "timeseries.csv")
    try:
        result.timeseries.to_parquet(out / "timeseries.parquet")
        written.append(out / "timeseries.parquet")
    except ImportError:  # pyarrow missing
        console.print("[yellow]pyarrow not installed: timeseries.parquet skipped[/yellow]")
    result.sessions.to_csv(out / "sessions.csv", index=False, float_format="%.6g")
    written.append(out / "sessions.csv")
    if len(result.refused):
        result.refused.to_csv(out / "refused_sessions.csv", index=False, float_format="%.6g")
        written.append(out / "refused_sessions.csv")
    try:
        from metroscope.energy.report import write_report
    except ImportError:
        console.print("[yellow]report module not available: report.html skipped[/yellow]")
    else:
        write_report(result, out / "report.html")
        written.append(out / "report.html")
    return written


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help=SCENARIO_HELP)],
    strategy: Annotated[
        str, typer.Option("--strategy", "-s", help="Dispatch strategy.")
    ] = "optimal",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("energy-run"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Simulate one scenario with one strategy and write its results to OUT."""
    from metroscope.energy.dispatch import STRATEGIES
    from metroscope.energy.scenario import ScenarioError
    from metroscope.energy.simulate import simulate

    if strategy not in STRATEGIES:
        _fail(ValueError(f"unknown strategy {strategy!r}; available: {', '.join(STRATEGIES)}"))
    sc = _load(scenario)
    try:
        with _progress_bar(not quiet) as progress:
            result = simulate(sc, strategy, progress=progress)
            progress("writing outputs", 1.0)
            written = write_outputs(result, out)
    except ScenarioError as err:
        _fail(err)
    k = result.kpis
    console.print(
        f"[bold]{sc.name}[/bold] · {strategy}: cost {k['energy_cost_eur']:,.2f} EUR · import "
        f"{k['import_kwh']:,.0f} kWh · unmet {k['unmet_kwh']:,.2f} kWh · "
        f"{int(k['steps'])} steps in {k['solve_seconds']:.2f} s"
    )
    for path in written:
        console.print(f"  wrote {path}")


COMPARE_COLUMNS: list[tuple[str, str, str]] = [
    ("energy_cost_eur", "cost EUR", "{:,.2f}"),
    ("import_kwh", "import kWh", "{:,.0f}"),
    ("export_kwh", "export kWh", "{:,.0f}"),
    ("self_sufficiency", "self-suff.", "{:.1%}"),
    ("peak_import_kw", "peak kW", "{:,.1f}"),
    ("co2_kg", "CO2 kg", "{:,.0f}"),
    ("ev_delivered_kwh", "EV kWh", "{:,.0f}"),
    ("unmet_kwh", "unmet kWh", "{:,.2f}"),
    ("sessions_refused", "refused", "{:,.0f}"),
    ("v2g_discharged_kwh", "V2G kWh", "{:,.0f}"),
    ("ev_to_building_kwh", "EV→bldg kWh", "{:,.0f}"),
    ("solve_seconds", "time s", "{:.2f}"),
]


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help=SCENARIO_HELP)],
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategies (default: all available).")
    ] = "",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also write comparison.json and comparison.html."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run every strategy on one scenario and print one table."""
    from metroscope.energy.dispatch import STRATEGIES
    from metroscope.energy.scenario import ScenarioError
    from metroscope.energy.simulate import build_inputs, simulate

    names = [s.strip() for s in strategies.split(",") if s.strip()] or list(STRATEGIES)
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown:
        _fail(ValueError(f"unknown strategies {unknown}; available: {', '.join(STRATEGIES)}"))
    sc = _load(scenario)
    results = {}
    try:
        with _progress_bar(not quiet) as progress:
            inputs = build_inputs(sc, lambda s, f: progress(f"inputs: {s}", f))
            for name in names:
                results[name] = simulate(
                    sc, name, inputs=inputs, progress=lambda s, f: progress(s, f)
                )
    except ScenarioError as err:
        _fail(err)
    costs = {n: r.kpis["energy_cost_eur"] for n, r in results.items()}
    cheapest = min(costs, key=lambda n: costs[n])
    table = Table(title=f"{sc.name}: {int(next(iter(results.values())).kpis['steps'])} steps")
    table.add_column("strategy", style="bold")
    for _, label, _ in COMPARE_COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("vs optimal", justify="right")
    best = costs.get("optimal")
    for name, r in results.items():
        cells = [fmt.format(r.kpis[key]) for key, _, fmt in COMPARE_COLUMNS]
        gap = "" if best is None else f"{(costs[name] - best) / abs(best):+.2%}" if best else ""
        style = "green" if name == cheapest else None
        table.add_row(name, *cells, gap, style=style)
    console.print(table)
    console.print(f"cheapest: [green]{cheapest}[/green]")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        data = {n: r.kpis for n, r in results.items()}
        (out / "comparison.json").write_text(json.dumps(data, indent=2) + "\n")
        console.print(f"  wrote {out / 'comparison.json'}")
        try:
            from metroscope.energy.report import write_comparison_report
        except ImportError:
            return
        write_comparison_report(results, out / "comparison.html")
        console.print(f"  wrote {out / 'comparison.html'}")


@app.command()
def demos() -> None:
    """List the shipped demo scenarios and portfolios."""
    from metroscope.energy.simulate import demo_kind, list_demos

    table = Table(title="energy demos")
    table.add_column("name", style="bold")
    table.add_column("try")
    table.add_column("description")
    for name, desc in list_demos():
        command = "portfolio" if demo_kind(name) == "portfolio" else "run / compare"
        table.add_row(name, command, desc)
    console.print(table)
