"""Imputation, outlier treatment, weighting and analysis helpers against hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from metroscope.index.analysis import cronbach_alpha
from metroscope.index.impute import ImputeError, impute
from metroscope.index.treat import coinr, skew_kurt
from metroscope.index.weights import WeightsError, weigh

X = pd.DataFrame({"a": [1.0, np.nan, 3.0, 10.0], "b": [2.0, 4.0, np.nan, 8.0]}, index=list("PQRS"))
UNITS = pd.DataFrame({"region": ["n", "n", "s", "s"]}, index=list("PQRS"))


def test_mean_and_median_imputation() -> None:
    assert impute(X, "mean").loc["Q", "a"] == pytest.approx(14 / 3)
    assert impute(X, "median").loc["R", "b"] == 4.0


def test_group_imputation_uses_the_units_group() -> None:
    out = impute(X, "group_mean", UNITS, group="region")
    assert out.loc["Q", "a"] == 1.0 and out.loc["R", "b"] == 8.0


def test_group_imputation_names_a_missing_group_column() -> None:
    with pytest.raises(ImputeError, match="no unit metadata column 'zone'"):
        impute(X, "group_median", UNITS, group="zone")


def test_knn_and_iterative_fill_every_gap_and_keep_observed_values() -> None:
    for method in ("knn", "iterative"):
        out = impute(X, method)
        assert out.notna().all().all()
        assert out.loc["S", "a"] == 10.0


def test_coinr_rule_winsorises_a_single_outlier() -> None:
    x = pd.Series([1.0, 2, 2, 3, 3, 3, 4, 4, 5, 100])
    s, k = skew_kurt(x)
    assert s > 2 and k > 3.5
    y, rep = coinr(x)
    assert rep["action"] == "winsorised" and rep["points"] == 1
    assert y.max() == 5.0


def test_coinr_rule_falls_back_to_a_log_when_winsorising_is_not_enough() -> None:
    x = pd.Series(np.r_[np.ones(30), [50.0, 60, 70, 80, 90, 100, 200, 400, 800, 1600]])
    y, rep = coinr(x, winmax=1)
    assert rep["action"] == "log"
    assert_allclose(y.iloc[0], np.log(1 - 1 + 0.01 * (1600 - 1)))


def test_coinr_rule_leaves_a_well_behaved_indicator_alone() -> None:
    x = pd.Series(np.arange(20.0))
    y, rep = coinr(x)
    assert rep["action"] == "none" and y.equals(x)


def test_budget_allocation_averages_the_experts_shares() -> None:
    w = weigh(
        np.zeros((2, 2)),
        np.ones(2),
        ["a", "b"],
        "budget",
        budgets=[{"a": 60, "b": 40}, {"a": 20, "b": 80}],
    )
    assert_allclose(w, [0.4, 0.6])


def test_budget_allocation_names_the_children_nobody_funded() -> None:
    with pytest.raises(WeightsError, match=r"no expert allocated points to any of \['a', 'b'\]"):
        weigh(np.zeros((2, 2)), np.ones(2), ["a", "b"], "budget", budgets=[{"c": 1}])


def test_budget_allocation_takes_each_nodes_own_children_from_one_tree_wide_budget() -> None:
    from index_synthetic import builder_for, synthetic_values, two_level_config

    budgets = [
        {"i0": 50, "i1": 30, "i2": 20, "i3": 10, "i4": 10, "i5": 80, "d0": 1, "d1": 3},
        {"i0": 10, "i1": 10, "i2": 80, "i3": 40, "i4": 40, "i5": 20, "d0": 1, "d1": 1},
    ]
    res = builder_for(
        synthetic_values(),
        two_level_config(weights={"method": "budget", "params": {"budgets": budgets}}),
    ).run()
    assert_allclose([res.weights[k] for k in ("i0", "i1", "i2")], [0.3, 0.2, 0.5])
    assert_allclose([res.weights["d0"], res.weights["d1"]], [0.375, 0.625])


def test_pca_weights_favour_the_correlated_block() -> None:
    rng = np.random.default_rng(0)
    f = rng.normal(size=200)
    x = np.column_stack(
        [f + 0.1 * rng.normal(size=200), f + 0.1 * rng.normal(size=200), rng.normal(size=200)]
    )
    w = weigh(x, np.ones(3), ["a", "b", "c"], "pca")
    assert_allclose(w.sum(), 1.0)
    assert w[0] > w[2] and w[1] > w[2]


def test_optimised_weights_balance_the_correlations_with_the_aggregate() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 3)) * [1, 1, 1]
    x[:, 1] += x[:, 0]
    from metroscope.index.weights import _corr_with

    w = weigh(x, np.ones(3), ["a", "b", "c"], "optimised")
    assert np.var(_corr_with(x, w)) < np.var(_corr_with(x, np.ones(3) / 3))


def test_cronbach_alpha_by_hand() -> None:
    # two identical items: alpha = 2 · (1 − 2 var / 4 var) = 1
    x = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])
    assert_allclose(cronbach_alpha(x), 1.0)
    # item variances 1 and 1, total variance 4/3 ... computed: k/(k-1)(1 - 2/var(sum))
    y = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
    assert_allclose(cronbach_alpha(y), 2 * (1 - 2 / np.var(y.sum(axis=1), ddof=1)))
