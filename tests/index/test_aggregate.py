"""Every aggregator against hand-computed values; Copeland on a textbook example."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from metroscope.index.aggregate import AGGREGATORS, AggregateError, aggregate, outranking_matrix


def test_arithmetic_mean_is_weighted() -> None:
    assert_allclose(aggregate([[1, 4]], [1, 1], "arithmetic"), [2.5])
    assert_allclose(aggregate([[2, 8]], [3, 1], "arithmetic"), [3.5])


def test_geometric_mean_is_weighted() -> None:
    assert_allclose(aggregate([[1, 4]], [1, 1], "geometric"), [2.0])
    assert_allclose(aggregate([[2, 8]], [3, 1], "geometric"), [2**1.5])


def test_harmonic_mean_is_weighted() -> None:
    assert_allclose(aggregate([[1, 4]], [1, 1], "harmonic"), [1.6])
    assert_allclose(aggregate([[2, 8]], [3, 1], "harmonic"), [4 / 1.625])


def test_generalised_mean_covers_the_power_family() -> None:
    assert_allclose(aggregate([[1, 4]], [1, 1], "generalised", p=2), [np.sqrt(8.5)])
    assert_allclose(aggregate([[1, 4]], [1, 1], "generalised", p=1), [2.5])
    assert_allclose(aggregate([[1, 4]], [1, 1], "generalised", p=0), [2.0])
    assert_allclose(aggregate([[1, 4]], [1, 1], "generalised", p=-1), [1.6])


def test_means_skip_missing_children_and_rescale_the_weights() -> None:
    assert_allclose(aggregate([[2, np.nan, 8]], [1, 1, 2], "arithmetic"), [6.0])


def test_geometric_mean_rejects_zero_naming_the_unit_row() -> None:
    with pytest.raises(AggregateError, match="strictly positive") as err:
        aggregate([[1, 2], [0, 3]], [1, 1], "geometric")
    assert err.value.rows == [1]


def test_copeland_on_the_tennessee_capital_textbook_example() -> None:
    """The textbook Condorcet/Copeland example (Wikipedia, "Condorcet method" and
    "Copeland's method": the Tennessee capital vote). Four voter blocs are the indicators,
    weighted by their shares (Memphis 42 %, Nashville 26 %, Chattanooga 15 %,
    Knoxville 17 %), each scoring the cities by its preference order. Nashville beats every
    city pairwise (Copeland 3 − 0), Chattanooga 2 − 1, Knoxville 1 − 2, Memphis 0 − 3.
    """
    cities = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    prefs = [  # one voter bloc per list, cities best first
        ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
        ["Nashville", "Chattanooga", "Knoxville", "Memphis"],
        ["Chattanooga", "Knoxville", "Nashville", "Memphis"],
        ["Knoxville", "Chattanooga", "Nashville", "Memphis"],
    ]
    shares = [42, 26, 15, 17]
    X = np.array([[4 - order.index(c) for order in prefs] for c in cities], dtype=float)
    assert_allclose(aggregate(X, shares, "copeland"), [-3, 3, 1, -1])
    e = outranking_matrix(X, shares)
    assert_allclose(e[1, 0], 0.58)  # Nashville over Memphis: 26 + 15 + 17
    assert_allclose(e[2, 3], 0.83)  # Chattanooga over Knoxville: 42 + 26 + 15


def test_copeland_counts_an_even_split_as_neither_win_nor_loss() -> None:
    assert_allclose(aggregate([[1, 0], [0, 1]], [1, 1], "copeland"), [0, 0])


def test_benefit_of_the_doubt_lets_each_unit_choose_its_weights() -> None:
    """Hand-solved LP: A and B reach the frontier; C's best weights are w = (2/3, 2/3),
    binding A's and B's constraints, giving 0.4 · 4/3."""
    X = [[1.0, 0.5], [0.5, 1.0], [0.4, 0.4]]
    assert_allclose(aggregate(X, [1, 1], "benefit_of_doubt"), [1, 1, 0.4 * 4 / 3], atol=1e-9)


def test_benefit_of_the_doubt_needs_complete_data() -> None:
    with pytest.raises(AggregateError, match="complete data"):
        aggregate([[1, np.nan], [1, 2]], [1, 1], "benefit_of_doubt")


def test_negative_weights_are_rejected() -> None:
    with pytest.raises(AggregateError, match="weights must be ≥ 0"):
        aggregate([[1, 2]], [1, -1], "arithmetic")


def test_every_registered_aggregator_has_a_docstring() -> None:
    assert all(fn.__doc__ for fn in AGGREGATORS.values())
