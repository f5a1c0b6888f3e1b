"""Invariants theory says must hold, checked as hypothesis properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.stats import rankdata

from metroscope.index import IndexBuilder, load_config
from metroscope.index.aggregate import aggregate
from metroscope.index.data import from_frames
from metroscope.index.normalise import normalise

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


def _ranks(v: np.ndarray) -> np.ndarray:
    return rankdata(-v, method="min")


@settings(deadline=None, max_examples=60)
@given(
    arrays(float, st.integers(3, 30), elements=st.integers(-(10**6), 10**6).map(float)),
    st.sampled_from([1, -1]),
)
def test_minmax_and_zscore_rank_a_single_indicator_identically(x: np.ndarray, d: int) -> None:
    assume(np.ptp(x) > 1e-6 * max(1.0, np.abs(x).max()))
    a = normalise(x[:, None], d, "minmax")[:, 0]
    b = normalise(x[:, None], d, "zscore")[:, 0]
    assert (_ranks(a) == _ranks(b)).all()


@settings(max_examples=25, deadline=None)
@given(
    arrays(float, (12, 4), elements=st.floats(0, 100, allow_nan=False)),
    st.floats(0.01, 100),
    st.floats(-1e3, 1e3),
    st.sampled_from(["minmax", "zscore"]),
)
def test_ranks_ignore_a_positive_affine_change_of_an_indicator(
    x: np.ndarray, a: float, b: float, method: str
) -> None:
    """Min-max and z-score are invariant to x → a·x + b (a > 0), so with an arithmetic mean
    the whole index — hence every rank — is unchanged."""
    assume(all(np.ptp(x[:, j]) > 1e-3 for j in range(4)))
    cfg = load_config(
        {
            "name": "p",
            "dimensions": [
                {
                    "id": "d",
                    "indicators": [{"id": f"i{j}", "direction": (-1) ** j} for j in range(4)],
                }
            ],
            "pipeline": {"normalise": {"method": method}},
        }
    )
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(4)], index=[f"u{i}" for i in range(12)])
    base = IndexBuilder(cfg, from_frames(df)).run(analyse=False).scores["index"]
    moved = df.copy()
    moved["i1"] = a * moved["i1"] + b
    again = IndexBuilder(cfg, from_frames(moved)).run(analyse=False).scores["index"]
    assert_allclose(again.to_numpy(), base.to_numpy(), rtol=1e-7, atol=1e-7)


@settings(deadline=None, max_examples=60)
@given(
    arrays(float, st.tuples(st.integers(1, 8), st.integers(1, 6)), elements=positive),
    st.data(),
)
def test_harmonic_le_geometric_le_arithmetic_per_unit(x: np.ndarray, data: st.DataObject) -> None:
    w = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=x.shape[1], max_size=x.shape[1])))
    h, g, a = (aggregate(x, w, m) for m in ("harmonic", "geometric", "arithmetic"))
    assert (h <= g * (1 + 1e-9)).all() and (g <= a * (1 + 1e-9)).all()


@settings(deadline=None, max_examples=60)
@given(arrays(float, st.tuples(st.integers(2, 8), st.integers(1, 5)), elements=finite), st.data())
def test_copeland_ignores_any_increasing_transform_of_an_indicator(
    x: np.ndarray, data: st.DataObject
) -> None:
    """Copeland is ordinal: only the order of units within an indicator matters."""
    w = np.ones(x.shape[1])
    j = data.draw(st.integers(0, x.shape[1] - 1))
    y = x.copy()
    y[:, j] = np.arctan(y[:, j] / 1e3) * 7 + 3  # strictly increasing
    assume(len(np.unique(x[:, j])) == len(np.unique(y[:, j])))
    assert_allclose(aggregate(x, w, "copeland"), aggregate(y, w, "copeland"))


@settings(deadline=None, max_examples=60)
@given(arrays(float, st.tuples(st.integers(2, 10), st.integers(1, 5)), elements=positive))
def test_normalised_indicators_keep_or_reverse_the_order_of_units(x: np.ndarray) -> None:
    for method in ("minmax", "zscore", "rank", "percentile_rank", "borda", "fraction_of_max"):
        assume(all(np.ptp(x[:, j]) > 1e-6 for j in range(x.shape[1])))
        up = normalise(x, 1, method)
        down = normalise(x, -1, method)
        for j in range(x.shape[1]):
            order = np.argsort(x[:, j], kind="stable")
            assert (np.diff(up[order, j]) >= -1e-9).all(), method
            assert (np.diff(down[order, j]) <= 1e-9).all(), method


@settings(deadline=None, max_examples=60)
@given(arrays(float, st.tuples(st.integers(2, 10), st.integers(2, 5)), elements=st.floats(0, 100)))
def test_equal_weights_arithmetic_mean_is_bounded_by_the_children(x: np.ndarray) -> None:
    m = aggregate(x, np.ones(x.shape[1]), "arithmetic")
    assert (m >= x.min(axis=1) - 1e-9).all() and (m <= x.max(axis=1) + 1e-9).all()
