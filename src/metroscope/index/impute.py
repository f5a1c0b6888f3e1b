"""Imputation of missing values (JRC/OECD Handbook step 4).

Every imputer is a plain function ``f(X, units, panel, **params) -> DataFrame`` taking the
indicator table ``X`` [units × indicators] (NaN = missing), the unit metadata ``units``
(index = unit; group columns such as ``region``) and, for panels, the tidy history
``panel`` (columns unit, indicator, year, value). It returns a table of the same shape;
values that were present are never changed. Which cells were filled is recorded by the
builder as ``imputed_mask``.

kNN and iterative (EM-like, chained equations) imputation come from scikit-learn
(``KNNImputer``, ``IterativeImputer`` with ``BayesianRidge``). Imputing within groups uses
the unit metadata column named by ``group``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers the class)
from sklearn.impute import IterativeImputer, KNNImputer


class ImputeError(ValueError):
    """Imputation is impossible as asked; the message names the indicator/unit/group."""


def none(X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None) -> pd.DataFrame:
    """Leave missing values missing (aggregation then skips them)."""
    return X.copy()


def mean(X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None) -> pd.DataFrame:
    """Fill with the indicator's mean over all units."""
    return X.fillna(X.mean())


def median(X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None) -> pd.DataFrame:
    """Fill with the indicator's median over all units."""
    return X.fillna(X.median())


def _group(X: pd.DataFrame, units: pd.DataFrame, group: str | None, how: str) -> pd.DataFrame:
    if not group:
        raise ImputeError(f"group {how} imputation needs 'group': a unit metadata column")
    if group not in units.columns:
        raise ImputeError(
            f"group {how} imputation: no unit metadata column '{group}'; "
            f"available: {', '.join(map(str, units.columns)) or 'none'}"
        )
    keys = units[group].reindex(X.index)
    missing = keys[keys.isna()].index.tolist()
    if missing:
        raise ImputeError(f"group {how} imputation: unit(s) {missing} have no '{group}'")
    filled = X.groupby(keys).transform(how)
    return X.fillna(filled)


def group_mean(
    X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None, group: str | None = None
) -> pd.DataFrame:
    """Fill with the mean of the unit's group (e.g. region); still-missing cells stay NaN."""
    return _group(X, units, group, "mean")


def group_median(
    X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None, group: str | None = None
) -> pd.DataFrame:
    """Fill with the median of the unit's group; still-missing cells stay NaN."""
    return _group(X, units, group, "median")


def _sk(X: pd.DataFrame, imputer: Any) -> pd.DataFrame:
    empty = [c for c in X.columns if X[c].isna().all()]
    if empty:
        raise ImputeError(f"indicator(s) {empty} have no observed value to impute from")
    arr = imputer.fit_transform(X.to_numpy(dtype=float))
    out = pd.DataFrame(arr, index=X.index, columns=X.columns)
    return X.where(X.notna(), out)


def knn(
    X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None, n_neighbors: int = 5
) -> pd.DataFrame:
    """k-nearest-neighbour imputation (scikit-learn ``KNNImputer``, uniform weights)."""
    return _sk(X, KNNImputer(n_neighbors=min(n_neighbors, max(len(X) - 1, 1))))


def iterative(
    X: pd.DataFrame,
    units: pd.DataFrame,
    panel: pd.DataFrame | None,
    max_iter: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """Iterative (EM-like chained-equations) imputation, scikit-learn ``IterativeImputer``."""
    return _sk(X, IterativeImputer(max_iter=max_iter, random_state=seed))


def locf(
    X: pd.DataFrame, units: pd.DataFrame, panel: pd.DataFrame | None, max_gap_years: int = 99
) -> pd.DataFrame:
    """Last observation carried forward from the panel (latest earlier year within a gap)."""
    if panel is None or panel.empty:
        raise ImputeError("last-observation imputation needs panel data (a 'year' column)")
    out = X.copy()
    years = panel["year"]
    chosen = X.attrs.get("year")
    hist = panel if chosen is None else panel[years <= chosen]
    hist = hist.dropna(subset=["value"]).sort_values("year")
    last = hist.groupby(["unit", "indicator"]).tail(1).set_index(["unit", "indicator"])
    for unit, ind in zip(*np.where(X.isna().to_numpy()), strict=True):
        key = (X.index[unit], X.columns[ind])
        if key in last.index:
            row = last.loc[key]
            if chosen is None or chosen - int(row["year"]) <= max_gap_years:
                out.iat[unit, ind] = float(row["value"])
    return out


Imputer = Callable[..., pd.DataFrame]
IMPUTERS: dict[str, Imputer] = {
    "none": none,
    "mean": mean,
    "median": median,
    "group_mean": group_mean,
    "group_median": group_median,
    "knn": knn,
    "iterative": iterative,
    "locf": locf,
}


def impute(
    X: pd.DataFrame,
    method: str,
    units: pd.DataFrame | None = None,
    panel: pd.DataFrame | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Apply the imputer ``method`` from :data:`IMPUTERS`."""
    try:
        fn = IMPUTERS[method]
    except KeyError:
        raise ValueError(
            f"unknown imputer '{method}'; accepted: {', '.join(sorted(IMPUTERS))}"
        ) from None
    u = units if units is not None else pd.DataFrame(index=X.index)
    return fn(X, u, panel, **params)
