"""Metropolitan disparity: how unequal are the municipalities inside a metro area?

Inputs are values per unit (municipalities) and unit metadata with ``parent`` (the metro
area; all units form one area when absent), ``population`` [persons] and ``is_core``.
With ``weighted=True`` every statistic weights units by population share
sᵢ = pᵢ / Σ p (a person-based view); otherwise sᵢ = 1/n (a municipality-based view).

* mean μ = Σ sᵢ xᵢ
* coefficient of variation CV = √(Σ sᵢ (xᵢ − μ)²) / μ
* Gini G = Σᵢ Σⱼ sᵢ sⱼ |xᵢ − xⱼ| / (2 μ)  (population form, no small-sample correction)
* Theil T = Σ sᵢ (xᵢ/μ) ln(xᵢ/μ)  (needs x ≥ 0; 0 · ln 0 = 0)
* core/periphery ratio = μ(core units) / μ(periphery units)

Theil and Gini are defined for non-negative quantities (income, floor area); for a signed
value (a z-score) they are reported as NaN with the reason in ``note``. References: Cowell,
*Measuring Inequality* (3rd ed., 2011); OECD (2018) *Divided Cities*, ch. 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from metroscope.index.builder import IndexResult
    from metroscope.index.data import IndexData

Array = NDArray[np.float64]


class DisparityError(ValueError):
    """Disparity cannot be computed as asked; the message names the unit or column."""


def _shares(x: Array, w: ArrayLike | None) -> tuple[Array, Array]:
    x = np.asarray(x, dtype=float)
    s = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(s)
    x, s = x[ok], s[ok]
    if s.size and (np.any(s < 0) or s.sum() <= 0):
        raise DisparityError("weights (population) must be ≥ 0 and not all zero")
    return x, s / s.sum() if s.size else s


def weighted_mean(x: ArrayLike, w: ArrayLike | None = None) -> float:
    """Population-weighted (or plain) mean, skipping missing values."""
    v, s = _shares(np.asarray(x, dtype=float), w)
    return float(np.sum(s * v)) if v.size else float("nan")


def cv(x: ArrayLike, w: ArrayLike | None = None) -> float:
    """Coefficient of variation √(Σ sᵢ (xᵢ − μ)²) / μ (NaN when μ = 0)."""
    v, s = _shares(np.asarray(x, dtype=float), w)
    if v.size < 2:
        return float("nan")
    mu = float(np.sum(s * v))
    return float(np.sqrt(np.sum(s * (v - mu) ** 2)) / mu) if mu != 0 else float("nan")


def gini(x: ArrayLike, w: ArrayLike | None = None) -> float:
    """Gini coefficient Σᵢ Σⱼ sᵢ sⱼ |xᵢ − xⱼ| / (2 μ) of non-negative values."""
    v, s = _shares(np.asarray(x, dtype=float), w)
    if v.size < 2 or np.any(v < 0):
        return float("nan")
    mu = float(np.sum(s * v))
    if mu == 0:
        return float("nan")
    return float(np.sum(s[:, None] * s[None, :] * np.abs(v[:, None] - v[None, :])) / (2 * mu))


def theil(x: ArrayLike, w: ArrayLike | None = None) -> float:
    """Theil T index Σ sᵢ (xᵢ/μ) ln(xᵢ/μ) of non-negative values."""
    v, s = _shares(np.asarray(x, dtype=float), w)
    if v.size < 2 or np.any(v < 0):
        return float("nan")
    mu = float(np.sum(s * v))
    if mu == 0:
        return float("nan")
    r = v / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return float(np.sum(s * terms))


def core_periphery_ratio(x: ArrayLike, is_core: ArrayLike, w: ArrayLike | None = None) -> float:
    """Mean over core units divided by mean over periphery units (NaN without either)."""
    v = np.asarray(x, dtype=float)
    core = np.asarray(is_core, dtype=bool)
    wt = None if w is None else np.asarray(w, dtype=float)
    if not core.any() or core.all():
        return float("nan")
    m_core = weighted_mean(v[core], None if wt is None else wt[core])
    m_peri = weighted_mean(v[~core], None if wt is None else wt[~core])
    return m_core / m_peri if m_peri != 0 else float("nan")


def aggregate_to_metro(
    values: pd.DataFrame, units: pd.DataFrame, weighted: bool = True
) -> pd.DataFrame:
    """Municipal values → one row per metro (``parent``): population-weighted or plain means.

    Parameters
    ----------
    values
        Units × variables (per-capita rates, shares or scores: intensive quantities).
    units
        Unit metadata with ``parent`` and, when ``weighted``, ``population`` [persons].
    """
    if "parent" not in units.columns or units["parent"].isna().all():
        raise DisparityError("aggregating to metros needs a 'parent' column in the unit metadata")
    parent = units["parent"].reindex(values.index)
    orphans = parent[parent.isna()].index.tolist()
    if orphans:
        raise DisparityError(f"unit(s) {orphans[:10]} have no parent metro")
    w = _population(units, values.index) if weighted else pd.Series(1.0, index=values.index)
    rows = {}
    for metro, idx in values.groupby(parent).groups.items():
        rows[metro] = {c: weighted_mean(values.loc[idx, c], w.loc[idx]) for c in values.columns}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "metro"
    return out


def _population(units: pd.DataFrame, index: pd.Index) -> pd.Series:
    if "population" not in units.columns:
        raise DisparityError(
            "population weighting needs a 'population' column in the unit metadata"
        )
    pop = pd.to_numeric(units["population"], errors="coerce").reindex(index)
    missing = pop[pop.isna() | (pop < 0)].index.tolist()
    if missing:
        raise DisparityError(f"unit(s) {missing[:10]}: population missing or negative")
    return pop


def disparity(
    values: pd.DataFrame,
    units: pd.DataFrame,
    weighted: bool = True,
    kinds: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Gini, Theil, CV and core/periphery ratio of every column within every metro.

    Parameters
    ----------
    values
        Units × variables (indicators, dimension scores, the index).
    units
        Unit metadata: ``parent`` (optional; one area "all" when absent), ``population``
        (needed when ``weighted``), ``is_core`` (optional).
    weighted
        Weight units by population.
    kinds
        Optional variable → kind label ("indicator", "dimension", "index").

    Returns
    -------
    DataFrame
        One row per (metro, variable): ``metro, variable, kind, n_units, mean, gini, theil,
        cv, core_mean, periphery_mean, core_periphery_ratio, note``.
    """
    u = units.reindex(values.index)
    parent = (
        u["parent"].fillna("all")
        if "parent" in u.columns and u["parent"].notna().any()
        else pd.Series("all", index=values.index)
    )
    w = _population(units, values.index) if weighted else None
    core = (
        u["is_core"].astype(str).str.lower().isin(["true", "1", "yes"])
        if "is_core" in u.columns
        else pd.Series(False, index=values.index)
    )
    rows: list[dict[str, Any]] = []
    for metro, idx in values.groupby(parent).groups.items():
        ww = None if w is None else w.loc[idx].to_numpy(float)
        cc = core.loc[idx].to_numpy(bool)
        for c in values.columns:
            x = values.loc[idx, c].to_numpy(float)
            neg = bool(np.nanmin(x) < 0) if np.isfinite(x).any() else False
            rows.append(
                {
                    "metro": metro,
                    "variable": c,
                    "kind": (kinds or {}).get(str(c), ""),
                    "n_units": int(np.isfinite(x).sum()),
                    "mean": weighted_mean(x, ww),
                    "gini": gini(x, ww),
                    "theil": theil(x, ww),
                    "cv": cv(x, ww),
                    "core_mean": weighted_mean(x[cc], None if ww is None else ww[cc])
                    if cc.any()
                    else np.nan,
                    "periphery_mean": weighted_mean(x[~cc], None if ww is None else ww[~cc])
                    if (~cc).any()
                    else np.nan,
                    "core_periphery_ratio": core_periphery_ratio(x, cc, ww),
                    "note": "negative values: Gini and Theil undefined" if neg else "",
                }
            )
    return pd.DataFrame(rows)


def index_disparity(result: IndexResult, data: IndexData, weighted: bool = True) -> pd.DataFrame:
    """Disparity of every indicator (imputed values, own units) and every index/dimension score."""
    ind = result.stages["imputed"]
    scores = result.scores
    kinds = {c: "indicator" for c in ind.columns}
    kinds.update({c: "index" if c == "index" else "dimension" for c in scores.columns})
    both = pd.concat([ind, scores], axis=1)
    return disparity(both, data.units, weighted=weighted, kinds=kinds)
