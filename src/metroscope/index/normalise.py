"""Normalisation: bring indicators onto a common scale (JRC/OECD Handbook step 5).

Every normaliser is a plain function ``f(X, direction, **params) -> ndarray`` working on a
matrix ``X`` [units × indicators] column by column; ``direction`` holds +1 (more is better)
or −1 (less is better) per indicator, and every result is oriented so that **higher is
better**. Missing values (NaN) stay missing and are ignored by the column statistics.
Per-indicator parameters (goalposts, targets) are arrays with one entry per column.

The registry :data:`NORMALISERS` maps the names used in index configs to the functions.
Definitions follow the JRC/OECD *Handbook on Constructing Composite Indicators* (2008,
section 1.5, table 3) and COINr's ``n_*`` functions (Becker et al. 2022).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

Array = NDArray[np.float64]


class NormaliseError(ValueError):
    """A normaliser cannot handle some columns; ``columns`` gives their positions."""

    def __init__(self, message: str, columns: list[int]) -> None:
        super().__init__(message)
        self.columns = columns


def _prep(X: ArrayLike, direction: ArrayLike) -> tuple[Array, Array]:
    x = np.asarray(X, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    d = np.broadcast_to(np.asarray(direction, dtype=float), (x.shape[1],)).astype(float)
    return x, d


def _per_col(v: ArrayLike | None, n: int, what: str) -> Array:
    if v is None:
        raise NormaliseError(f"needs '{what}' for every indicator", list(range(n)))
    a = np.asarray(v, dtype=float)
    return np.broadcast_to(a, (n, *a.shape[1:]) if a.ndim > 1 else (n,)).astype(float)


def _spread(lo: Array, hi: Array, why: str) -> Array:
    span = hi - lo
    bad = np.flatnonzero(~(np.abs(span) > 0))
    if bad.size:
        raise NormaliseError(f"{why} (constant or all-missing indicator)", bad.tolist())
    return span


def minmax(X: ArrayLike, direction: ArrayLike, low: float = 0.0, high: float = 100.0) -> Array:
    """Min-max: ``low + (x − min) / (max − min) · (high − low)`` on direction-signed x."""
    x, d = _prep(X, direction)
    xs = x * d
    lo, hi = np.nanmin(xs, axis=0), np.nanmax(xs, axis=0)
    return low + (xs - lo) / _spread(lo, hi, "min-max needs max > min") * (high - low)


def zscore(X: ArrayLike, direction: ArrayLike, mean: float = 0.0, sd: float = 1.0) -> Array:
    """Standardisation: ``mean + sd · (x − x̄) / s`` (s with ddof = 1) on direction-signed x."""
    x, d = _prep(X, direction)
    xs = x * d
    s = np.nanstd(xs, axis=0, ddof=1)
    _spread(np.zeros_like(s), s, "z-score needs a non-zero standard deviation")
    return mean + sd * (xs - np.nanmean(xs, axis=0)) / s


def _rank_cols(xs: Array, method: str) -> Array:
    out = np.full_like(xs, np.nan)
    for j in range(xs.shape[1]):
        ok = ~np.isnan(xs[:, j])
        out[ok, j] = rankdata(xs[ok, j], method=method)  # type: ignore[call-overload]
    return out


def rank(X: ArrayLike, direction: ArrayLike) -> Array:
    """Rank: 1 for the worst unit, n for the best; ties get the average rank."""
    x, d = _prep(X, direction)
    return _rank_cols(x * d, "average")


def percentile_rank(X: ArrayLike, direction: ArrayLike, scale: float = 100.0) -> Array:
    """Percentile rank: ``scale · (r_min − 1) / (n − 1)``, r_min the minimum rank of ties."""
    x, d = _prep(X, direction)
    r = _rank_cols(x * d, "min")
    n = np.sum(~np.isnan(x), axis=0).astype(float)
    _spread(np.ones_like(n), n, "percentile rank needs at least two values")
    return scale * (r - 1.0) / (n - 1.0)


def borda(X: ArrayLike, direction: ArrayLike) -> Array:
    """Borda score: the number of units with a strictly worse value (``r_min − 1``)."""
    x, d = _prep(X, direction)
    return _rank_cols(x * d, "min") - 1.0


def goalposts(
    X: ArrayLike,
    direction: ArrayLike,
    goalposts: ArrayLike | None = None,
    scale: float = 100.0,
    clip: bool = True,
) -> Array:
    """Goalposts: ``scale · (x − L) / (U − L)`` for +1, ``scale · (U − x) / (U − L)`` for −1.

    ``goalposts`` is [n × 2] (lower L, upper U) in the indicator's own units; values beyond
    the goalposts are clipped to [0, scale] unless ``clip`` is false.
    """
    x, d = _prep(X, direction)
    gp = _per_col(goalposts, x.shape[1], "goalposts")
    lo, hi = np.minimum(gp[:, 0], gp[:, 1]), np.maximum(gp[:, 0], gp[:, 1])
    span = _spread(lo, hi, "goalposts must differ")
    y = np.where(d > 0, (x - lo) / span, (hi - x) / span)
    return scale * (np.clip(y, 0.0, 1.0) if clip else y)


def distance_to_target(
    X: ArrayLike,
    direction: ArrayLike,
    target: ArrayLike | None = None,
    scale: float = 100.0,
    cap: bool = True,
) -> Array:
    """Distance to target: ``(x − min) / (T − min)`` for +1, ``(max − x) / (max − T)`` for −1.

    Reaching the target T scores ``scale``; with ``cap`` exceeding it still scores ``scale``.
    """
    x, d = _prep(X, direction)
    t = _per_col(target, x.shape[1], "target")
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    den = np.where(d > 0, t - lo, hi - t)
    _spread(np.zeros_like(den), den, "distance to target needs a target beyond the worst value")
    y = np.where(d > 0, (x - lo) / den, (hi - x) / den)
    return scale * (np.minimum(y, 1.0) if cap else y)


def _positive(x: Array, why: str) -> None:
    bad = np.flatnonzero(np.any(x <= 0, axis=0))
    if bad.size:
        raise NormaliseError(f"{why} needs strictly positive values", bad.tolist())


def distance_to_reference(
    X: ArrayLike, direction: ArrayLike, reference: int = 0, scale: float = 100.0
) -> Array:
    """Ratio to a reference unit (row ``reference``): ``x / x_ref`` for +1, ``x_ref / x`` for −1."""
    x, d = _prep(X, direction)
    _positive(np.nan_to_num(x, nan=1.0), "distance to reference")
    ref = x[int(reference)]
    return scale * np.where(d > 0, x / ref, ref / x)


def distance_to_max(X: ArrayLike, direction: ArrayLike, scale: float = 100.0) -> Array:
    """Relative distance to the leader: ``(x − max) / |max|`` for +1, ``(min − x) / |min|`` for −1.

    Zero for the best unit, negative for the others (``scale`` = 100 gives percent).
    """
    x, d = _prep(X, direction)
    best = np.where(d > 0, np.nanmax(x, axis=0), np.nanmin(x, axis=0))
    _spread(np.zeros_like(best), best, "distance to max needs a non-zero best value")
    return scale * d * (x - best) / np.abs(best)


def fraction_of_max(X: ArrayLike, direction: ArrayLike, scale: float = 100.0) -> Array:
    """Fraction of the leader: ``x / max`` for +1 and ``min / x`` for −1 (positive data)."""
    x, d = _prep(X, direction)
    _positive(np.nan_to_num(x, nan=1.0), "fraction of max")
    return scale * np.where(d > 0, x / np.nanmax(x, axis=0), np.nanmin(x, axis=0) / x)


def identity(X: ArrayLike, direction: ArrayLike) -> Array:
    """No rescaling; only the direction is applied (x · direction)."""
    x, d = _prep(X, direction)
    return x * d


Normaliser = Callable[..., Array]
NORMALISERS: dict[str, Normaliser] = {
    "minmax": minmax,
    "zscore": zscore,
    "rank": rank,
    "percentile_rank": percentile_rank,
    "borda": borda,
    "goalposts": goalposts,
    "distance_to_target": distance_to_target,
    "distance_to_reference": distance_to_reference,
    "distance_to_max": distance_to_max,
    "fraction_of_max": fraction_of_max,
    "none": identity,
}


def normalise(X: ArrayLike, direction: ArrayLike, method: str, **params: Any) -> Array:
    """Apply the normaliser ``method`` from :data:`NORMALISERS`."""
    try:
        fn = NORMALISERS[method]
    except KeyError:
        raise ValueError(
            f"unknown normaliser '{method}'; accepted: {', '.join(sorted(NORMALISERS))}"
        ) from None
    return fn(X, direction, **params)
