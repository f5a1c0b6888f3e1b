"""Metropolitan disparity: Gini, Theil, CV and core/periphery ratio against hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from metroscope.index.disparity import (
    DisparityError,
    aggregate_to_metro,
    core_periphery_ratio,
    cv,
    disparity,
    gini,
    theil,
)


def test_gini_of_one_person_owning_everything_among_four_is_three_quarters() -> None:
    assert_allclose(gini([0, 0, 0, 4]), 0.75)
    assert_allclose(gini([5, 5, 5]), 0.0)


def test_gini_of_one_two_three_by_hand() -> None:
    # pairs |xi - xj| summed over all ordered pairs = 8; 8 / (2 · 9 · 2) = 2/9
    assert_allclose(gini([1, 2, 3]), 2 / 9)


def test_population_weights_equal_repeating_units() -> None:
    assert_allclose(gini([1, 3], [1, 3]), gini([1, 3, 3, 3]))
    assert_allclose(theil([1, 3], [1, 3]), theil([1, 3, 3, 3]))
    assert_allclose(cv([1, 3], [1, 3]), cv([1, 3, 3, 3]))


def test_theil_by_hand() -> None:
    # x = (1, 3): mu = 2; T = ½(½ ln ½ + 3/2 ln 3/2)
    assert_allclose(theil([1, 3]), 0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)))
    assert_allclose(theil([2, 2, 2]), 0.0)


def test_cv_is_the_population_standard_deviation_over_the_mean() -> None:
    assert_allclose(cv([1, 3]), 0.5)


def test_core_periphery_ratio_compares_the_means() -> None:
    assert_allclose(core_periphery_ratio([30, 10, 20], [True, False, False]), 2.0)
    assert_allclose(core_periphery_ratio([30, 10, 20], [True, False, False], [1, 3, 1]), 30 / 12.5)
    assert np.isnan(core_periphery_ratio([1, 2], [False, False]))


def test_negative_values_give_no_gini_or_theil_and_say_why() -> None:
    units = pd.DataFrame({"population": [1, 1, 1]}, index=["a", "b", "c"])
    out = disparity(pd.DataFrame({"z": [-1.0, 0.0, 1.0]}, index=units.index), units)
    assert np.isnan(out.loc[0, "gini"]) and "negative" in out.loc[0, "note"]


def test_disparity_is_computed_per_metro_with_core_and_periphery() -> None:
    units = pd.DataFrame(
        {
            "parent": ["M1", "M1", "M1", "M2", "M2"],
            "population": [100, 50, 50, 10, 30],
            "is_core": [True, False, False, True, False],
        },
        index=list("abcde"),
    )
    values = pd.DataFrame({"income": [30.0, 10, 20, 5, 5]}, index=units.index)
    out = disparity(values, units).set_index("metro")
    assert_allclose(out.loc["M1", "mean"], (3000 + 500 + 1000) / 200)
    assert_allclose(out.loc["M1", "core_periphery_ratio"], 30 / 15)
    assert_allclose(out.loc["M2", "gini"], 0.0)
    plain = disparity(values, units, weighted=False).set_index("metro")
    assert_allclose(plain.loc["M1", "mean"], 20.0)


def test_municipalities_aggregate_to_their_metro_by_population() -> None:
    units = pd.DataFrame({"parent": ["M", "M", "N"], "population": [1, 3, 2]}, index=list("abc"))
    values = pd.DataFrame({"x": [4.0, 8.0, 1.0]}, index=units.index)
    assert_allclose(aggregate_to_metro(values, units)["x"].to_numpy(), [7.0, 1.0])
    assert_allclose(aggregate_to_metro(values, units, weighted=False)["x"].to_numpy(), [6.0, 1.0])


def test_a_unit_without_population_is_named() -> None:
    units = pd.DataFrame({"population": [1.0, np.nan]}, index=["Badalona", "Gavà"])
    with pytest.raises(DisparityError, match="Gavà"):
        disparity(pd.DataFrame({"x": [1.0, 2.0]}, index=units.index), units)
