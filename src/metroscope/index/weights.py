"""Weighting of the children of a node (JRC/OECD Handbook step 6).

Every weighting is a plain function ``f(X, w0, names, **params) -> ndarray`` taking the
children's (normalised) scores ``X`` [units × children], the weights written in the config
``w0`` and the children's ids ``names``; it returns weights that sum to 1.

* ``equal`` — 1/n each.
* ``manual`` — the config weights, rescaled to sum to 1.
* ``budget`` — budget allocation: each expert distributes points over the children
  (``budgets: [{child: points, …}, …]``); weights are the mean shares (Handbook §1.6.2).
* ``pca`` — Nicoletti et al. (2000) as in the Handbook: principal components with
  eigenvalue > 1 (at least one); each child's squared loading scaled to unity within its
  component, multiplied by the component's share of explained variance; each child keeps
  its largest value. No rotation is applied (a simplification, documented).
* ``optimised`` — weights that make the children's Pearson correlations with the
  arithmetic aggregate as equal as possible (COINr ``get_opt_weights``, "balance"), found
  with SLSQP on the simplex.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

Array = NDArray[np.float64]


class WeightsError(ValueError):
    """Weights cannot be computed as asked; the message names the node or child."""


def _unit_sum(w: Array, what: str) -> Array:
    s = float(np.sum(w))
    if not s > 0 or np.any(w < 0):
        raise WeightsError(f"{what}: weights must be ≥ 0 and not all zero, got {w.tolist()}")
    return np.asarray(w / s, dtype=float)


def equal(X: Array, w0: Array, names: Sequence[str]) -> Array:
    """Equal weights 1/n."""
    return np.full(len(names), 1.0 / len(names))


def manual(X: Array, w0: Array, names: Sequence[str]) -> Array:
    """The configured weights, rescaled to sum to one."""
    return _unit_sum(np.asarray(w0, dtype=float), "manual")


def budget(
    X: Array, w0: Array, names: Sequence[str], budgets: Sequence[Mapping[str, float]] = ()
) -> Array:
    """Budget allocation: the mean over experts of each expert's share of points.

    ``budgets`` lists one ``{id: points}`` mapping per expert over any ids of the tree; at
    each node only the entries for that node's children are used, and experts who gave
    none of them points are left out for that node.
    """
    if not budgets:
        raise WeightsError("budget weighting needs 'budgets': a list of {child id: points}")
    shares = []
    for k, alloc in enumerate(budgets):
        pts = np.array([float(alloc.get(n, 0.0)) for n in names])
        if np.any(pts < 0):
            raise WeightsError(
                f"budget {k}: points must be ≥ 0, got {dict(zip(names, pts, strict=True))}"
            )
        if pts.sum() > 0:
            shares.append(pts / pts.sum())
    if not shares:
        raise WeightsError(f"budget: no expert allocated points to any of {list(names)}")
    return np.asarray(np.mean(shares, axis=0), dtype=float)


def _standardise(X: Array) -> Array:
    x = np.asarray(X, dtype=float)
    if np.isnan(x).any():
        raise WeightsError("statistical weights need complete data (impute first)")
    sd = x.std(axis=0, ddof=1)
    sd[sd == 0] = 1.0
    return np.asarray((x - x.mean(axis=0)) / sd, dtype=float)


def pca(X: Array, w0: Array, names: Sequence[str]) -> Array:
    """PCA-based weights (Nicoletti et al. 2000; Handbook §1.6.1, unrotated)."""
    z = _standardise(X)
    if len(names) == 1:
        return np.ones(1)
    eigval, eigvec = np.linalg.eigh(np.corrcoef(z, rowvar=False))
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    keep = max(1, int(np.sum(eigval > 1.0)))
    loadings = eigvec[:, :keep] * np.sqrt(np.clip(eigval[:keep], 0, None))
    sq = loadings**2
    sq_scaled = sq / sq.sum(axis=0)
    share = eigval[:keep] / eigval[:keep].sum()
    return _unit_sum(np.max(sq_scaled * share, axis=1), "pca")


def _corr_with(X: Array, w: Array) -> Array:
    agg = X @ (w / w.sum())
    xc = X - X.mean(axis=0)
    ac = agg - agg.mean()
    den = np.sqrt((xc**2).sum(axis=0) * (ac**2).sum())
    return np.asarray((xc * ac[:, None]).sum(axis=0) / np.where(den > 0, den, 1.0), dtype=float)


def optimised(X: Array, w0: Array, names: Sequence[str], max_iter: int = 200) -> Array:
    """Weights balancing each child's correlation with the aggregate (COINr "balance")."""
    x = np.asarray(X, dtype=float)
    if np.isnan(x).any():
        raise WeightsError("optimised weights need complete data (impute first)")
    n = x.shape[1]
    if n == 1:
        return np.ones(1)

    def loss(w: Array) -> float:
        r = _corr_with(x, np.abs(w) + 1e-12)
        return float(np.var(r))

    res = minimize(
        loss,
        np.full(n, 1.0 / n),
        method="SLSQP",
        bounds=[(1e-6, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: float(np.sum(w) - 1.0)}],
        options={"maxiter": max_iter},
    )
    return _unit_sum(np.abs(res.x), "optimised")


Weighting = Callable[..., Array]
WEIGHTINGS: dict[str, Weighting] = {
    "equal": equal,
    "manual": manual,
    "budget": budget,
    "pca": pca,
    "optimised": optimised,
}


def weigh(X: Array, w0: Array, names: Sequence[str], method: str, **params: Any) -> Array:
    """Apply the weighting ``method`` from :data:`WEIGHTINGS`."""
    try:
        fn = WEIGHTINGS[method]
    except KeyError:
        raise ValueError(
            f"unknown weighting '{method}'; accepted: {', '.join(sorted(WEIGHTINGS))}"
        ) from None
    return fn(X, w0, names, **params)
