"""EV sessions drawn from EV2Gym's shipped distributions (optional).

EV2Gym (https://github.com/StavrosOrf/EV2Gym, ``pip install ev2gym``) ships ElaadNL-derived
distributions of Dutch public, workplace and private charging: arrival time per quarter
hour (weekdays and weekends), connection time and energy demand (as shares of sessions
exceeding each whole hour / kWh), and the specifications of 2024 V2G-capable car models
weighted by registrations. This module reads those files *without importing ev2gym* (which
needs pandapower, gymnasium and a Gurobi wheel), from the installed package or from a copy
of its ``data`` folder (``data_dir``).

Drawing (:func:`ev2gym_sessions`): a Poisson number of sessions per eligible day
(``sessions_per_day``, default 3); an arrival quarter hour from the day-type's arrival
weights, uniform within it; connection time and energy by inverse transform of the
marginal survival curves (EV2Gym itself conditions stay on arrival hour; we use the
marginals); a car model by registrations (capacity, AC charge and discharge power). SoC on
arrival is uniform in ``[soc_arrival_min, soc_arrival_max]`` (default 0.2–0.6, assumed)
and the request is capped as for the other profiles.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metroscope.energy.scenario import ScenarioError, SessionProfile

__all__ = ["EV2GYM_DEFAULTS", "ev2gym_data_dir", "ev2gym_sessions"]

EV2GYM_DEFAULTS: dict[str, Any] = {
    "segment": "public",
    "sessions_per_day": 3.0,
    "days": "all",
    "soc_arrival_min": 0.2,
    "soc_arrival_max": 0.6,
    "min_soc": 0.3,
    "ev_specs": "ev_specs_v2g_enabled2024.json",
}
"""Defaults of ``kind: ev2gym`` (the session rate and SoC range are assumptions)."""


def ev2gym_data_dir(profile: SessionProfile, base_dir: Path | None = None) -> Path:
    """The folder holding EV2Gym's data files, or a clear error naming how to get it."""
    if profile.data_dir:
        path = Path(profile.data_dir)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
    else:
        spec = importlib.util.find_spec("ev2gym")
        if spec is None or not spec.submodule_search_locations:
            raise ScenarioError(
                "sessions.profiles: kind ev2gym needs EV2Gym's data: `pip install ev2gym` "
                "(or `pip install --no-deps ev2gym`), or set data_dir to a copy of its data folder"
            )
        path = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (path / "distribution-of-arrival.csv").is_file():
        raise ScenarioError(f"sessions.profiles.data_dir: {path} holds no EV2Gym data files")
    return path


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


def _survival_sampler(curve: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(cdf, x) of a survival curve given as % of sessions above each whole x."""
    x = curve.iloc[:, 0].to_numpy(dtype=float)
    surv = curve[column].to_numpy(dtype=float)
    cdf = np.maximum.accumulate(np.clip(1.0 - surv / surv[0], 0.0, 1.0))
    return cdf, x


def _draw(cdf: np.ndarray, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    keep = np.concatenate([[True], np.diff(cdf) > 0])
    return np.interp(u * cdf[-1], cdf[keep], x[keep])


def ev2gym_sessions(
    profile: SessionProfile,
    days: pd.DatetimeIndex,
    rng: np.random.Generator,
    base_dir: Path | None = None,
) -> pd.DataFrame:
    """Naive local-time sessions of an ``ev2gym`` profile over eligible ``days``."""
    p = {**EV2GYM_DEFAULTS, **profile.model_dump(exclude_none=True)}
    seg = p["segment"]
    data = ev2gym_data_dir(profile, base_dir)
    weekday_arrival = _read(data / "distribution-of-arrival.csv")
    weekend_arrival = _read(data / "distribution-of-arrival-weekend.csv")
    stay_cdf, stay_x = _survival_sampler(_read(data / "distribution-of-connection-time.csv"), seg)
    energy_cdf, energy_x = _survival_sampler(_read(data / "distribution-of-energy-demand.csv"), seg)
    specs = json.loads((data / p["ev_specs"]).read_text())
    models = list(specs)
    weights = np.array([specs[m].get("number_of_registrations", 1) for m in models], float)
    counts = rng.poisson(float(p["sessions_per_day"]), len(days))
    rows: list[dict[str, Any]] = []
    name = profile.name or f"ev2gym-{seg}"
    for day, n in zip(days, counts, strict=True):
        table = weekend_arrival if day.day_of_week >= 5 else weekday_arrival
        if n == 0 or seg not in table:
            continue
        w = table[seg].to_numpy(dtype=float)
        slot = rng.choice(len(w), size=n, p=w / w.sum())
        arrival_h = slot * 0.25 + rng.uniform(0, 0.25, n)
        stay_h = np.maximum(_draw(stay_cdf, stay_x, rng.random(n)), 0.25)
        energy = np.maximum(_draw(energy_cdf, energy_x, rng.random(n)), 0.5)
        picks = rng.choice(len(models), size=n, p=weights / weights.sum())
        soc_frac = rng.uniform(p["soc_arrival_min"], p["soc_arrival_max"], n)
        for i in range(n):
            spec = specs[models[picks[i]]]
            cap = float(spec["battery_capacity"])
            pmax = float(spec.get("max_ac_charge_power", 11))
            pdis = float(spec.get("max_ac_discharge_power", 0))
            soc = cap * soc_frac[i]
            allowed = 0.8 * max(stay_h[i] - 0.5, 0.0) * pmax
            arrival = day + pd.Timedelta(hours=float(arrival_h[i]))
            rows.append(
                {
                    "session_id": f"{name}:{len(rows) + 1}",
                    "vehicle_id": f"{name}-{len(rows) + 1}",
                    "source": f"{name} ({models[picks[i]]})",
                    "arrival": arrival.round("min"),
                    "departure": (arrival + pd.Timedelta(hours=float(stay_h[i]))).round("min"),
                    "energy_requested_kwh": round(float(min(energy[i], cap - soc, allowed)), 3),
                    "capacity_kwh": cap,
                    "soc_arrival_kwh": round(float(soc), 3),
                    "min_soc_kwh": float(p["min_soc"]) * cap,
                    "max_charge_kw": pmax,
                    "max_discharge_kw": pdis,
                    "v2g": pdis > 0,
                }
            )
    return pd.DataFrame(rows)
