"""EV2Gym side of benchmark (b); runs inside EV2Gym's own virtualenv (not Metroscope's).

EV2Gym 2.0.0 pins pandas ~= 2.3 through pandapower while Metroscope runs on pandas 3, so
``benchmarks/energy_ev2gym.py`` creates ``benchmarks/.work/ev2gym-venv`` and runs this
script there, with the ev2gym package's parent folder as the working directory (EV2Gym
opens its data files by relative path). It runs EV2Gym's example scenario
``V2GProfitPlusLoads.yaml`` with its heuristics for a few seeds, times every step loop and
writes, per episode, the EV sessions, prices, charger and transformer data and each
heuristic's statistics to a JSON file read back by the Metroscope side.

Usage: python _ev2gym_side.py OUT.json [--episodes N] [--config NAME]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
from ev2gym.baselines.heuristics import (
    ChargeAsFastAsPossible,
    ChargeAsFastAsPossibleToDesiredCapacity,
    ChargeAsLateAsPossible,
    DoNothing,
)
from ev2gym.models.ev2gym_env import EV2Gym

HEURISTICS = {
    "ChargeAsFastAsPossible": ChargeAsFastAsPossible,
    "ChargeAsLateAsPossible": ChargeAsLateAsPossible,
    "ChargeAsFastAsPossibleToDesiredCapacity": ChargeAsFastAsPossibleToDesiredCapacity,
    "DoNothing": DoNothing,
}


def _eff(value: object, amps: float) -> float:
    if isinstance(value, dict):
        return float(value.get(round(amps), 100)) / 100.0
    return float(value)  # type: ignore[arg-type]


def export_episode(env: EV2Gym) -> dict:
    """Sessions, prices, chargers and transformers of the episode just reset."""
    chargers = []
    for cs in env.charging_stations:
        chargers.append(
            {
                "id": int(cs.id),
                "max_charge_kw": cs.max_charge_current * cs.voltage * math.sqrt(cs.phases) / 1000,
                "max_discharge_kw": abs(cs.max_discharge_current)
                * cs.voltage
                * math.sqrt(cs.phases)
                / 1000,
                "max_charge_current_a": float(cs.max_charge_current),
            }
        )
    sessions = []
    for ev in env.EVs_profiles:
        cs = env.charging_stations[ev.location]
        sessions.append(
            {
                "id": int(ev.id),
                "charger": int(ev.location),
                "arrival_step": int(ev.time_of_arrival),
                "departure_step": int(ev.time_of_departure),
                "capacity_kwh": float(ev.battery_capacity),
                "soc_arrival_kwh": float(ev.battery_capacity_at_arrival),
                "desired_kwh": float(ev.desired_capacity),
                "min_soc_kwh": float(ev.min_battery_capacity),
                "ev_max_charge_kw": float(ev.max_ac_charge_power),
                "ev_max_discharge_kw": abs(float(ev.max_discharge_power)),
                "eta_ch": _eff(ev.charge_efficiency, cs.max_charge_current),
                "eta_dis": _eff(ev.discharge_efficiency, abs(cs.max_discharge_current)),
                "transition_soc": float(ev.transition_soc),
            }
        )
    tr = env.transformers
    return {
        "start": env.sim_starting_date.isoformat(),
        "timescale_min": int(env.timescale),
        "steps": int(env.simulation_length),
        "v2g_enabled": bool(env.config["v2g_enabled"]),
        "charge_price_eur_per_kwh": (-np.asarray(env.charge_prices[0])).tolist(),
        "discharge_price_eur_per_kwh": np.asarray(env.discharge_prices[0]).tolist(),
        "transformer_max_kw": np.sum([t.max_power for t in tr], axis=0).tolist(),
        "inflexible_load_kw": np.sum([t.inflexible_load for t in tr], axis=0).tolist(),
        "solar_kw": np.sum([t.solar_power for t in tr], axis=0).tolist(),
        "chargers": chargers,
        "sessions": sessions,
    }


def run_heuristic(env: EV2Gym, seed: int, name: str) -> dict:
    """Reset to ``seed``, run heuristic ``name`` through the episode, time the step loop."""
    env.reset(seed=seed)
    agent = HEURISTICS[name](env=env)
    steps = 0
    stats: dict = {}
    start = time.perf_counter()
    for _ in range(env.simulation_length):
        _, _, done, _, stats = env.step(agent.get_action(env))
        steps += 1
        if done:
            break
    seconds = time.perf_counter() - start
    keep = (
        "total_profits",
        "total_energy_charged",
        "total_energy_discharged",
        "total_ev_served",
        "average_user_satisfaction",
        "total_transformer_overload",
        "battery_degradation",
    )
    return {
        "steps": steps,
        "seconds": seconds,
        **{k: float(stats[k]) for k in keep if k in stats},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--config", default="V2GProfitPlusLoads")
    args = parser.parse_args()
    config = f"ev2gym/example_config_files/{args.config}.yaml"
    t0 = time.perf_counter()
    env = EV2Gym(config_file=config, seed=0, save_replay=False, save_plots=False)
    init_seconds = time.perf_counter() - t0
    episodes = []
    for seed in range(args.episodes):
        env.reset(seed=seed)
        data = export_episode(env)
        data["seed"] = seed
        data["heuristics"] = {name: run_heuristic(env, seed, name) for name in HEURISTICS}
        episodes.append(data)
    import ev2gym

    out = {
        "ev2gym_version": getattr(ev2gym, "__version__", "2.0.0"),
        "config": config,
        "init_seconds": init_seconds,
        "episodes": episodes,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
