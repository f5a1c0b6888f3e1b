"""``metroscope index …``: the index engine from the command line.

``metroscope index build NAME_OR_CONFIG [--data CSV] [--units CSV] --out DIR [--mc N]
[--sensitivity] [--seed S]`` builds an index (a shipped demo by name, or a config file with
its data) and writes ``results.csv``, ``rank_intervals.csv`` (with ``--mc``),
``sensitivity.csv`` (with ``--sensitivity``), ``report.html``, ``index.xlsx`` and
``log.json`` into DIR. Everything is written to a temporary folder first and moved into
DIR only when the whole run succeeded, so a bad config or data file leaves DIR untouched.

``metroscope index demos`` lists the shipped demos.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
err = Console(stderr=True)
out = Console()


class BuildError(Exception):
    """A user-facing failure: bad config, bad data or a pipeline step that cannot run."""


def _inputs(name_or_config: str, data: Path | None, units: Path | None) -> dict[str, Any]:
    """Resolve a demo name or a config path into the files of the run."""
    from metroscope.index.demos import DEMOS

    if name_or_config in DEMOS:
        demo = DEMOS[name_or_config]
        return {
            "config": demo.config,
            "data": data or demo.data,
            "units": units or demo.units,
            "sources": demo.sources if data is None else None,
            "external": demo.external if data is None else None,
        }
    path = Path(name_or_config)
    if not path.exists():
        raise BuildError(
            f"'{name_or_config}' is neither a shipped demo ({', '.join(DEMOS)}) nor an "
            "existing config file"
        )
    if data is None:
        raise BuildError(f"{path}: --data CSV is required with a config file")
    return {"config": path, "data": data, "units": units, "sources": None, "external": None}


MC_DESCRIPTION = (
    "Uncertain choices: weights (every weight multiplied by a factor in [0.75, 1.25]); "
    "normalise (the config's method or rank); aggregate (arithmetic or geometric mean at "
    "every level, plus the config's own method); exclusion (none or one indicator left out; "
    "a dimension left without indicators drops out). "
    "Quasi-random Sobol' sampling."
)


def default_factors(cfg: Any, active: list[str]) -> list[Any]:
    """The uncertain choices of ``--mc``: weights ±25 %, normaliser, aggregator, exclusion.

    * every weight multiplied by a factor drawn in [0.75, 1.25];
    * normalisation: the config's method or rank (1 = worst … n = best);
    * aggregation at every level: arithmetic or geometric mean (plus the config's own
      method when it is another one);
    * none or one indicator left out (a dimension whose only indicator is left out drops
      out of its parent, whose other children share its weight); omitted when fewer than
      two indicators are active.

    Parameters
    ----------
    cfg
        The index configuration.
    active
        Indicators left after screening.
    """
    from metroscope.index.uncertainty import ChoiceFactor, ExcludeFactor, WeightsFactor

    norm = cfg.pipeline.normalise
    nominal_norm = {"method": norm.method, "params": dict(norm.params)}
    norm_opts = [nominal_norm] + ([{"method": "rank"}] if norm.method != "rank" else [])
    agg_opts = list(dict.fromkeys([cfg.pipeline.aggregate.method, "arithmetic", "geometric"]))
    factors: list[Any] = [
        WeightsFactor(pct=0.25),
        ChoiceFactor("normalise", norm_opts),
        ChoiceFactor("aggregate", agg_opts),
    ]
    if len(active) >= 2:
        factors.append(ExcludeFactor(indicators=list(active)))
    return factors


def _progress_kwargs(
    fn: Callable[..., Any], callback: Callable[[int, int], None]
) -> dict[str, Any]:
    """Pass a progress callback if the uncertainty engine accepts one."""
    params = inspect.signature(fn).parameters
    for name in ("progress", "callback", "on_progress"):
        if name in params:
            return {name: callback}
    return {}


def _sources_table(files: dict[str, Any], data_obj: Any) -> pd.DataFrame | None:
    import pandas as pd

    if files.get("sources") is not None and Path(files["sources"]).exists():
        return pd.read_csv(files["sources"], dtype=str, keep_default_na=False)
    s = data_obj.sources
    rows = [
        {"source_url": src, "supports": ind, "unit": str(unit)}
        for ind in s.columns
        for unit, src in s[ind].items()
        if str(src).strip()
    ]
    if not rows:
        return None
    df = pd.DataFrame(rows)
    return (
        df.groupby("source_url")
        .agg(
            supports=("supports", lambda x: ";".join(sorted(set(x)))),
            units=("unit", lambda x: ";".join(sorted(set(x)))),
        )
        .reset_index()
    )


def _disparity(res: Any, data_obj: Any) -> tuple[pd.DataFrame | None, str]:
    """Disparity table when the units carry a core flag (metropolitan demos)."""
    units = data_obj.units
    if units is None or "is_core" not in units.columns or not units["is_core"].any():
        return None, ""
    from metroscope.index.report_inputs import disparity_table

    try:
        return disparity_table(res, data_obj)
    except (ImportError, NotImplementedError):
        return None, "disparity analysis is not available in this build"


def build_index(
    name_or_config: str,
    data: Path | None,
    units: Path | None,
    out_dir: Path,
    mc: int,
    sensitivity: bool,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> tuple[list[Path], str]:
    """Run the whole build into a temporary folder, then move the files into ``out_dir``.

    Returns the files written and a one-line summary of the Monte Carlo study ("" without).
    """
    import pandas as pd  # imported lazily: keeps `metroscope --help` fast

    from metroscope.index import IndexBuilder, load_config, load_data
    from metroscope.index.data import DataError
    from metroscope.index.framework import ConfigError
    from metroscope.index.report import write_outputs
    from metroscope.index.report_inputs import data_flags, external_comparison, report_data

    def step(name: str) -> None:
        if stage is not None:
            stage(name)

    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"--out {out_dir}: exists and is not a directory")
    files = _inputs(name_or_config, data, units)
    step("reading config and data")
    try:
        cfg = load_config(files["config"])
        data_obj = load_data(files["data"], cfg, units=files["units"])
        builder = IndexBuilder(cfg, data_obj)
        step("running the pipeline")
        res = builder.run()
    except (ConfigError, DataError, ValueError) as exc:
        raise BuildError(str(exc)) from exc
    mc_res = None
    if mc > 0:
        step(f"Monte Carlo ({mc} replications)")
        kwargs = _progress_kwargs(builder.uncertainty, progress) if progress else {}
        try:
            mc_res = builder.uncertainty(
                n=mc,
                factors=default_factors(cfg, builder.active),
                seed=seed,
                sensitivity=sensitivity,
                **kwargs,
            )
        except ValueError as exc:
            raise BuildError(f"uncertainty analysis: {exc}") from exc
    step("disparity, flags and report")
    disp, disp_note = _disparity(res, data_obj)
    ext = external_comparison(files["external"], res.ranks["index"]) if files["external"] else None
    flags = data_flags(Path(files["data"]), cfg.indicator_ids)
    if files["external"]:
        ext_flags = data_flags(files["external"], list(pd.read_csv(files["external"])["indicator"]))
        flags = pd.concat([flags, ext_flags], ignore_index=True)
    rd = report_data(
        res,
        data_obj,
        mc=mc_res,
        mc_description=MC_DESCRIPTION if mc_res is not None else "",
        disparity=disp,
        disparity_note=disp_note,
        external=ext,
        sources=_sources_table(files, data_obj),
        flags=flags if len(flags) else None,
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".index-build-", dir=out_dir.parent))
    try:
        step("writing report, workbook and tables")
        written = write_outputs(rd, tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        final = []
        for f in written:
            target = out_dir / f.name
            os.replace(f, target)
            final.append(target)
        summary = ""
        if mc_res is not None:
            summary = (
                f"Monte Carlo: {mc_res.n} replications in {mc_res.seconds:.2f} s, "
                f"{len(mc_res.failures)} failed"
                + (
                    f", Sobol indices from {mc_res.sobol_n_used} base samples"
                    if sensitivity
                    else ""
                )
            )
        return final, summary
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@app.command()
def build(
    name_or_config: Annotated[
        str,
        typer.Argument(help="A shipped demo name (see `metroscope index demos`) or a config YAML."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory (created if needed).")],
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Data CSV, tidy or wide (required with a config file)."),
    ] = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", help="Unit metadata CSV (population, area, groups, is_core)."),
    ] = None,
    mc: Annotated[
        int,
        typer.Option("--mc", min=0, help="Monte Carlo replications for rank intervals (0 = none)."),
    ] = 0,
    sensitivity: Annotated[
        bool,
        typer.Option("--sensitivity", help="Also compute Sobol sensitivity indices (needs --mc)."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the quasi-random sampling.")] = 0,
) -> None:
    """Build an index and write results, rank intervals, sensitivity, report and workbook."""
    if sensitivity and mc == 0:
        err.print("[red]error:[/red] --sensitivity needs Monte Carlo replications: add --mc N")
        raise typer.Exit(2)
    stages = 4 + (1 if mc > 0 else 0)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            steps = bar.add_task("index build", total=stages)
            mc_task = bar.add_task("Monte Carlo", total=None, visible=False)

            def stage(name: str) -> None:
                bar.update(steps, advance=1, description=name)
                # the MC bar advances when the engine reports progress; otherwise it
                # pulses until the (vectorised, usually sub-second) study completes
                bar.update(mc_task, visible=name.startswith("Monte Carlo"))

            def tick(done: int, total: int) -> None:
                bar.update(mc_task, completed=done, total=total)

            paths, summary = build_index(
                name_or_config, data, units, out_dir, mc, sensitivity, seed, tick, stage
            )
    except BuildError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        err.print("nothing was written.")
        raise typer.Exit(2) from None
    import pandas as pd

    results = pd.read_csv(out_dir / "results.csv")
    table = Table(title=f"{name_or_config}: top of the ranking", show_lines=False)
    for c in ("rank", "unit", "score"):
        table.add_column(c, justify="right" if c != "unit" else "left")
    for r in results.head(10).itertuples(index=False):
        table.add_row("–" if pd.isna(r.rank) else str(int(r.rank)), str(r.unit), f"{r.score:.1f}")
    out.print(table)
    if summary:
        out.print(summary)
    for p in paths:
        out.print(f"wrote {p}")


@app.command()
def demos() -> None:
    """List the shipped index demos (usable as NAME in `metroscope index build NAME`)."""
    from metroscope.index.demos import DEMOS

    table = Table(title="Index demos")
    table.add_column("name", style="bold")
    table.add_column("what")
    for d in DEMOS.values():
        table.add_row(d.name, d.summary)
    out.print(table)
