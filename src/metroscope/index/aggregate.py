"""Aggregation: combine the children of a node into one score (JRC/OECD Handbook step 7).

Every aggregator is a plain function ``f(X, w, **params) -> ndarray`` taking the child
scores ``X`` [units × children] and their weights ``w`` [children] (any positive scale; they
are divided by their sum) and returning one score per unit. Means skip missing children and
re-scale the remaining weights (COINr's ``na.rm = TRUE`` behaviour); Copeland and benefit of
the doubt need complete data.

References: JRC/OECD *Handbook on Constructing Composite Indicators* (2008) section 1.6;
Munda & Nardo (2009) *Applied Economics* 41(12) for Copeland; Cherchye et al. (2007)
*Social Indicators Research* 82 for benefit of the doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

Array = NDArray[np.float64]


class AggregateError(ValueError):
    """An aggregator cannot handle the data; ``rows`` gives the offending unit positions."""

    def __init__(self, message: str, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


def _prep(X: ArrayLike, w: ArrayLike) -> tuple[Array, Array]:
    x = np.asarray(X, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    wt = np.broadcast_to(np.asarray(w, dtype=float), (x.shape[1],)).astype(float)
    if np.any(wt < 0) or not np.any(wt > 0):
        raise AggregateError("weights must be ≥ 0 with at least one > 0", [])
    return x, wt


def _wmean(v: Array, w: Array) -> Array:
    ok = ~np.isnan(v)
    wsum = (ok * w).sum(axis=1)
    num = np.where(ok, v, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, num / wsum, np.nan)


def _need_positive(x: Array, name: str) -> None:
    bad = np.flatnonzero(np.any(x <= 0, axis=1))
    if bad.size:
        raise AggregateError(
            f"{name} mean needs strictly positive values (use minmax with low ≥ 1, "
            "or an arithmetic mean)",
            bad.tolist(),
        )


def arithmetic(X: ArrayLike, w: ArrayLike) -> Array:
    """Weighted arithmetic mean ``Σ wᵢ xᵢ / Σ wᵢ`` (fully compensatory)."""
    x, wt = _prep(X, w)
    return _wmean(x, wt)


def geometric(X: ArrayLike, w: ArrayLike) -> Array:
    """Weighted geometric mean ``exp(Σ wᵢ ln xᵢ / Σ wᵢ)``; needs x > 0."""
    x, wt = _prep(X, w)
    _need_positive(np.nan_to_num(x, nan=1.0), "geometric")
    return np.exp(_wmean(np.log(x), wt))


def harmonic(X: ArrayLike, w: ArrayLike) -> Array:
    """Weighted harmonic mean ``Σ wᵢ / Σ (wᵢ / xᵢ)``; needs x > 0."""
    x, wt = _prep(X, w)
    _need_positive(np.nan_to_num(x, nan=1.0), "harmonic")
    return 1.0 / _wmean(1.0 / x, wt)


def generalised(X: ArrayLike, w: ArrayLike, p: float = 2.0) -> Array:
    """Weighted generalised (power) mean ``(Σ wᵢ xᵢᵖ / Σ wᵢ)^(1/p)``; p = 0 is geometric."""
    if p == 0:
        return geometric(X, w)
    x, wt = _prep(X, w)
    if p < 0 or p != int(p):
        _need_positive(np.nan_to_num(x, nan=1.0), f"generalised (p={p})")
    return np.asarray(_wmean(x**p, wt) ** (1.0 / p))


def outranking_matrix(X: ArrayLike, w: ArrayLike) -> Array:
    """Share of weight by which unit a beats unit b: ``Σ w [x_a > x_b] + ½ Σ w [x_a = x_b]``."""
    x, wt = _prep(X, w)
    if np.isnan(x).any():
        rows = np.flatnonzero(np.isnan(x).any(axis=1)).tolist()
        raise AggregateError("Copeland needs complete data (impute first)", rows)
    wt = wt / wt.sum()
    gt = (x[:, None, :] > x[None, :, :]).astype(float)
    eq = (x[:, None, :] == x[None, :, :]).astype(float)
    return np.asarray(gt @ wt + 0.5 * (eq @ wt))


def copeland(X: ArrayLike, w: ArrayLike) -> Array:
    """Copeland score: pairwise wins minus losses on the weighted outranking matrix.

    Unit a beats b when more than half the weight prefers a (``e_ab > ½``). The score is
    ordinal (non-compensatory); Munda & Nardo (2009).
    """
    e = outranking_matrix(X, w)
    wins = (e > 0.5 + 1e-12).sum(axis=1)
    losses = (e < 0.5 - 1e-12).sum(axis=1)
    return (wins - losses).astype(float)


def benefit_of_doubt(
    X: ArrayLike, w: ArrayLike, lower: float = 0.0, upper: float | None = None
) -> Array:
    """Benefit of the doubt: each unit's best score under its own most favourable weights.

    For unit i: max Σⱼ wⱼ xᵢⱼ subject to Σⱼ wⱼ xₖⱼ ≤ 1 for every unit k and
    ``lower ≤ wⱼ ≤ upper``, solved with HiGHS (``scipy.optimize.linprog(method="highs")``).
    Scores lie in [0, 1]; the configured weights ``w`` are not used (the LP chooses them).
    """
    x, _ = _prep(X, w)
    if np.isnan(x).any():
        rows = np.flatnonzero(np.isnan(x).any(axis=1)).tolist()
        raise AggregateError("benefit of the doubt needs complete data (impute first)", rows)
    if np.any(x < 0):
        raise AggregateError(
            "benefit of the doubt needs non-negative values (use minmax)",
            np.flatnonzero(np.any(x < 0, axis=1)).tolist(),
        )
    n, m = x.shape
    out = np.empty(n)
    bounds = [(lower, upper)] * m
    for i in range(n):
        res = linprog(-x[i], A_ub=x, b_ub=np.ones(n), bounds=bounds, method="highs")
        if res.status != 0:
            raise AggregateError(f"benefit of the doubt LP failed: {res.message}", [i])
        out[i] = -res.fun
    return out


Aggregator = Callable[..., Array]
AGGREGATORS: dict[str, Aggregator] = {
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "generalised": generalised,
    "copeland": copeland,
    "benefit_of_doubt": benefit_of_doubt,
}


def aggregate(X: ArrayLike, w: ArrayLike, method: str, **params: Any) -> Array:
    """Apply the aggregator ``method`` from :data:`AGGREGATORS`."""
    try:
        fn = AGGREGATORS[method]
    except KeyError:
        raise ValueError(
            f"unknown aggregator '{method}'; accepted: {', '.join(sorted(AGGREGATORS))}"
        ) from None
    return fn(X, w, **params)
