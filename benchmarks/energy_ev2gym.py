"""Benchmark (b): Metroscope's dispatch beside EV2Gym on EV2Gym's own example scenario.

What runs
---------
1. EV2Gym 2.0.0 (in its own virtualenv, ``benchmarks/.work/ev2gym-venv``, created here on
   first use: it pins pandas ~= 2.3 through pandapower, Metroscope runs on pandas 3) plays
   its example config ``V2GProfitPlusLoads.yaml`` (25 chargers, 15-min steps, 112 steps,
   V2G on, Dutch day-ahead prices) for ``--episodes`` seeds with its heuristics
   ``ChargeAsFastAsPossible``, ``ChargeAsFastAsPossibleToDesiredCapacity``,
   ``ChargeAsLateAsPossible`` and ``DoNothing``; the step loops are timed
   (``benchmarks/_ev2gym_side.py``) and every episode's EV sessions, prices and chargers
   are exported.
2. The same sessions and prices become a Metroscope :class:`Problem` (EV-only: EV2Gym's
   profit counts the chargers' energy only, so no PV or building load). EV2Gym bills the
   energy stored in the battery and applies its efficiency to the rate, so the
   battery-side equivalent is used: ``eta = 1`` and power limits ``eta_ev2gym · min(charger,
   vehicle)``. EV2Gym's two-stage taper above its transition SoC and its transformer limit
   are not in our model (``ChargeAsFastAsPossible`` ignores the transformer as well).
3. Throughput: simulated steps per second of the same heuristic (EV2Gym
   ``ChargeAsFastAsPossible`` vs our ``uncontrolled``), and cost of our ``optimal`` (HiGHS,
   perfect foresight) against every EV2Gym heuristic on the same sessions.

Usage: python benchmarks/energy_ev2gym.py [--episodes N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from metroscope.energy.dispatch import get_strategy
from metroscope.energy.dispatch.problem import Problem, check_dispatch, cost_eur

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
VENV = WORK / "ev2gym-venv"
PACKAGES = ["ev2gym==2.0.0", "pandapower", "numba", "psutil", "multicopula"]


def ensure_ev2gym() -> Path:
    """Python of a virtualenv with ev2gym and the packages it imports without declaring."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {' '.join(PACKAGES)} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return python


def ev2gym_side(episodes: int) -> dict:
    """Run EV2Gym's episodes in its virtualenv, from its package's parent folder."""
    python = ensure_ev2gym()
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import ev2gym, os; print(os.path.dirname(os.path.dirname(ev2gym.__file__)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    out = WORK / "ev2gym_episodes.json"
    subprocess.run(
        [str(python), str(HERE / "_ev2gym_side.py"), str(out), "--episodes", str(episodes)],
        cwd=site,
        check=True,
    )
    return json.loads(out.read_text())


def to_problem(ep: dict) -> Problem:
    """Our :class:`Problem` for one exported EV2Gym episode (battery-side equivalent)."""
    steps = int(ep["steps"])
    dt_h = ep["timescale_min"] / 60.0
    index = pd.date_range(
        ep["start"], periods=steps, freq=f"{ep['timescale_min']}min", tz="Europe/Amsterdam"
    )
    ses = pd.DataFrame(ep["sessions"])
    chargers = pd.DataFrame(ep["chargers"]).set_index("id")
    ch = chargers.loc[ses["charger"]]
    arrival = ses["arrival_step"].clip(0, steps - 1).to_numpy()
    departure = np.maximum(ses["departure_step"].clip(0, steps).to_numpy(), arrival + 1)
    max_ch = ses["eta_ch"].to_numpy() * np.minimum(
        ch["max_charge_kw"].to_numpy(), ses["ev_max_charge_kw"].to_numpy()
    )
    max_dis = ses["eta_dis"].to_numpy() * np.minimum(
        ch["max_discharge_kw"].to_numpy(), ses["ev_max_discharge_kw"].to_numpy()
    )
    limit = float(chargers["max_charge_kw"].sum())
    zeros = np.zeros(steps)
    return Problem(
        index=index,
        dt_h=dt_h,
        pv_kw=zeros,
        load_kw=zeros,
        price_import_eur_per_kwh=np.asarray(ep["charge_price_eur_per_kwh"], dtype=float),
        price_export_eur_per_kwh=np.asarray(ep["discharge_price_eur_per_kwh"], dtype=float),
        co2_kg_per_kwh=zeros,
        import_limit_kw=limit,
        export_limit_kw=limit,
        degradation_eur_per_kwh=0.0,
        demand_charge_eur_per_kw=0.0,
        arrival_step=arrival,
        departure_step=departure,
        capacity_kwh=ses["capacity_kwh"].to_numpy(),
        soc_arrival_kwh=ses["soc_arrival_kwh"].to_numpy(),
        energy_requested_kwh=(ses["desired_kwh"] - ses["soc_arrival_kwh"]).clip(lower=0).to_numpy(),
        min_soc_kwh=np.minimum(ses["min_soc_kwh"], ses["soc_arrival_kwh"]).to_numpy(),
        max_charge_kw=max_ch,
        max_discharge_kw=max_dis if ep["v2g_enabled"] else np.zeros(len(ses)),
        eta_ch=np.ones(len(ses)),
        eta_dis=np.ones(len(ses)),
    )


def steps_per_second(problem: Problem, strategy: str, min_seconds: float = 1.0) -> float:
    """Our throughput: repeat dispatch + cost until ``min_seconds`` have passed."""
    run = get_strategy(strategy)
    reps, start = 0, time.perf_counter()
    while True:
        d = run(problem)
        cost_eur(problem, d)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return reps * problem.n_steps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    try:
        data = ev2gym_side(args.episodes)
    except (subprocess.CalledProcessError, OSError) as err:
        print(f"EV2Gym could not be installed or run here ({err}); no comparison made.")
        sys.exit(1)
    rows = []
    ours_sps, build_sps = [], []
    for ep in data["episodes"]:
        t0 = time.perf_counter()
        problem = to_problem(ep)
        build_s = time.perf_counter() - t0
        row: dict[str, float | str] = {
            "seed": ep["seed"],
            "start": ep["start"],
            "sessions": problem.n_sessions,
        }
        for name, h in ep["heuristics"].items():
            row[f"ev2gym {name} cost EUR"] = -h["total_profits"] + 0.0
            row[f"ev2gym {name} kWh"] = h["total_energy_charged"] - h["total_energy_discharged"]
        for strategy in ("uncontrolled", "pv_surplus", "optimal"):
            d = get_strategy(strategy)(problem)
            errors = check_dispatch(problem, d)
            if errors:
                raise SystemExit(f"{strategy} broke the model on seed {ep['seed']}: {errors[:3]}")
            delivered = float(
                np.sum(d.soc_kwh[problem.soc_offsets[1:] - 1] - problem.soc_arrival_kwh)
            )
            row[f"ours {strategy} cost EUR"] = cost_eur(problem, d)
            row[f"ours {strategy} kWh"] = delivered
            row[f"ours {strategy} unmet kWh"] = float(np.sum(d.unmet_kwh))
        sps = steps_per_second(problem, "uncontrolled")
        ours_sps.append(sps)
        build_sps.append(problem.n_steps / (build_s + problem.n_steps / sps))
        rows.append(row)
    table = pd.DataFrame(rows)
    afap = [ep["heuristics"]["ChargeAsFastAsPossible"] for ep in data["episodes"]]
    ev2gym_sps = sum(h["steps"] for h in afap) / sum(h["seconds"] for h in afap)
    ours = float(np.mean(ours_sps))
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 40)
    print(f"EV2Gym {data['ev2gym_version']} config {data['config']}, {len(rows)} episodes")
    cost_cols = [c for c in table.columns if c.endswith("cost EUR")]
    print("\nCost of charging the same sessions [EUR] (negative = profit):")
    print(table[["seed", "sessions", *cost_cols]].round(2).to_string(index=False))
    kwh_cols = [c for c in table.columns if c.endswith(" kWh")]
    print("\nEnergy delivered to the vehicles [kWh] and our unmet energy:")
    print(table[["seed", *kwh_cols]].round(1).to_string(index=False))
    totals = table[cost_cols].sum()
    print("\nTotal cost over the episodes [EUR]:")
    print(totals.round(2).to_string())
    print(
        f"\nThroughput, same heuristic (charge at full power on arrival):\n"
        f"  EV2Gym ChargeAsFastAsPossible: {ev2gym_sps:,.0f} steps/s "
        f"(step loop only; environment set-up {data['init_seconds']:.1f} s not counted)\n"
        f"  Metroscope uncontrolled:       {ours:,.0f} steps/s (dispatch + cost), "
        f"{np.mean(build_sps):,.0f} steps/s including building the Problem\n"
        f"  ratio: {ours / ev2gym_sps:,.0f}x (target >= 50x)"
    )
    summary = {
        "ev2gym_steps_per_s": ev2gym_sps,
        "ours_steps_per_s": ours,
        "ours_steps_per_s_with_build": float(np.mean(build_sps)),
        "ratio": ours / ev2gym_sps,
        "totals_eur": totals.to_dict(),
        "episodes": rows,
    }
    (WORK / "energy_ev2gym_result.json").write_text(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()
