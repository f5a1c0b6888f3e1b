"""Vectorised evaluation of many index replications that share their discrete choices.

A *plan* is the index tree flattened bottom-up into :class:`NodeStep` records (which
weight columns and which children feed each aggregate node, and how it aggregates). Given
one normalised indicator matrix ``X`` [units × indicators] and a weight matrix
``W`` [replications × weight slots], :func:`evaluate` computes every replication's index
score at once:

* a subtree that uses one power mean throughout (arithmetic, geometric, harmonic or
  generalised) over complete data collapses to one matrix product ``W_eff · f(X)ᵀ`` with
  effective weights (f = identity, log or power), for all replications at once;
* otherwise each node combines its children's per-replication scores, child by child.

Missing values are skipped with weights re-scaled, as in :mod:`metroscope.index.aggregate`.
Non-compensatory aggregators (Copeland, benefit of the doubt) fall back to one call per
replication. Replications that cannot be computed are returned with their reason, never
dropped. The functions are pure and picklable so Dask workers can run them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from metroscope.index import aggregate as agg_mod

Array = NDArray[np.float64]
POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


@dataclass(frozen=True)
class NodeStep:
    """One aggregate node of the plan.

    Attributes
    ----------
    node
        Node id.
    slots
        Columns of the weight matrix holding the children's weights.
    columns
        Indicator columns of ``X`` (leaf-parent nodes) or ``()`` for higher nodes.
    children
        Positions in the plan of the child nodes (higher nodes) or ``()``.
    method, params
        The aggregation of this node.
    depth
        Depth in the tree (0 = index).
    slot
        Column of the weight matrix holding this node's own weight (−1 for the index).
    """

    node: str
    slots: tuple[int, ...]
    columns: tuple[int, ...] = ()
    children: tuple[int, ...] = ()
    method: str = "arithmetic"
    params: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    slot: int = -1


def _power(method: str, params: dict[str, Any]) -> float | None:
    if method in POWER:
        return POWER[method]
    if method == "generalised":
        return float(params.get("p", 2.0))
    return None


def _f(x: Array, p: float) -> Array:
    """The transform of a power mean: xᵖ, or ln x for p = 0."""
    return np.log(x) if p == 0 else x if p == 1 else x**p


def _finv(m: Array, p: float) -> Array:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.exp(m) if p == 0 else m if p == 1 else m ** (1.0 / p)


def _needs_positive(p: float) -> bool:
    return p <= 0 or p != int(p)


def _unit_weights(W: Array, slots: tuple[int, ...]) -> Array:
    w = W[:, list(slots)]
    s = w.sum(axis=1, keepdims=True)
    # a node with every child excluded has zero weight in its parent: keep it finite (0)
    return np.asarray(w / np.where(s > 0, s, 1.0))


def _propagate_exclusions(W: Array, plan: list[NodeStep]) -> Array:
    """A node whose children all have zero weight (all excluded) gets zero weight itself."""
    dead = [st for st in plan if st.slot >= 0]
    if not dead:
        return W
    W = W.copy()
    for st in plan:
        if st.slot >= 0:
            W[:, st.slot] *= W[:, list(st.slots)].sum(axis=1) > 0
    return W


def evaluate(
    X: Array, W: Array, plan: list[NodeStep], want_nodes: bool = False
) -> tuple[Array, dict[int, str], dict[str, Array]]:
    """Index scores of every replication.

    Parameters
    ----------
    X
        Normalised indicators [units × indicators] shared by these replications.
    W
        Weights [replications × weight slots] (need not sum to one).
    plan
        Bottom-up node steps; the last one is the index.
    want_nodes
        Also return every node's scores (costs memory: nodes × replications × units).

    Returns
    -------
    scores
        [replications × units] index scores (NaN rows for failed replications).
    failures
        Replication position → reason.
    node_scores
        Node id → [replications × units] (only with ``want_nodes``).

    Notes
    -----
    A node whose whole subtree uses the same power mean (arithmetic p = 1, geometric
    p = 0, harmonic p = −1, generalised p) over complete data is computed in one matrix
    product with *effective* weights (the product of the normalised weights along each
    path), since nested power means with a common p equal one power mean with those weights.
    """
    R = W.shape[0]
    W = _propagate_exclusions(W, plan)
    failures: dict[int, str] = {}
    powers = [_power(st.method, st.params) for st in plan]
    cols: list[list[int]] = []
    uniform: list[bool] = []
    for i, st in enumerate(plan):
        c = list(st.columns) + [k for ch in st.children for k in cols[ch]]
        cols.append(c)
        p = powers[i]
        same = all(uniform[ch] and powers[ch] == p for ch in st.children)
        uniform.append(p is not None and same and not np.isnan(X[:, c]).any() and not want_nodes)
    parent = {ch: i for i, st in enumerate(plan) for ch in st.children}
    out: dict[int, Array] = {}

    def fail_all(reason: str) -> None:
        for r in range(R):
            failures.setdefault(r, reason)

    def effective(i: int) -> tuple[Array, list[int]]:
        st = plan[i]
        wn = _unit_weights(W, st.slots)
        if st.columns:
            return wn, list(st.columns)
        parts, idx = [], []
        for k, ch in enumerate(st.children):
            e, c = effective(ch)
            parts.append(e * wn[:, k : k + 1])
            idx += c
        return np.concatenate(parts, axis=1), idx

    for i, st in enumerate(plan):
        if uniform[i] and i in parent and uniform[parent[i]] and powers[parent[i]] == powers[i]:
            continue  # folded into its parent's effective weights
        p = powers[i]
        if p is not None and uniform[i]:
            eff, c = effective(i)
            Xc = X[:, c]
            if _needs_positive(p) and np.any(Xc <= 0):
                bad = np.flatnonzero(np.any(Xc <= 0, axis=1))[:5].tolist()
                fail_all(
                    f"node '{st.node}' ({st.method}): needs positive values; unit positions {bad}"
                )
                out[i] = np.full((R, X.shape[0]), np.nan)
                continue
            out[i] = _finv(eff @ _f(Xc, p).T, p)
        elif p is not None:
            out[i] = _mean_children(i, X, W, plan, out, p, failures)
        else:
            S = (
                np.broadcast_to(X[:, list(st.columns)], (R, X.shape[0], len(st.columns)))
                if st.columns
                else np.stack([out[c] for c in st.children], axis=2)
            )
            out[i] = _loop(S, W[:, list(st.slots)], st, failures)
    scores = out[len(plan) - 1].copy()
    nan_rows = np.flatnonzero(np.isnan(scores).any(axis=1))
    for r in nan_rows:
        units = np.flatnonzero(np.isnan(scores[r]))[:5].tolist()
        failures.setdefault(int(r), f"index score is missing for unit positions {units}")
    if failures:
        scores[list(failures)] = np.nan
    nodes = {plan[i].node: o for i, o in out.items()} if want_nodes else {}
    return scores, failures, nodes


def _mean_children(
    i: int,
    X: Array,
    W: Array,
    plan: list[NodeStep],
    out: dict[int, Array],
    p: float,
    failures: dict[int, str],
) -> Array:
    """Power mean of node ``i``'s children, skipping missing values (weights re-scaled)."""
    st = plan[i]
    w = W[:, list(st.slots)]
    R = W.shape[0]
    if st.columns:
        Xc = X[:, list(st.columns)]
        ok = ~np.isnan(Xc)
        if _needs_positive(p) and np.any(ok & ~(Xc > 0)):
            bad = np.flatnonzero(np.any(ok & ~(Xc > 0), axis=1))[:5].tolist()
            for r in range(R):
                failures.setdefault(
                    r,
                    f"node '{st.node}' ({st.method}): needs positive values; unit positions {bad}",
                )
            return np.full((R, X.shape[0]), np.nan)
        f = np.where(ok, _f(np.where(ok, Xc, 1.0), p), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _finv((w @ f.T) / (w @ ok.T.astype(float)), p)
    num = np.zeros((R, X.shape[0]))
    den = np.zeros((R, X.shape[0]))
    bad = np.zeros(R, dtype=bool)
    for k, ch in enumerate(st.children):
        s = out[ch]
        ok = ~np.isnan(s)
        if _needs_positive(p):
            bad |= np.any(ok & ~(s > 0), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            num += (
                np.where(
                    ok, _f(np.where(ok & (s > 0) if _needs_positive(p) else ok, s, 1.0), p), 0.0
                )
                * w[:, k : k + 1]
            )
        den += ok * w[:, k : k + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        res = _finv(num / den, p)
    for rb in np.flatnonzero(bad):
        failures.setdefault(int(rb), f"node '{st.node}' ({st.method}): needs positive values")
    res[bad] = np.nan
    return res


def _loop(S: Array, w: Array, step: NodeStep, failures: dict[int, str]) -> Array:
    """One aggregator call per replication (non-compensatory methods)."""
    R, U = S.shape[0], S.shape[1]
    out = np.full((R, U), np.nan)
    cache: dict[bytes, Array] = {}
    for r in range(R):
        try:
            key = (
                w[r].tobytes() + S[r].tobytes()
                if step.method != "benefit_of_doubt"
                else S[r].tobytes()
            )
            if key not in cache:
                cache[key] = agg_mod.aggregate(S[r], w[r], step.method, **step.params)
            out[r] = cache[key]
        except (ValueError, ZeroDivisionError) as exc:
            failures.setdefault(r, f"node '{step.node}' ({step.method}): {exc}")
    return out


def rank_rows(scores: Array) -> NDArray[np.float32]:
    """Ranks per row, 1 = highest score, ties share the best rank; NaN rows stay NaN."""
    R, U = scores.shape
    ranks = np.full((R, U), np.nan, dtype=np.float32)
    ok = ~np.isnan(scores).any(axis=1)
    if not ok.any():
        return ranks
    s = -scores[ok]
    order = np.argsort(s, axis=1)
    sorted_s = np.take_along_axis(s, order, axis=1)
    ties = sorted_s[:, 1:] == sorted_s[:, :-1]
    pos = np.broadcast_to(np.arange(1, U + 1, dtype=np.float32), order.shape).copy()
    for row in np.flatnonzero(ties.any(axis=1)):
        # "min" ties: every member of a run of equal values gets the run's first position
        new = np.concatenate(([True], ~ties[row]))
        pos[row] = np.maximum.accumulate(np.where(new, np.arange(1, U + 1), 0)).astype(np.float32)
    r = np.empty_like(pos)
    np.put_along_axis(r, order, pos, axis=1)
    ranks[ok] = r
    return ranks


def rank_quantiles(ranks: NDArray[np.float32], qs: list[float]) -> Array:
    """Quantiles of integer ranks per unit by counting, numpy's "linear" definition.

    Parameters
    ----------
    ranks
        [replications × units] ranks in 1…units, no NaN.
    qs
        Probabilities in [0, 1].

    Returns
    -------
    ndarray
        [len(qs) × units]; equal to ``np.quantile(ranks, qs, axis=0)`` but O(R·U) instead of
        a partition per unit.
    """
    R, U = ranks.shape
    top = int(np.nanmax(ranks)) + 1 if R else 1
    counts = np.zeros(U * top, dtype=np.int64)
    offset = np.arange(U, dtype=np.int64)[None, :] * top
    for c0 in range(0, R, 1024):  # bounded memory: one chunk of flat indices at a time
        flat = (offset + ranks[c0 : c0 + 1024].astype(np.int64)).ravel()
        counts += np.bincount(flat, minlength=U * top)
    counts = counts.reshape(U, top)
    cum = np.cumsum(counts, axis=1)
    out = np.empty((len(qs), U))
    for k, q in enumerate(qs):
        pos = q * (R - 1)
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        x_lo = (cum <= lo).sum(axis=1)
        x_hi = (cum <= hi).sum(axis=1)
        out[k] = x_lo + (pos - lo) * (x_hi - x_lo)
    return out
