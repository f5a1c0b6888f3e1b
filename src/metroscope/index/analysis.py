"""Statistical analysis of an index (JRC/OECD Handbook steps 4 and 8, COINr's ``get_*``).

* descriptive statistics per indicator (raw values);
* data availability per indicator and per unit;
* correlations within a node (children against each other, flagged when collinear or
  negatively correlated) and across levels (each child against its parent and the index,
  flagged when weak);
* Cronbach's alpha of each node's children;
* PCA of each node's children (explained variance, first-component loadings).

Flag thresholds follow COINr's defaults: collinear r > 0.9, negative r < −0.4 within a node,
weak r < 0.2 with the parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import kurtosis, skew

if TYPE_CHECKING:
    from metroscope.index.builder import IndexResult

COLLINEAR_R = 0.9
NEGATIVE_R = -0.4
WEAK_R = 0.2


def descriptive(x: pd.DataFrame) -> pd.DataFrame:
    """n, availability [fraction], mean, sd, min, median, max, skew, kurtosis per column."""
    rows = {}
    for c in x.columns:
        v = x[c].dropna().to_numpy(float)
        rows[c] = {
            "n": v.size,
            "availability": v.size / max(len(x), 1),
            "mean": float(np.mean(v)) if v.size else np.nan,
            "sd": float(np.std(v, ddof=1)) if v.size > 1 else np.nan,
            "min": float(np.min(v)) if v.size else np.nan,
            "median": float(np.median(v)) if v.size else np.nan,
            "max": float(np.max(v)) if v.size else np.nan,
            "skew": float(skew(v, bias=False)) if v.size > 3 and np.ptp(v) > 0 else np.nan,
            "kurtosis": float(kurtosis(v, bias=False)) if v.size > 3 and np.ptp(v) > 0 else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def cronbach_alpha(x: pd.DataFrame | np.ndarray) -> float:
    """Cronbach's alpha ``k/(k−1) · (1 − Σ var(xᵢ) / var(Σ xᵢ))`` on complete rows."""
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a).any(axis=1)]
    k = a.shape[1]
    if k < 2 or a.shape[0] < 2:
        return float("nan")
    total = a.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - a.var(axis=0, ddof=1).sum() / total))


def pca_summary(x: pd.DataFrame) -> dict[str, Any]:
    """Explained variance ratios and first-component loadings of standardised complete rows."""
    a = x.dropna().to_numpy(float)
    if a.shape[1] < 2 or a.shape[0] < 3:
        return {"explained_variance_ratio": [], "loadings_pc1": {}}
    sd = a.std(axis=0, ddof=1)
    sd[sd == 0] = 1
    z = (a - a.mean(axis=0)) / sd
    eigval, eigvec = np.linalg.eigh(np.cov(z, rowvar=False))
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    pc1 = eigvec[:, 0] * (1 if eigvec[:, 0].sum() >= 0 else -1)
    return {
        "explained_variance_ratio": (eigval / eigval.sum()).tolist(),
        "loadings_pc1": dict(zip(map(str, x.columns), pc1.tolist(), strict=True)),
    }


def _flag_within(r: float) -> str:
    if r > COLLINEAR_R:
        return "collinear"
    if r < NEGATIVE_R:
        return "negative"
    return ""


def analyse(result: IndexResult) -> dict[str, Any]:
    """All analyses of a finished run, as plain data frames and dicts."""
    cfg = result.config
    norm = result.stages["normalised"]
    scores = result.scores.rename(columns={"index": cfg.id})
    every = pd.concat([norm, scores], axis=1)
    within_rows: list[dict[str, Any]] = []
    across_rows: list[dict[str, Any]] = []
    alpha: dict[str, float] = {}
    pca: dict[str, Any] = {}
    for _, node in cfg.nodes():
        kids = [i.id for i in node.indicators if i.id in every.columns]
        kids += [c.id for c in node.children if c.id in every.columns]
        if not kids or node.id not in every.columns:
            continue
        block = every[kids]
        corr = block.corr()
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                r = float(corr.loc[a, b])
                within_rows.append(
                    {"node": node.id, "a": a, "b": b, "r": r, "flag": _flag_within(r)}
                )
            r_parent = float(every[a].corr(every[node.id]))
            r_index = float(every[a].corr(every[cfg.id]))
            across_rows.append(
                {
                    "child": a,
                    "parent": node.id,
                    "r_parent": r_parent,
                    "r_index": r_index,
                    "flag": "weak" if r_parent < WEAK_R else "",
                }
            )
        alpha[node.id] = cronbach_alpha(block)
        pca[node.id] = pca_summary(block)
    raw = result.stages["raw"]
    return {
        "descriptive": descriptive(raw),
        "availability_indicator": raw.notna().mean(axis=0),
        "availability_unit": raw.notna().mean(axis=1),
        "correlation_indicators": norm.corr(),
        "correlation_within": pd.DataFrame(within_rows, columns=["node", "a", "b", "r", "flag"]),
        "correlation_across": pd.DataFrame(
            across_rows, columns=["child", "parent", "r_parent", "r_index", "flag"]
        ),
        "cronbach_alpha": alpha,
        "pca": pca,
    }
