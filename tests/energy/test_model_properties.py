"""Issue 3's model holds for every strategy, and `optimal` is never beaten (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from random_problems import problems

from metroscope.energy.dispatch import STRATEGIES
from metroscope.energy.dispatch.problem import (
    Problem,
    check_dispatch,
    cost_eur,
    objective_eur,
    target_soc_kwh,
)

EXPECTED = {"uncontrolled", "pv_surplus", "optimal", "mpc"}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_registry_holds_every_strategy_of_issue_3() -> None:
    assert set(STRATEGIES) >= EXPECTED


@PROPERTY
@given(problems())
def test_every_strategy_satisfies_balance_and_every_bound_at_every_step(p: Problem) -> None:
    for name, strategy in STRATEGIES.items():
        d = strategy(p)
        errors = check_dispatch(p, d)
        assert errors == [], f"{name}: {errors[:5]}"


@PROPERTY
@given(problems())
def test_optimal_is_never_beaten_by_another_strategy(p: Problem) -> None:
    best = STRATEGIES["optimal"](p)
    best_objective = objective_eur(p, best)
    for name, strategy in STRATEGIES.items():
        d = strategy(p)
        other = objective_eur(p, d)
        assert best_objective <= other + 1e-6 * (1 + abs(other)), (
            f"{name} beats optimal: {other} < {best_objective}"
        )
        if float(np.sum(d.unmet_kwh)) <= float(np.sum(best.unmet_kwh)) + 1e-9:
            # delivering at least as much, the other strategy's plain cost is no lower
            assert cost_eur(p, best) <= cost_eur(p, d) + 1e-6 * (1 + abs(cost_eur(p, d)))


@PROPERTY
@given(problems())
def test_unmet_energy_is_what_the_departure_soc_misses(p: Problem) -> None:
    for name, strategy in STRATEGIES.items():
        d = strategy(p)
        departure_soc = d.soc_kwh[p.soc_offsets[1:] - 1]
        expected = np.maximum(0.0, target_soc_kwh(p) - departure_soc)
        np.testing.assert_allclose(d.unmet_kwh, expected, atol=1e-6, err_msg=name)
