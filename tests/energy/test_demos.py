"""The shipped demos build year-long problems that every strategy dispatches within the model."""

from __future__ import annotations

import numpy as np
import pytest

from metroscope.energy.dispatch import STRATEGIES
from metroscope.energy.dispatch.problem import check_dispatch
from metroscope.energy.simulate import build_inputs, list_demos, load_scenario, simulate

pytestmark = pytest.mark.slow

SCENARIOS = [n for n, _ in list_demos("scenario")]


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_demo_is_a_calibrated_year_at_15_minutes(name: str) -> None:
    sc = load_scenario(name)
    problem, plan = build_inputs(sc)
    assert problem.n_steps == 35040 and problem.dt_h == 0.25
    assert problem.n_sessions > 100
    assert (plan.sessions["status"] == "accepted").sum() == problem.n_sessions
    pv = sc.pv
    assert pv is not None and pv.kind == "pvlib"
    assert problem.pv_kw.sum() * 0.25 == pytest.approx(pv.peak_kw * pv.target_yield_kwh_per_kwp)
    assert problem.load_kw.sum() * 0.25 == pytest.approx(sc.load.annual_kwh, rel=2e-4)  # type: ignore[union-attr]
    for strategy in ("uncontrolled", "pv_surplus"):
        result = simulate(sc, strategy, inputs=(problem, plan))
        assert check_dispatch(problem, result.dispatch) == []
        assert result.kpis["unmet_kwh"] < 1e-6


@pytest.mark.skipif("optimal" not in STRATEGIES, reason="optimal strategy not available yet")
def test_molins_de_rei_optimal_is_cheapest_with_no_unmet_energy() -> None:
    sc = load_scenario("molins-de-rei")
    inputs = build_inputs(sc)
    costs = {}
    for name in STRATEGIES:
        result = simulate(sc, name, inputs=inputs)
        assert result.kpis["unmet_kwh"] < 1e-6, name
        costs[name] = result.kpis["energy_cost_eur"]
    assert min(costs, key=lambda n: costs[n]) == "optimal" or np.isclose(
        costs["optimal"], min(costs.values())
    )
