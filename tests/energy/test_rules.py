"""Rule strategies respect issue 3's model (E2's check_dispatch) and behave as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from tiny_scenarios import tiny

from metroscope.energy.dispatch import STRATEGIES, get_strategy
from metroscope.energy.dispatch.problem import Battery, Problem, check_dispatch, cost_eur
from metroscope.energy.dispatch.rules import connection_slots, pv_surplus, uncontrolled
from metroscope.energy.simulate import build_problem

RULES = {"uncontrolled": uncontrolled, "pv_surplus": pv_surplus}


def random_problem(seed: int, battery: bool = False, tight: bool = False) -> Problem:
    """A random day at 15 min: PV bell, noisy load, overlapping sessions, ToU prices."""
    rng = np.random.default_rng(seed)
    t = 96
    idx = pd.date_range("2025-06-02", periods=t, freq="15min", tz="Europe/Madrid")
    hours = np.arange(t) / 4
    pv = np.clip(8 * np.sin((hours - 6) / 14 * np.pi), 0, None) * rng.uniform(0.5, 1.0)
    load = rng.uniform(1, 4, t)
    v = int(rng.integers(1, 8))
    arr = rng.integers(0, t - 4, v)
    dep = np.minimum(arr + rng.integers(1, 40, v), t)
    cap = rng.uniform(20, 60, v)
    soc = cap * rng.uniform(0.1, 0.9, v)
    price = np.where((hours >= 18) & (hours < 22), 0.3, np.where(hours < 8, 0.1, 0.18))
    return Problem(
        index=idx,
        dt_h=0.25,
        pv_kw=pv,
        load_kw=load,
        price_import_eur_per_kwh=price,
        price_export_eur_per_kwh=np.full(t, 0.05),
        co2_kg_per_kwh=np.full(t, 0.2),
        import_limit_kw=float(load.max() + (3 if tight else 50)),
        export_limit_kw=2.0 if tight else 20.0,
        degradation_eur_per_kwh=0.01,
        demand_charge_eur_per_kw=0.0,
        arrival_step=arr,
        departure_step=dep,
        capacity_kwh=cap,
        soc_arrival_kwh=soc,
        energy_requested_kwh=rng.uniform(0, 30, v),
        min_soc_kwh=cap * rng.uniform(0, 0.5, v),
        max_charge_kw=rng.uniform(3, 11, v),
        max_discharge_kw=np.where(rng.random(v) < 0.5, rng.uniform(3, 11, v), 0.0),
        eta_ch=rng.uniform(0.85, 1.0, v),
        eta_dis=rng.uniform(0.85, 1.0, v),
        battery=Battery(20.0, 5.0, 0.95, 0.95, 10.0, 2.0) if battery else None,
    )


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("seed", range(12))
def test_rules_satisfy_the_model_on_random_days(name: str, seed: int) -> None:
    p = random_problem(seed, battery=seed % 3 == 0, tight=seed % 2 == 0)
    d = RULES[name](p)
    assert check_dispatch(p, d) == []


@pytest.mark.parametrize("name", sorted(RULES))
def test_rules_satisfy_the_model_on_a_scenario(name: str) -> None:
    p = build_problem(tiny())
    assert p.n_sessions > 0
    assert check_dispatch(p, RULES[name](p)) == []


@pytest.mark.parametrize("name", sorted(RULES))
def test_rules_settle_the_grid_without_any_vehicle(name: str) -> None:
    p = _one_session(
        arrival_step=np.zeros(0, dtype=int),
        departure_step=np.zeros(0, dtype=int),
        **{k: np.zeros(0) for k in ("capacity_kwh", "soc_arrival_kwh", "energy_requested_kwh",
                                    "min_soc_kwh", "max_charge_kw", "max_discharge_kw", "eta_ch", "eta_dis")},
        pv_kw=np.array([0, 3, 3, 0, 0, 0, 0, 0], dtype=float),
        export_limit_kw=1.5,
    )  # fmt: skip
    d = RULES[name](p)
    assert check_dispatch(p, d) == []
    assert_allclose(d.import_kw, [1, 0, 0, 1, 1, 1, 1, 1])
    assert_allclose(d.export_kw, [0, 1.5, 1.5, 0, 0, 0, 0, 0])
    assert_allclose(d.curtail_kw, [0, 0.5, 0.5, 0, 0, 0, 0, 0])


def _one_session(**kw: object) -> Problem:
    t = 8
    base = {
        "index": pd.date_range("2025-06-02", periods=t, freq="1h", tz="UTC"),
        "dt_h": 1.0,
        "pv_kw": np.zeros(t),
        "load_kw": np.ones(t),
        "price_import_eur_per_kwh": np.full(t, 0.2),
        "price_export_eur_per_kwh": np.zeros(t),
        "co2_kg_per_kwh": np.zeros(t),
        "import_limit_kw": 100.0,
        "export_limit_kw": 0.0,
        "degradation_eur_per_kwh": 0.0,
        "demand_charge_eur_per_kw": 0.0,
        "arrival_step": np.array([1]),
        "departure_step": np.array([6]),
        "capacity_kwh": np.array([40.0]),
        "soc_arrival_kwh": np.array([10.0]),
        "energy_requested_kwh": np.array([10.0]),
        "min_soc_kwh": np.array([0.0]),
        "max_charge_kw": np.array([4.0]),
        "max_discharge_kw": np.array([0.0]),
        "eta_ch": np.array([1.0]),
        "eta_dis": np.array([1.0]),
    }
    base.update(kw)
    return Problem(**base)


def test_uncontrolled_charges_at_full_power_from_arrival() -> None:
    p = _one_session()
    d = uncontrolled(p)
    assert_allclose(d.ch_kw, [4, 4, 2, 0, 0])
    assert_allclose(d.import_kw, [1, 5, 5, 3, 1, 1, 1, 1])


@pytest.mark.parametrize("seed", range(6))
def test_uncontrolled_closed_form_equals_the_step_loop(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metroscope.energy.dispatch import rules

    p = random_problem(seed)
    direct = uncontrolled(p)
    monkeypatch.setattr(rules, "_uncontrolled_direct", lambda p, d: False)
    looped = uncontrolled(p)
    for name in ("ch_kw", "soc_kwh", "import_kw", "export_kw", "curtail_kw", "unmet_kwh"):
        assert_allclose(getattr(direct, name), getattr(looped, name), atol=1e-9)


def test_uncontrolled_shares_a_tight_import_limit() -> None:
    p = _one_session(import_limit_kw=3.0)
    d = uncontrolled(p)
    assert_allclose(d.ch_kw, [2, 2, 2, 2, 2])
    assert d.import_kw.max() <= 3.0
    assert_allclose(d.unmet_kwh, [0.0])


def test_pv_surplus_tops_up_as_late_as_possible_without_pv() -> None:
    p = _one_session()
    d = pv_surplus(p)
    # connected steps 1-5; 10 kWh at 4 kW need 2.5 h: 2 kW at step 3, 4 kW at steps 4-5
    assert_allclose(d.ch_kw, [0, 0, 2, 4, 4])
    assert_allclose(d.unmet_kwh, [0.0])


def test_pv_surplus_charges_from_surplus_first() -> None:
    pv = np.array([0, 5, 5, 0, 0, 0, 0, 0], dtype=float)
    d = pv_surplus(_one_session(pv_kw=pv, export_limit_kw=10.0))
    # the 4 kW surplus of steps 1-2 goes into the car; the last 2 kWh wait for the deadline
    assert_allclose(d.ch_kw, [4, 4, 0, 0, 2])
    assert_allclose(d.export_kw[:3], [0, 0, 0])


def test_pv_surplus_lets_v2g_supply_the_building_at_high_prices() -> None:
    price = np.array([0.1, 0.4, 0.4, 0.1, 0.1, 0.1, 0.1, 0.1])
    p = _one_session(
        price_import_eur_per_kwh=price,
        max_discharge_kw=np.array([4.0]),
        soc_arrival_kwh=np.array([30.0]),
        energy_requested_kwh=np.array([0.0]),
        min_soc_kwh=np.array([10.0]),
    )
    d = pv_surplus(p)
    assert check_dispatch(p, d) == []
    # the building's 1 kW during the two 0.4 EUR/kWh steps, bought back at 0.1 before leaving
    assert_allclose(d.dis_kw, [1, 1, 0, 0, 0])
    assert_allclose(d.ch_kw, [0, 0, 0, 0, 2])
    assert_allclose(d.unmet_kwh, [0.0])
    assert_allclose(cost_eur(p, d), 0.8)
    assert_allclose(cost_eur(p, uncontrolled(p)), 1.4)


def test_pv_surplus_returns_the_battery_to_its_initial_charge() -> None:
    p = random_problem(5, battery=True)
    d = pv_surplus(p)
    assert p.battery is not None
    assert d.battery_soc_kwh[-1] >= p.battery.soc_initial_kwh - 1e-9
    assert d.battery_dis_kw.sum() > 0


def test_connection_slots_pack_concurrent_sessions() -> None:
    p = random_problem(3)
    slots = connection_slots(p)
    connected = np.bincount(p.entry_step, minlength=p.n_steps)
    assert slots.shape[0] == connected.max()
    assert_allclose((slots >= 0).sum(axis=0), connected)


def test_the_registry_lists_rules_and_names_unknown_strategies() -> None:
    assert {"uncontrolled", "pv_surplus"} <= set(STRATEGIES)
    with pytest.raises(ValueError, match="unknown strategy 'greedy'; available: "):
        get_strategy("greedy")


@pytest.mark.skipif("optimal" not in STRATEGIES, reason="optimal strategy not available yet")
def test_optimal_is_never_dearer_than_the_rules() -> None:
    p = build_problem(tiny())
    best = cost_eur(p, STRATEGIES["optimal"](p)) + 10 * 0
    for rule in RULES.values():
        d = rule(p)
        assert best <= cost_eur(p, d) + p.unmet_penalty_eur_per_kwh * d.unmet_kwh.sum() + 1e-6
