"""Capex, NPV, paybacks and the Pareto front against values worked out by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from metroscope.energy.finance import (
    MOLINS_DE_REI_REFERENCE,
    CostAssumptions,
    annuity_factor,
    capex_eur,
    capital_recovery_factor,
    discounted_payback_years,
    npv_eur,
    pareto_front,
    simple_payback_years,
)
from metroscope.energy.sizing import parse_range


def test_default_costs_reproduce_the_sourced_molins_de_rei_capex() -> None:
    costs = CostAssumptions()
    assert capex_eur(10.0, 1, costs) == pytest.approx(MOLINS_DE_REI_REFERENCE["capex_eur"])
    assert "ASSUMPTION" in costs.labels()["pv_eur_per_kwp"]
    assert "interregeurope" in costs.labels()["reference"]


def test_capex_adds_fixed_pv_and_chargers_and_is_zero_without_a_project() -> None:
    costs = CostAssumptions(pv_eur_per_kwp=1000, charger_eur=2000, fixed_eur=500)
    assert capex_eur(15, 3, costs) == 500 + 15_000 + 6_000
    assert capex_eur(0, 0, costs) == 0.0


def test_annuity_factor_at_4_percent_over_20_years() -> None:
    # (1 - 1.04**-20) / 0.04: 1.04**20 = 2.1911231, 1/2.1911231 = 0.4563869
    assert annuity_factor(0.04, 20) == pytest.approx((1 - 0.4563869) / 0.04, rel=1e-6)
    assert annuity_factor(0.0, 20) == 20.0
    assert capital_recovery_factor(0.04, 20) == pytest.approx(1 / 13.590326, rel=1e-6)


def test_npv_of_the_molins_de_rei_capex_with_1500_eur_a_year() -> None:
    # -17078.05 + 1500 * 13.590326 = 3307.44 (hand)
    assert npv_eur(17078.05, 1500.0, 0.04, 20) == pytest.approx(3307.44, abs=0.01)
    # year-by-year discounting gives the same number
    by_year = -17078.05 + sum(1500.0 / 1.04**y for y in range(1, 21))
    assert npv_eur(17078.05, 1500.0, 0.04, 20) == pytest.approx(by_year, rel=1e-12)
    assert npv_eur(1000.0, 100.0, 0.0, 5) == -500.0


def test_simple_payback_is_capex_over_net_cash_flow() -> None:
    assert simple_payback_years(17078.05, 1500.0) == pytest.approx(11.3854, abs=1e-4)
    assert simple_payback_years(1000.0, 0.0) is None
    assert simple_payback_years(1000.0, -5.0) is None
    assert simple_payback_years(0.0, -5.0) == 0.0


def test_discounted_payback_falls_between_the_years_where_cumulative_flow_turns_positive() -> None:
    y = discounted_payback_years(17078.05, 1500.0, 0.04, 20)
    assert y == pytest.approx(15.4951, abs=1e-3)  # -ln(1 - 17078.05*0.04/1500)/ln(1.04)
    cum = [-17078.05 + sum(1500.0 / 1.04**k for k in range(1, n + 1)) for n in (15, 16)]
    assert cum[0] < 0 < cum[1]
    assert discounted_payback_years(1000.0, 100.0, 0.0, 20) == pytest.approx(10.0)


def test_discounted_payback_is_none_when_not_reached_within_the_lifetime() -> None:
    assert discounted_payback_years(17078.05, 1500.0, 0.04, 15) is None
    assert discounted_payback_years(10000.0, 300.0, 0.04, 100) is None  # perpetuity < capex
    assert discounted_payback_years(10000.0, -1.0, 0.04, 20) is None


def test_pareto_front_keeps_exactly_the_non_dominated_points() -> None:
    cost = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 1.0])
    co2 = np.array([5.0, 3.0, 4.0, 1.0, 3.0, 6.0])
    # C=(3,4) is beaten by B=(2,3); F=(1,6) by A=(1,5); B and its twin E both stay
    assert pareto_front(cost, co2).tolist() == [True, True, False, True, True, False]


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=30))
def test_pareto_front_matches_a_brute_force_definition(points: list[tuple[int, int]]) -> None:
    cost = np.array([p[0] for p in points], dtype=float)
    co2 = np.array([p[1] for p in points], dtype=float)
    expected = [
        not any((q[0] <= p[0] and q[1] <= p[1]) and (q[0] < p[0] or q[1] < p[1]) for q in points)
        for p in points
    ]
    assert pareto_front(cost, co2).tolist() == expected
    assert pareto_front(cost, co2).any()


def test_parse_range_reads_inclusive_ranges() -> None:
    assert parse_range("0:30:10", "--pv-kw") == [0.0, 10.0, 20.0, 30.0]
    assert parse_range("5", "--pv-kw") == [5.0]
    assert_allclose(parse_range("0:1:0.25", "--pv-kw"), [0, 0.25, 0.5, 0.75, 1.0])
    assert parse_range("1:3", "--chargers", integer=True) == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("text", "integer", "fragment"),
    [
        ("10:5", False, "below the start"),
        ("0:10:0", False, "step 0 must be > 0"),
        ("a:b", False, "non-number"),
        ("1:2:3:4", False, "cannot read"),
        ("1.5:3", True, "whole numbers"),
        ("-1:3", True, ">= 0"),
        ("0:100000:1", False, "at most 1000"),
    ],
)
def test_parse_range_errors_name_the_option(text: str, integer: bool, fragment: str) -> None:
    option = "--chargers" if integer else "--pv-kw"
    with pytest.raises(ValueError, match=option) as err:
        parse_range(text, option, integer=integer)
    assert fragment in str(err.value)


def test_parse_range_covers_the_grid_without_float_drift() -> None:
    for a, b, s in itertools.product((0, 2.5), (10, 12.5), (0.5, 2.5)):
        values = parse_range(f"{a}:{b}:{s}", "--pv-kw")
        assert values[0] == a and values[-1] <= b + 1e-9 and b - values[-1] < s
