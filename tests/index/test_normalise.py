"""Every normaliser against hand-computed values, in both directions."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from metroscope.index.normalise import NORMALISERS, NormaliseError, normalise


def col(*v: float) -> np.ndarray:
    return np.array(v, dtype=float)[:, None]


def test_minmax_maps_min_to_low_and_max_to_high() -> None:
    assert_allclose(normalise(col(1, 2, 4), 1, "minmax")[:, 0], [0, 100 / 3, 100])
    assert_allclose(normalise(col(1, 2, 4), -1, "minmax")[:, 0], [100, 200 / 3, 0])
    assert_allclose(normalise(col(1, 2, 4), 1, "minmax", low=1, high=10)[:, 0], [1, 4, 10])


def test_zscore_uses_the_sample_standard_deviation() -> None:
    assert_allclose(normalise(col(1, 2, 3), 1, "zscore")[:, 0], [-1, 0, 1])
    assert_allclose(normalise(col(1, 2, 3), -1, "zscore")[:, 0], [1, 0, -1])
    assert_allclose(normalise(col(1, 2, 3), 1, "zscore", mean=100, sd=10)[:, 0], [90, 100, 110])


def test_rank_gives_average_ranks_to_ties() -> None:
    assert_allclose(normalise(col(3, 1, 3, 2), 1, "rank")[:, 0], [3.5, 1, 3.5, 2])
    assert_allclose(normalise(col(3, 1, 3, 2), -1, "rank")[:, 0], [1.5, 4, 1.5, 3])


def test_percentile_rank_uses_minimum_ranks() -> None:
    assert_allclose(
        normalise(col(3, 1, 3, 2), 1, "percentile_rank")[:, 0], [200 / 3, 0, 200 / 3, 100 / 3]
    )


def test_borda_counts_strictly_worse_units() -> None:
    assert_allclose(normalise(col(3, 1, 3, 2), 1, "borda")[:, 0], [2, 0, 2, 1])
    assert_allclose(normalise(col(3, 1, 3, 2), -1, "borda")[:, 0], [0, 3, 0, 2])


def test_goalposts_clip_beyond_the_posts() -> None:
    gp = np.array([[0.0, 10.0]])
    assert_allclose(
        normalise(col(0, 5, 10, 12), 1, "goalposts", goalposts=gp)[:, 0], [0, 50, 100, 100]
    )
    assert_allclose(
        normalise(col(0, 5, 10, 12), -1, "goalposts", goalposts=gp)[:, 0], [100, 50, 0, 0]
    )
    assert_allclose(normalise(col(12), 1, "goalposts", goalposts=gp, clip=False)[:, 0], [120])


def test_distance_to_target_caps_at_the_target() -> None:
    out = normalise(col(2, 4, 6, 10), 1, "distance_to_target", target=[8.0])[:, 0]
    assert_allclose(out, [0, 100 / 3, 200 / 3, 100])
    out = normalise(col(2, 4, 6, 10), -1, "distance_to_target", target=[4.0])[:, 0]
    assert_allclose(out, [100, 100, 200 / 3, 0])


def test_distance_to_reference_is_a_ratio_to_the_reference_unit() -> None:
    assert_allclose(
        normalise(col(2, 4, 8), 1, "distance_to_reference", reference=1)[:, 0], [50, 100, 200]
    )
    assert_allclose(
        normalise(col(2, 4, 8), -1, "distance_to_reference", reference=1)[:, 0], [200, 100, 50]
    )


def test_distance_to_max_is_zero_for_the_leader() -> None:
    assert_allclose(normalise(col(2, 4, 8), 1, "distance_to_max")[:, 0], [-75, -50, 0])
    assert_allclose(normalise(col(2, 4, 8), -1, "distance_to_max")[:, 0], [0, -100, -300])


def test_fraction_of_max_is_a_share_of_the_leader() -> None:
    assert_allclose(normalise(col(2, 4, 8), 1, "fraction_of_max")[:, 0], [25, 50, 100])
    assert_allclose(normalise(col(2, 4, 8), -1, "fraction_of_max")[:, 0], [100, 50, 25])


def test_missing_values_stay_missing_and_are_ignored_by_the_statistics() -> None:
    assert_allclose(normalise(col(1, np.nan, 3), 1, "minmax")[:, 0], [0, np.nan, 100])


def test_columns_are_normalised_independently_with_their_own_direction() -> None:
    x = np.array([[1.0, 10.0], [3.0, 20.0]])
    assert_allclose(normalise(x, [1, -1], "minmax"), [[0, 100], [100, 0]])


@pytest.mark.parametrize("method", ["minmax", "zscore"])
def test_a_constant_indicator_is_rejected_with_its_column(method: str) -> None:
    x = np.array([[1.0, 5.0], [2.0, 5.0]])
    with pytest.raises(NormaliseError) as err:
        normalise(x, 1, method)
    assert err.value.columns == [1]


def test_ratio_normalisers_reject_non_positive_values() -> None:
    with pytest.raises(NormaliseError, match="strictly positive"):
        normalise(col(-1, 2), 1, "fraction_of_max")


def test_an_unknown_normaliser_lists_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match=r"accepted: .*zscore"):
        normalise(col(1, 2), 1, "nope")


def test_every_registered_normaliser_has_a_docstring() -> None:
    assert all(fn.__doc__ for fn in NORMALISERS.values())
