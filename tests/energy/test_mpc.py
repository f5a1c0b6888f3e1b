"""`mpc`: rolling horizon on forecasts — never looks ahead, exact when nothing is hidden."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from random_problems import random_problem

from metroscope.energy.dispatch.forecast import LOAD_FORECASTS, PV_FORECASTS
from metroscope.energy.dispatch.mpc import mpc
from metroscope.energy.dispatch.optimal import optimal
from metroscope.energy.dispatch.problem import Problem, check_dispatch, objective_eur


def _all_arrive_together(p: Problem) -> Problem:
    """Every session arrives at step 0, so nothing about the fleet is hidden at the start."""
    return replace(p, arrival_step=np.zeros(p.n_sessions, dtype=np.int64))


@pytest.mark.parametrize("seed", range(8))
def test_with_perfect_forecasts_and_no_hidden_arrival_mpc_is_optimal(seed: int) -> None:
    p = _all_arrive_together(random_problem(seed, n_steps=30, n_sessions=5))
    d = mpc(p, pv_forecast="perfect", load_forecast="perfect", replan_h=1.0)
    assert check_dispatch(p, d) == []
    assert_allclose(objective_eur(p, d), objective_eur(p, optimal(p)), rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_mpc_decisions_never_depend_on_the_future(seed: int) -> None:
    """Changing PV, load and sessions from step k on leaves every decision before k as it was."""
    p = random_problem(seed, n_steps=96 * 3, n_sessions=30, dt_h=0.25, max_duration_steps=40)
    k = 96 * 2 + 13
    rng = np.random.default_rng(seed)
    pv, load = p.pv_kw.copy(), p.load_kw.copy()
    pv[k:] = rng.uniform(0, 20, len(pv) - k)
    load[k:] = rng.uniform(0, 10, len(load) - k)
    later = p.arrival_step >= k
    q = replace(
        p,
        pv_kw=pv,
        load_kw=load,
        energy_requested_kwh=np.where(later, 1.0, p.energy_requested_kwh),
    )
    a, b = mpc(p), mpc(q)
    before = p.entry_step < k
    assert_allclose(a.ch_kw[before], b.ch_kw[before], atol=1e-9)
    assert_allclose(a.dis_kw[before], b.dis_kw[before], atol=1e-9)
    assert_allclose(a.import_kw[:k], b.import_kw[:k], atol=1e-9)


@pytest.mark.parametrize("name", sorted(set(PV_FORECASTS) - {"perfect"}))
def test_pv_forecasts_use_only_the_past(name: str) -> None:
    rng = np.random.default_rng(0)
    series = rng.uniform(0, 10, 96 * 20)
    t = 96 * 16 + 40
    changed = series.copy()
    changed[t:] = rng.uniform(0, 10, len(series) - t)
    a = PV_FORECASTS[name](series, 96)(t, t + 200)
    b = PV_FORECASTS[name](changed, 96)(t, t + 200)
    assert_allclose(a, b)
    assert a.shape == (200,) and np.all(a >= 0)


@pytest.mark.parametrize("name", sorted(set(LOAD_FORECASTS) - {"perfect"}))
def test_load_forecasts_use_only_the_past(name: str) -> None:
    rng = np.random.default_rng(1)
    series = rng.uniform(0, 10, 96 * 10)
    t = 96 * 8 + 5
    changed = series.copy()
    changed[t:] = -1.0
    a = LOAD_FORECASTS[name](series, 96)(t, t + 300)
    b = LOAD_FORECASTS[name](changed, 96)(t, t + 300)
    assert_allclose(a, b)
    # last week's same time, for the first week ahead
    assert_allclose(LOAD_FORECASTS["last_week"](series, 96)(t, t + 10), series[t - 672 : t - 662])


def test_clear_sky_scaled_follows_a_clear_day_exactly() -> None:
    day = np.clip(np.sin(np.linspace(-np.pi / 2, 3 * np.pi / 2, 96)), 0, None) * 10
    series = np.tile(day, 20)
    t = 96 * 18 + 48
    assert_allclose(PV_FORECASTS["clear_sky_scaled"](series, 96)(t, t + 96), series[t : t + 96])


def test_mpc_with_battery_and_demand_charge_keeps_every_bound() -> None:
    p = random_problem(
        3, n_steps=96 * 2, n_sessions=12, battery=True, demand_charge=True, dt_h=0.25
    )
    d = mpc(p)
    assert check_dispatch(p, d) == []
    assert objective_eur(p, d) >= objective_eur(p, optimal(p)) - 1e-6


def test_bad_options_are_refused_with_the_choices() -> None:
    p = random_problem(0)
    with pytest.raises(ValueError, match="pv_forecast must be one of"):
        mpc(p, pv_forecast="crystal_ball")
    with pytest.raises(ValueError, match="load_forecast must be one of"):
        mpc(p, load_forecast="guess")
    with pytest.raises(ValueError, match="must be > 0"):
        mpc(p, replan_h=0)


def test_mpc_gap_on_four_weeks_of_the_fleet_depot_is_within_three_percent() -> None:
    from metroscope.energy.simulate import build_problem, load_scenario

    scenario = load_scenario("amb-fleet-depot")
    period = scenario.period.model_copy(
        update={"start": dt.date(2025, 3, 3), "end": dt.date(2025, 3, 31)}
    )
    p = build_problem(scenario.model_copy(update={"period": period}))
    assert p.n_sessions > 300
    best = objective_eur(p, optimal(p))
    d = mpc(p)
    assert check_dispatch(p, d) == []
    gap = objective_eur(p, d) / best - 1
    assert 0 <= gap <= 0.03
