"""Benchmark (a): `optimal` and `mpc` on the amb-fleet-depot year, beside one monolithic LP.

Usage: python benchmarks/energy_optimal.py [--scenario NAME_OR_YAML] [--synthetic]
       [--no-monolithic] [--no-mpc] [--workers N] [--demand-charge EUR_PER_KW]

Prints one table. Every figure comes from this run on this machine:

* ``optimal`` (ours): block decomposition + closed-form free steps + warm-started primal
  simplex, blocks split over ``--workers`` processes (default 2);
* the peer: the *same* per-EV LP of the whole year passed to HiGHS in one piece with its
  default settings (presolve, dual simplex, crash-free start) — what one gets by handing the
  model to HiGHS as is; its objective must equal ours;
* ``mpc``: rolling horizon on forecasts (clear-sky-scaled PV, last week's load, sessions
  known on arrival), its realised cost and gap to ``optimal``.

Wall and CPU seconds are both shown (CPU includes worker processes), since the machine may
be shared. The amb-fleet-depot scenario is E1's shipped demo; with ``--synthetic`` (or when
the demo cannot be loaded) a generated problem of the same shape is used and labelled so.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _machine import machine  # benchmarks/ is the script's folder

from metroscope.energy.dispatch.lp import build_lp, solve_lp
from metroscope.energy.dispatch.mpc import mpc
from metroscope.energy.dispatch.optimal import find_blocks, optimal
from metroscope.energy.dispatch.problem import Problem, check_dispatch, cost_eur, objective_eur


def synthetic_depot_problem(seed: int = 0) -> Problem:
    """A generated problem of amb-fleet-depot's shape (SYNTHETIC, illustrative figures).

    A year at 15 min; 10 bidirectional 11 kW chargers; 20 council vehicles on weekdays
    (10 charge at midday after morning rounds, 10 overnight, Friday's until Monday); a
    100 kWp PV profile from a bell curve with random cloudiness; a sports-centre-like load;
    a three-period time-of-use import price and a flat export price.
    """
    rng = np.random.default_rng(seed)
    index = pd.date_range("2025-01-01", periods=35_040, freq="15min", tz="Europe/Madrid")
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60
    doy = index.dayofyear.to_numpy()
    weekday = index.dayofweek.to_numpy() < 5
    daylen = 12 + 3 * np.sin(2 * np.pi * (doy - 80) / 365)
    sun = np.clip(np.cos(np.pi * (hour - 13.5) / daylen), 0, None) ** 1.3
    clouds = np.repeat(rng.uniform(0.35, 1.0, 365), 96)
    pv = 100 * 0.8 * sun * clouds * (0.8 + 0.2 * np.sin(2 * np.pi * (doy - 80) / 365))
    load = 12 + 18 * ((hour >= 8) & (hour < 22)) + 6 * rng.random(len(index))
    price = np.where(((hour >= 10) & (hour < 14)) | ((hour >= 18) & (hour < 22)), 0.27, 0.17)
    price = np.where((hour < 8) | ~weekday, 0.10, price)
    arrivals, departures = [], []
    days = np.flatnonzero(weekday[::96])
    for day in days:
        base = day * 96
        for _ in range(10):  # midday group
            a = base + 38 + rng.integers(-4, 4)
            arrivals.append(a)
            departures.append(a + 14 + rng.integers(0, 6))
        next_day = day + 1
        while next_day < 365 and next_day not in days:
            next_day += 1
        for _ in range(10):  # overnight group
            a = base + 62 + rng.integers(-4, 6)
            d = min(next_day * 96 + 28 + rng.integers(-2, 3), 35_040)
            arrivals.append(a)
            departures.append(d)
    v = len(arrivals)
    cap = rng.choice([40.0, 52.0, 75.0], v)
    return Problem(
        index=index,
        dt_h=0.25,
        pv_kw=pv,
        load_kw=load,
        price_import_eur_per_kwh=price,
        price_export_eur_per_kwh=np.full(len(index), 0.06),
        co2_kg_per_kwh=np.full(len(index), 0.19),
        import_limit_kw=150.0,
        export_limit_kw=100.0,
        degradation_eur_per_kwh=0.03,
        demand_charge_eur_per_kw=0.0,
        arrival_step=np.array(arrivals),
        departure_step=np.array(departures),
        capacity_kwh=cap,
        soc_arrival_kwh=cap * rng.uniform(0.2, 0.6, v),
        energy_requested_kwh=rng.uniform(5, 30, v),
        min_soc_kwh=0.2 * cap,
        max_charge_kw=np.full(v, 11.0),
        max_discharge_kw=np.full(v, 11.0),
        eta_ch=np.full(v, 0.92),
        eta_dis=np.full(v, 0.92),
    )


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds (this process and its children)."""
    wall, cpu = time.perf_counter(), _cpu_s()
    out = fn()
    return out, time.perf_counter() - wall, _cpu_s() - cpu


def load_problem(name: str, synthetic: bool) -> tuple[Problem, str, float]:
    """The scenario's problem (E1's demo) or the synthetic one; label and build seconds."""
    if not synthetic:
        try:
            from metroscope.energy.simulate import build_problem, load_scenario

            p, wall, _ = timed(lambda: build_problem(load_scenario(name)))
            return p, name, wall
        except (ImportError, FileNotFoundError, ValueError, KeyError) as err:
            print(f"(could not load {name!r}: {err}; using the synthetic problem)")
    p, wall, _ = timed(synthetic_depot_problem)
    return p, "SYNTHETIC depot (same shape as amb-fleet-depot)", wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="amb-fleet-depot")
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--no-monolithic", action="store_true")
    parser.add_argument("--no-mpc", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--demand-charge",
        type=float,
        default=0.0,
        help="add a demand charge [EUR/kW of peak import] (optimal then runs its peak search)",
    )
    args = parser.parse_args()

    print(f"machine: {machine()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    p, label, build_s = load_problem(args.scenario, args.synthetic)
    if args.demand_charge:
        p = dataclasses.replace(p, demand_charge_eur_per_kw=args.demand_charge)
        label += f" + a demand charge of {args.demand_charge:g} EUR/kW (assumed)"
    blocks = find_blocks(p)
    lp_cols = 3 * p.n_entries + p.n_sessions + 3 * p.n_steps  # ch, dis (all V2G), soc, …
    print(
        f"problem: {label}: {p.n_steps} steps of {p.dt_h * 60:.0f} min, {p.n_sessions} EV "
        f"sessions, {p.n_entries} connected session-steps, ~{lp_cols:,} LP columns "
        f"monolithic, {len(blocks)} independent blocks (built in {build_s:.1f} s)"
    )
    rows: list[tuple[str, float, float, float, str]] = []

    best, wall, cpu = timed(lambda: optimal(p, workers=args.workers))
    errors = check_dispatch(p, best)
    best_obj = objective_eur(p, best)
    rows.append(
        (
            f"optimal, {best.info['method']} ({args.workers} proc.)",
            wall,
            cpu,
            best_obj,
            f"{best.info['blocks']} blocks; model check: {'ok' if not errors else errors[:2]}",
        )
    )
    if not args.no_mpc:
        roll, wall, cpu = timed(lambda: mpc(p, workers=args.workers))
        roll_obj = objective_eur(p, roll)
        gap = 100 * (roll_obj / best_obj - 1)
        rows.append(
            (
                "mpc (forecasts, arrivals unknown)",
                wall,
                cpu,
                roll_obj,
                f"gap to optimal {gap:.2f} %; {roll.info['plans']} plans; model check: "
                f"{'ok' if not check_dispatch(p, roll) else 'FAILED'}",
            )
        )
    if not args.no_monolithic:

        def monolithic() -> float:
            lp = build_lp(p, np.arange(p.n_steps), np.arange(p.n_sessions))
            _, obj = solve_lp(lp, solver="choose", threads=0, warm_basis=False)
            return obj  # includes the demand charge (the LP has the peak variable)

        mono_obj, wall, cpu = timed(monolithic)
        rows.append(
            (
                "monolithic LP, HiGHS defaults (peer)",
                wall,
                cpu,
                mono_obj,
                f"|difference| = {abs(mono_obj - best_obj):.2e} EUR",
            )
        )
    print()
    print(f"| {'run':<38} | {'wall s':>7} | {'CPU s':>7} | {'objective EUR':>13} | note")
    print(f"|{'-' * 40}|{'-' * 9}|{'-' * 9}|{'-' * 15}|------")
    for name, wall, cpu, obj, note in rows:
        print(f"| {name:<38} | {wall:7.2f} | {cpu:7.2f} | {obj:13.2f} | {note}")
    print(
        f"\noptimal: energy cost {cost_eur(p, best):.2f} EUR, unmet "
        f"{float(np.sum(best.unmet_kwh)):.3f} kWh; objective = cost + unmet penalty"
    )


if __name__ == "__main__":
    main()
