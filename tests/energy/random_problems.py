"""Random small dispatch problems for the optimiser and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from metroscope.energy.dispatch.problem import Battery, Problem


def random_problem(
    seed: int,
    *,
    n_steps: int = 12,
    n_sessions: int = 4,
    battery: bool = False,
    demand_charge: bool = False,
    dt_h: float = 0.5,
    negative_prices: bool = False,
    max_duration_steps: int | None = None,
) -> Problem:
    """A random feasible problem (the import limit always covers the building load).

    Prices, PV, loads and sessions are drawn at random; roughly half the sessions are
    bidirectional, requests range from nothing to more than can be delivered.
    """
    rng = np.random.default_rng(seed)
    t = n_steps
    index = pd.date_range("2025-06-02", periods=t, freq=f"{int(dt_h * 60)}min", tz="Europe/Madrid")
    pv = np.clip(rng.normal(8, 6, t), 0, None) * (rng.random(t) < 0.8)
    load = rng.uniform(0, 10, t)
    lo_price = -0.05 if negative_prices else 0.02
    price_imp = rng.uniform(max(lo_price, 0.0) + 0.05, 0.35, t)
    price_exp = np.minimum(rng.uniform(lo_price, 0.1, t), price_imp)
    arrival = rng.integers(0, t - 1, n_sessions)
    longest = max_duration_steps or t
    departure = np.minimum(t, arrival + rng.integers(1, longest, n_sessions))
    cap = rng.choice([20.0, 40.0, 60.0], n_sessions)
    soc = cap * rng.uniform(0.05, 0.9, n_sessions)
    bidir = rng.random(n_sessions) < 0.5
    bat = None
    if battery:
        capacity = float(rng.uniform(5, 30))
        bat = Battery(
            capacity_kwh=capacity,
            power_kw=float(rng.uniform(2, 10)),
            eta_ch=float(rng.uniform(0.85, 1.0)),
            eta_dis=float(rng.uniform(0.85, 1.0)),
            soc_initial_kwh=capacity * 0.5,
            soc_min_kwh=capacity * 0.1,
        )
    return Problem(
        index=index,
        dt_h=dt_h,
        pv_kw=pv,
        load_kw=load,
        price_import_eur_per_kwh=price_imp,
        price_export_eur_per_kwh=price_exp,
        co2_kg_per_kwh=np.full(t, 0.2),
        # the connection carries the building plus the battery (as sites are sized)
        import_limit_kw=float(rng.uniform(12, 40)) + (bat.power_kw if bat else 0.0),
        export_limit_kw=float(rng.uniform(0, 20)),
        degradation_eur_per_kwh=float(rng.uniform(0, 0.05)),
        demand_charge_eur_per_kw=float(rng.uniform(0.5, 3)) if demand_charge else 0.0,
        arrival_step=arrival,
        departure_step=departure,
        capacity_kwh=cap,
        soc_arrival_kwh=soc,
        energy_requested_kwh=rng.uniform(0, 50, n_sessions),
        min_soc_kwh=cap * rng.uniform(0, 0.3, n_sessions),
        max_charge_kw=rng.choice([3.7, 7.4, 11.0], n_sessions),
        max_discharge_kw=np.where(bidir, rng.choice([3.7, 7.4, 11.0], n_sessions), 0.0),
        eta_ch=rng.uniform(0.85, 1.0, n_sessions),
        eta_dis=rng.uniform(0.85, 1.0, n_sessions),
        battery=bat,
        unmet_penalty_eur_per_kwh=float(rng.choice([1.0, 10.0])),
    )


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Hypothesis strategy: small random problems, with or without battery and demand charge."""
    return random_problem(
        draw(st.integers(0, 2**32 - 1)),
        n_steps=draw(st.integers(2, 16)),
        n_sessions=draw(st.integers(0, 5)),
        battery=draw(st.booleans()),
        demand_charge=draw(st.booleans()),
        dt_h=draw(st.sampled_from([0.25, 0.5, 1.0])),
        negative_prices=draw(st.booleans()),
    )
