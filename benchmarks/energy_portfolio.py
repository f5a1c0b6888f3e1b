"""Benchmark (c): a portfolio of 1,000 site-years, wall time with 1 and 2 local workers.

The sites cycle through the twelve hubs of the shipped ``amb-portfolio`` (each copy with its
own session seed), every one simulated for the demo year 2025. Each site runs the whole
pipeline: PV (pvlib), building load (BDEW), tariff, generated EV sessions, charger
assignment, dispatch and KPIs. Both runs must give the same metro totals.

Defaults: 1,000 sites, hourly steps, ``uncontrolled`` dispatch; ``--step 15 --strategy
optimal`` gives the demo's own settings (about ten times slower per site here).

Usage: python benchmarks/energy_portfolio.py [--sites N] [--step 15|60] [--strategy S]
       [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import time

from metroscope.energy.portfolio import Portfolio, load_portfolio, run_portfolio


def benchmark_portfolio(sites: int, step_minutes: int, strategy: str) -> tuple[Portfolio, object]:
    """``sites`` copies of the amb-portfolio hubs, each with its own seed."""
    base, folder = load_portfolio("amb-portfolio")
    rows = []
    for i in range(sites):
        site = base.sites[i % len(base.sites)]
        data = site.model_dump(exclude_none=True)
        data["id"] = f"{site.id}-{i:04d}"
        data["set"] = {**site.set, "sessions.seed": 10_000 + i, "period.step_minutes": step_minutes}
        data["strategy"] = strategy
        rows.append(data)
    spec = base.model_dump()
    spec.update(name=f"benchmark-{sites}", sites=rows)
    return Portfolio.model_validate(spec), folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--step", type=int, default=60, choices=(5, 15, 60))
    parser.add_argument("--strategy", default="uncontrolled")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    os.environ.pop("DASK_SCHEDULER_ADDRESS", None)  # local processes only
    portfolio, folder = benchmark_portfolio(args.sites, args.step, args.strategy)
    print(
        f"portfolio of {args.sites} sites x 1 year at {args.step} min, strategy {args.strategy}, "
        f"load average before: {os.getloadavg()[0]:.1f}"
    )
    totals = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        start = time.perf_counter()
        result = run_portfolio(portfolio, folder, workers=workers, show_progress=True)
        wall = time.perf_counter() - start
        years = result.metro["site_years"]
        totals[workers] = result.metro
        print(
            f"workers={workers} ({result.backend}): {wall:,.1f} s wall for {years:,.1f} site-years "
            f"= {years / wall:,.2f} site-years/s; metro cost {result.metro['energy_cost_eur']:,.0f} EUR, "
            f"import {result.metro['import_kwh']:,.0f} kWh, load average now {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    first = next(iter(totals.values()))
    for workers, metro in totals.items():
        assert abs(metro["energy_cost_eur"] - first["energy_cost_eur"]) < 1e-6 * (
            1 + abs(first["energy_cost_eur"])
        ), f"workers={workers} changed the metro totals"


if __name__ == "__main__":
    main()
