"""Outlier treatment (JRC/OECD Handbook step 5, COINr's ``Treat``).

Every treatment is a plain function ``f(x, **params) -> (treated, report)`` on one indicator
column ``x`` [units] (pandas Series, NaN allowed) returning the treated column and a report
dict saying what was done (``{"action": "winsorised", "points": 2, ...}``).

COINr's default rule (Becker et al. 2022; JRC Competence Centre practice): an indicator is
*problematic* when |skewness| > 2 **and** kurtosis > 3.5. Winsorise it one point at a time
(the most extreme value on the side of the skew is set to the next value inward) until it
is no longer problematic, up to ``winmax`` points. If that is not enough, start again from
the original values and apply a log transform instead
(``log(x − min + 0.01·(max − min))`` for positive skew, mirrored for negative skew).
Skewness and (excess) kurtosis are the bias-corrected sample statistics of scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import kurtosis, skew

Report = dict[str, Any]


def skew_kurt(x: pd.Series) -> tuple[float, float]:
    """Bias-corrected sample skewness and excess kurtosis of the non-missing values."""
    v = x.dropna().to_numpy(dtype=float)
    if v.size < 4 or np.ptp(v) == 0:
        return 0.0, 0.0
    return float(skew(v, bias=False)), float(kurtosis(v, fisher=True, bias=False))


def _problematic(x: pd.Series, skew_max: float, kurt_max: float) -> bool:
    s, k = skew_kurt(x)
    return abs(s) > skew_max and k > kurt_max


def none(x: pd.Series) -> tuple[pd.Series, Report]:
    """No treatment."""
    return x.copy(), {"action": "none"}


def winsorise_once(x: pd.Series, upper: bool) -> pd.Series:
    """Set the most extreme value on one side to the next value inward."""
    y = x.copy()
    v = y.dropna()
    ordered = np.sort(v.unique())
    if ordered.size < 2:
        return y
    if upper:
        y[y == ordered[-1]] = ordered[-2]
    else:
        y[y == ordered[0]] = ordered[1]
    return y


def log_ct(x: pd.Series) -> pd.Series:
    """COINr's ``log_CT``: ``log(x − min + 0.01·(max − min))`` (mirrored for negative skew)."""
    s, _ = skew_kurt(x)
    lo, hi = float(x.min()), float(x.max())
    if s >= 0:
        return np.log(x - lo + 0.01 * (hi - lo))  # type: ignore[no-any-return]
    return -np.log(hi - x + 0.01 * (hi - lo))  # type: ignore[no-any-return]


def coinr(
    x: pd.Series, winmax: int = 5, skew_max: float = 2.0, kurt_max: float = 3.5
) -> tuple[pd.Series, Report]:
    """COINr's rule: Winsorise while |skew| > skew_max and kurt > kurt_max, else log."""
    s0, k0 = skew_kurt(x)
    report: Report = {"skew_before": s0, "kurt_before": k0}
    if not _problematic(x, skew_max, kurt_max):
        return x.copy(), {**report, "action": "none", "points": 0}
    y = x.copy()
    points = 0
    while points < winmax and _problematic(y, skew_max, kurt_max):
        y = winsorise_once(y, upper=skew_kurt(y)[0] > 0)
        points += 1
    if not _problematic(y, skew_max, kurt_max):
        s1, k1 = skew_kurt(y)
        changed = x.index[(x != y) & x.notna()].tolist()
        return y, {
            **report,
            "action": "winsorised",
            "points": points,
            "units": changed,
            "skew_after": s1,
            "kurt_after": k1,
        }
    y = log_ct(x)
    s1, k1 = skew_kurt(y)
    return y, {**report, "action": "log", "points": 0, "skew_after": s1, "kurt_after": k1}


def winsorise(
    x: pd.Series, winmax: int = 5, skew_max: float = 2.0, kurt_max: float = 3.5
) -> tuple[pd.Series, Report]:
    """Winsorisation only (no log fallback); reports whether it sufficed."""
    y = x.copy()
    points = 0
    while points < winmax and _problematic(y, skew_max, kurt_max):
        y = winsorise_once(y, upper=skew_kurt(y)[0] > 0)
        points += 1
    return y, {
        "action": "winsorised" if points else "none",
        "points": points,
        "still_problematic": _problematic(y, skew_max, kurt_max),
    }


Treatment = Callable[..., tuple[pd.Series, Report]]
TREATMENTS: dict[str, Treatment] = {"none": none, "coinr": coinr, "winsorise": winsorise}


def treat(x: pd.Series, method: str, **params: Any) -> tuple[pd.Series, Report]:
    """Apply the treatment ``method`` from :data:`TREATMENTS` to one indicator."""
    try:
        fn = TREATMENTS[method]
    except KeyError:
        raise ValueError(
            f"unknown treatment '{method}'; accepted: {', '.join(sorted(TREATMENTS))}"
        ) from None
    return fn(x, **params)
