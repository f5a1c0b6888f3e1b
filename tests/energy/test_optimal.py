"""`optimal` equals an independent dense solve, its decomposition is exact, unmet is exact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from random_problems import random_problem
from scipy.optimize import linprog

from metroscope.energy.dispatch.optimal import find_blocks, optimal, site_closed_form
from metroscope.energy.dispatch.problem import (
    Problem,
    check_dispatch,
    cost_eur,
    objective_eur,
)


def dense_reference(p: Problem) -> float:
    """Optimum of issue 3's model written independently: dense [V, T] variables, linprog.

    Variables per session: ch[T], dis[T], soc[T+1], unmet; per step: imp, exp, curt;
    battery bch[T], bdis[T], bsoc[T+1]; peak. Steps when a vehicle is away have their
    power fixed to 0 by bounds and their SoC carried unchanged.
    """
    t_n, v_n = p.n_steps, p.n_sessions
    names: list[tuple[str, int, int]] = []

    def add(kind: str, count: int, v: int = -1) -> list[int]:
        start = len(names)
        names.extend((kind, v, i) for i in range(count))
        return list(range(start, start + count))

    ch = [add("ch", t_n, v) for v in range(v_n)]
    dis = [add("dis", t_n, v) for v in range(v_n)]
    soc = [add("soc", t_n + 1, v) for v in range(v_n)]
    unmet = add("unmet", v_n)
    imp, exp, curt = add("imp", t_n), add("exp", t_n), add("curt", t_n)
    bch, bdis, bsoc = add("bch", t_n), add("bdis", t_n), add("bsoc", t_n + 1)
    peak = add("peak", 1)[0]
    n = len(names)
    c = np.zeros(n)
    bounds = [(0.0, 0.0)] * n
    a_eq, b_eq, a_ub, b_ub = [], [], [], []

    def row(entries: dict[int, float]) -> np.ndarray:
        r = np.zeros(n)
        for k, val in entries.items():
            r[k] += val
        return r

    dt = p.dt_h
    floor = np.minimum(p.min_soc_kwh, p.soc_arrival_kwh)
    target = np.minimum(p.capacity_kwh, p.soc_arrival_kwh + p.energy_requested_kwh)
    for v in range(v_n):
        a, d = int(p.arrival_step[v]), int(p.departure_step[v])
        for t in range(t_n):
            on = a <= t < d
            bounds[ch[v][t]] = (0.0, float(p.max_charge_kw[v]) if on else 0.0)
            bounds[dis[v][t]] = (0.0, float(p.max_discharge_kw[v]) if on else 0.0)
            c[dis[v][t]] = p.degradation_eur_per_kwh * dt
            a_eq.append(
                row(
                    {
                        soc[v][t + 1]: 1.0,
                        soc[v][t]: -1.0,
                        ch[v][t]: -p.eta_ch[v] * dt,
                        dis[v][t]: dt / p.eta_dis[v],
                    }
                )
            )
            b_eq.append(0.0)
        for t in range(t_n + 1):
            bounds[soc[v][t]] = (
                (float(floor[v]), float(p.capacity_kwh[v])) if a <= t <= d else (None, None)
            )
        a_eq.append(row({soc[v][a]: 1.0}))
        b_eq.append(float(p.soc_arrival_kwh[v]))
        a_ub.append(row({soc[v][d]: -1.0, unmet[v]: -1.0}))
        b_ub.append(-float(target[v]))
        bounds[unmet[v]] = (0.0, None)
        c[unmet[v]] = p.unmet_penalty_eur_per_kwh
    for t in range(t_n):
        bounds[imp[t]] = (0.0, p.import_limit_kw)
        bounds[exp[t]] = (0.0, p.export_limit_kw)
        bounds[curt[t]] = (0.0, float(p.pv_kw[t]))
        c[imp[t]] = p.price_import_eur_per_kwh[t] * dt
        c[exp[t]] = -p.price_export_eur_per_kwh[t] * dt
        bal = {imp[t]: 1.0, exp[t]: -1.0, curt[t]: -1.0, bdis[t]: 1.0, bch[t]: -1.0}
        for v in range(v_n):
            bal[ch[v][t]] = -1.0
            bal[dis[v][t]] = 1.0
        a_eq.append(row(bal))
        b_eq.append(float(p.load_kw[t] - p.pv_kw[t]))
        a_ub.append(row({imp[t]: 1.0, peak: -1.0}))
        b_ub.append(0.0)
    bounds[peak] = (0.0, None)
    c[peak] = p.demand_charge_eur_per_kw
    b = p.battery
    if b is not None:
        for t in range(t_n):
            bounds[bch[t]] = bounds[bdis[t]] = (0.0, b.power_kw)
            c[bdis[t]] = p.degradation_eur_per_kwh * dt
            a_eq.append(
                row(
                    {
                        bsoc[t + 1]: 1.0,
                        bsoc[t]: -1.0,
                        bch[t]: -b.eta_ch * dt,
                        bdis[t]: dt / b.eta_dis,
                    }
                )
            )
            b_eq.append(0.0)
        for t in range(t_n + 1):
            bounds[bsoc[t]] = (b.soc_min_kwh, b.capacity_kwh)
        bounds[bsoc[0]] = (b.soc_initial_kwh, b.soc_initial_kwh)
        bounds[bsoc[t_n]] = (b.soc_initial_kwh, b.capacity_kwh)
    res = linprog(
        c,
        A_ub=np.array(a_ub),
        b_ub=np.array(b_ub),
        A_eq=np.array(a_eq),
        b_eq=np.array(b_eq),
        bounds=bounds,
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.fun)


def _one_ev(requested_kwh: float, steps: int = 2) -> Problem:
    index = pd.date_range("2025-01-06", periods=steps, freq="h", tz="UTC")
    z = np.zeros(steps)
    return Problem(
        index=index,
        dt_h=1.0,
        pv_kw=z,
        load_kw=z,
        price_import_eur_per_kwh=np.full(steps, 0.2),
        price_export_eur_per_kwh=z,
        co2_kg_per_kwh=z,
        import_limit_kw=100.0,
        export_limit_kw=0.0,
        degradation_eur_per_kwh=0.0,
        demand_charge_eur_per_kw=0.0,
        arrival_step=[0],
        departure_step=[steps],
        capacity_kwh=[60.0],
        soc_arrival_kwh=[10.0],
        energy_requested_kwh=[requested_kwh],
        min_soc_kwh=[0.0],
        max_charge_kw=[7.0],
        max_discharge_kw=[0.0],
        eta_ch=[0.9],
        eta_dis=[0.9],
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    ("battery", "demand_charge"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_optimal_equals_an_independent_dense_linprog_solve(
    seed: int, battery: bool, demand_charge: bool
) -> None:
    p = random_problem(seed, battery=battery, demand_charge=demand_charge)
    d = optimal(p)
    assert check_dispatch(p, d) == []
    reference = dense_reference(p)
    assert_allclose(objective_eur(p, d), reference, rtol=1e-7, atol=1e-6)
    assert d.objective_eur is not None
    assert_allclose(d.objective_eur, reference, rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("seed", range(25))
def test_decomposed_equals_monolithic(seed: int) -> None:
    p = random_problem(
        seed + 100,
        n_steps=40,
        n_sessions=8,
        negative_prices=seed % 2 == 0,
        max_duration_steps=None if seed % 3 == 0 else 10,
    )
    dec = optimal(p, method="decomposed")
    mono = optimal(p, method="monolithic")
    assert dec.info["method"] == "decomposed" and mono.info["method"] == "monolithic"
    assert check_dispatch(p, dec) == [] and check_dispatch(p, mono) == []
    assert_allclose(objective_eur(p, dec), objective_eur(p, mono), rtol=1e-8, atol=1e-7)
    assert_allclose(dec.objective_eur, mono.objective_eur, rtol=1e-8, atol=1e-7)


def test_decomposed_in_two_processes_equals_one_process() -> None:
    p = random_problem(7, n_steps=200, n_sessions=30, max_duration_steps=8)
    one = optimal(p, workers=1)
    two = optimal(p, workers=2)
    assert one.info["blocks"] > 3
    assert check_dispatch(p, two) == []
    assert_allclose(objective_eur(p, one), objective_eur(p, two), rtol=1e-9)


def test_infeasible_demand_is_reported_as_exact_unmet_energy() -> None:
    # 2 h at 7 kW with 90 % efficiency store 12.6 kWh: asking for 20 leaves 7.4 unmet
    p = _one_ev(requested_kwh=20.0)
    d = optimal(p)
    assert check_dispatch(p, d) == []
    assert_allclose(d.unmet_kwh, [7.4], atol=1e-9)
    assert_allclose(d.ch_kw, [7.0, 7.0], atol=1e-9)
    assert_allclose(d.soc_kwh, [10.0, 16.3, 22.6], atol=1e-9)
    assert_allclose(cost_eur(p, d), 14 * 0.2, atol=1e-9)
    assert_allclose(objective_eur(p, d), 14 * 0.2 + 10 * 7.4, atol=1e-9)


def test_feasible_demand_leaves_no_unmet_energy_and_buys_only_what_is_needed() -> None:
    p = _one_ev(requested_kwh=9.0)
    d = optimal(p)
    assert_allclose(d.unmet_kwh, [0.0], atol=1e-9)
    assert_allclose(np.sum(d.ch_kw), 10.0, atol=1e-9)  # 9 kWh stored at 90 %


def test_blocks_split_where_windows_only_touch() -> None:
    p = random_problem(1, n_steps=10, n_sessions=0)
    p = replace(
        p,
        arrival_step=np.array([0, 3, 5, 6]),
        departure_step=np.array([3, 6, 8, 7]),
        eta_ch=np.ones(4),
        eta_dis=np.ones(4),
        max_charge_kw=np.ones(4),
        capacity_kwh=np.full(4, 40.0),
        soc_arrival_kwh=np.full(4, 10.0),
        energy_requested_kwh=np.full(4, 5.0),
        min_soc_kwh=np.zeros(4),
        max_discharge_kw=np.zeros(4),
    )
    blocks = find_blocks(p)
    assert [(t0, t1, list(s)) for t0, t1, s in blocks] == [(0, 3, [0]), (3, 8, [1, 2, 3])]


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_free_steps_match_linprog_per_step(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = 60
    load = rng.uniform(0, 20, t)
    pv = rng.uniform(0, 30, t) * (rng.random(t) < 0.7)
    p_imp = rng.uniform(-0.1, 0.3, t)
    p_exp = rng.uniform(-0.1, 0.3, t)
    imp_lim, exp_lim = 25.0, float(rng.uniform(0, 15))
    imp, exp, curt = site_closed_form(load, pv, p_imp, p_exp, imp_lim, exp_lim)
    assert_allclose(imp - exp + pv - curt, load, atol=1e-9)
    assert np.all((imp >= 0) & (imp <= imp_lim + 1e-9) & (exp >= 0) & (exp <= exp_lim + 1e-9))
    assert np.all((curt >= -1e-12) & (curt <= pv + 1e-9))
    for k in range(t):
        res = linprog(
            [p_imp[k], -p_exp[k], 0.0],
            A_eq=[[1.0, -1.0, -1.0]],
            b_eq=[load[k] - pv[k]],
            bounds=[(0, imp_lim), (0, exp_lim), (0, pv[k])],
            method="highs",
        )
        assert_allclose(p_imp[k] * imp[k] - p_exp[k] * exp[k], res.fun, atol=1e-9)


def test_a_load_above_the_import_limit_is_a_clear_error() -> None:
    p = _one_ev(requested_kwh=0.0, steps=3)
    p = replace(p, load_kw=np.array([0.0, 0.0, 500.0]), departure_step=np.array([1]))
    with pytest.raises(ValueError, match=r"step 2 is infeasible: load 500"):
        optimal(p)


def test_a_bad_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be"):
        optimal(_one_ev(5.0), method="fastest")
    p = random_problem(0, battery=True)
    with pytest.raises(ValueError, match="couples all steps"):
        optimal(p, method="decomposed")


def test_worker_processes_still_solve_after_a_multithreaded_solve_in_the_parent() -> None:
    from metroscope.energy.dispatch.lp import build_lp, solve_lp

    p = random_problem(11, n_steps=300, n_sessions=60, max_duration_steps=8)
    lp = build_lp(p, np.arange(p.n_steps), np.arange(p.n_sessions))
    _, mono = solve_lp(lp, solver="choose", threads=0, warm_basis=False)  # starts HiGHS threads
    two = optimal(p, workers=2)
    assert two.info["blocks"] > 3
    assert_allclose(two.objective_eur, mono, rtol=1e-8)


@pytest.mark.parametrize("seed", range(15))
def test_peak_search_equals_the_monolithic_lp_with_a_demand_charge(seed: int) -> None:
    p = random_problem(
        seed + 300,
        n_steps=60,
        n_sessions=10,
        demand_charge=True,
        max_duration_steps=None if seed % 3 == 0 else 12,
    )
    search = optimal(p)
    mono = optimal(p, method="monolithic")
    assert search.info["method"] == "peak_search"
    assert check_dispatch(p, search) == []
    assert_allclose(search.objective_eur, mono.objective_eur, rtol=1e-8, atol=1e-7)
    assert_allclose(objective_eur(p, search), mono.objective_eur, rtol=1e-8, atol=1e-7)


def test_peak_search_is_refused_where_free_steps_would_react_to_the_peak() -> None:
    p = replace(random_problem(2, demand_charge=True), price_import_eur_per_kwh=np.full(12, -0.01))
    assert optimal(p).info["method"] == "monolithic"
    with pytest.raises(ValueError, match="peak_search needs"):
        optimal(p, method="peak_search")


def test_the_convex_search_finds_the_kink_of_a_piecewise_linear_function() -> None:
    from metroscope.energy.dispatch.peak import minimise_convex_pwl

    lines = [(-3.0, 10.0), (-1.0, 6.0), (0.5, 1.5), (2.0, -6.0)]  # h = max(a x + b)

    def h(x: float) -> tuple[float, float, str] | None:
        if x < 0.5:
            return None  # infeasible below 0.5
        values = [a * x + b for a, b in lines]
        k = int(np.argmax(values))
        return values[k], lines[k][0], f"x={x}"

    result = minimise_convex_pwl(h, 0.0, 10.0)
    assert_allclose(result.peak_kw, 3.0)  # where -1x+6 meets 0.5x+1.5
    assert_allclose(result.value, 3.0)
    assert result.value - result.lower_bound <= 1e-9
    assert result.evaluations < 15


def test_a_battery_given_in_whole_numbers_keeps_a_fractional_soc() -> None:
    from metroscope.energy.dispatch.problem import Battery

    battery = Battery(
        capacity_kwh=20, power_kw=7, eta_ch=1, eta_dis=1, soc_initial_kwh=10, soc_min_kwh=2
    )
    assert isinstance(battery.capacity_kwh, float)
    p = replace(random_problem(4, n_steps=24), battery=battery)
    d = optimal(p)
    assert d.battery_soc_kwh.dtype == np.float64
    assert check_dispatch(p, d) == []
