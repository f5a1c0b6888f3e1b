"""Monte Carlo uncertainty and Sobol sensitivity analysis (JRC/OECD Handbook step 7).

Any methodological choice can be an uncertain *factor*:

* :class:`WeightsFactor` — every weight (or those of ``items``) multiplied by ``1 ± pct``
  (or drawn in [low, high]); one Sobol group per factor, so dimension and indicator weights
  can be two factors;
* :class:`ChoiceFactor` — the method of a step (``impute``, ``normalise`` or ``aggregate``)
  drawn from a list of alternatives;
* :class:`ExcludeFactor` — none or one indicator left out (its weight set to zero).

The design is quasi-random: Sobol' points (``scipy.stats.qmc.Sobol``) for uncertainty only,
Saltelli's radial design (SALib ``sample.sobol`` with groups) when sensitivity is asked.
First- and total-order Sobol indices with bootstrap confidence intervals come from SALib
(``analyze.sobol``: Saltelli 2010 first-order and Jansen total-order estimators) for the
output ``Y`` = mean absolute rank shift of the units from their nominal rank.

Replications are **vectorised**: they are grouped by their discrete choices
(imputation × normaliser × aggregator); each group's normalised matrix is computed once and
the group's weight matrix applied as one batched product (:mod:`mc_kernel`). With
``DASK_SCHEDULER_ADDRESS`` set, the chunks run on that Dask cluster. Every replication that
fails (e.g. a geometric mean over non-positive z-scores) is listed in ``failures`` with its
reason; Sobol indices are then estimated on the base samples whose whole radial block
succeeded, and the number used is reported.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from metroscope.index.framework import MethodSpec
from metroscope.index.mc_kernel import NodeStep, evaluate, rank_quantiles, rank_rows

if TYPE_CHECKING:
    from metroscope.index.builder import IndexBuilder

Array = NDArray[np.float64]
CHOICE_STEPS = ("impute", "normalise", "aggregate")


@dataclass
class WeightsFactor:
    """Each weight drawn in ``w₀ · [1 − pct, 1 + pct]`` (or in [low, high] when given)."""

    pct: float = 0.25
    low: float | None = None
    high: float | None = None
    name: str = "weights"
    items: list[str] | None = None
    """Ids of the indicators/nodes whose weight varies (default: every weight)."""


@dataclass
class ChoiceFactor:
    """The method of ``step`` drawn uniformly from ``options`` (names or method specs)."""

    step: str
    options: list[Any]
    depth: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.step not in CHOICE_STEPS:
            raise ValueError(f"choice factor: step '{self.step}' not one of {CHOICE_STEPS}")
        if not self.options:
            raise ValueError(f"choice factor '{self.step}': needs at least one option")
        self.name = self.name or self.step
        self.specs = [
            o
            if isinstance(o, MethodSpec)
            else MethodSpec(method=o)
            if isinstance(o, str)
            else MethodSpec(**o)
            for o in self.options
        ]


@dataclass
class ExcludeFactor:
    """None or one of ``indicators`` (default: every indicator) left out."""

    indicators: list[str] | None = None
    name: str = "exclusion"


Factor = WeightsFactor | ChoiceFactor | ExcludeFactor


@dataclass
class MCResult:
    """Results of a Monte Carlo study (see the index contract)."""

    rank_intervals: pd.DataFrame
    sobol: pd.DataFrame | None
    failures: list[tuple[int, str]]
    ranks: NDArray[np.float32]
    scores: NDArray[np.float32]
    design: pd.DataFrame
    units: list[str]
    n: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    sobol_n_used: int = 0

    @property
    def n_failed(self) -> int:
        return len(self.failures)


# --- the tree as a plan ---------------------------------------------------------------
def build_plan(
    builder: IndexBuilder, columns: list[str]
) -> tuple[list[NodeStep], list[str], Array]:
    """Flatten the tree bottom-up: node steps, weight slot ids and nominal weights."""
    cfg = builder.cfg
    res = builder.last
    assert res is not None
    col = {c: i for i, c in enumerate(columns)}
    slots: list[str] = []
    plan: list[NodeStep] = []
    pos: dict[str, int] = {}
    for depth, node in cfg.nodes():
        spec = cfg.aggregation_for(node, depth)
        inds = [i.id for i in node.indicators if i.id in col]
        kids = [c.id for c in node.children if c.id in pos]
        ids = inds or kids
        if not ids:
            continue
        first = len(slots)
        slots.extend(ids)
        plan.append(
            NodeStep(
                node=node.id,
                slots=tuple(range(first, len(slots))),
                columns=tuple(col[i] for i in inds),
                children=tuple(pos[k] for k in kids),
                method=spec.method,
                params=dict(spec.params),
                depth=depth,
            )
        )
        pos[node.id] = len(plan) - 1
    w0 = np.array([res.weights.get(s, 1.0) for s in slots], dtype=float)
    where = {sid: k for k, sid in enumerate(slots)}
    plan = [
        NodeStep(
            st.node,
            st.slots,
            st.columns,
            st.children,
            st.method,
            st.params,
            st.depth,
            where.get(st.node, -1),
        )
        for st in plan
    ]
    return plan, slots, w0


# --- design ---------------------------------------------------------------------------
def _weight_slots(f: WeightsFactor, slots: list[str]) -> list[int]:
    if f.items is None:
        return list(range(len(slots)))
    unknown = [i for i in f.items if i not in slots]
    if unknown:
        raise ValueError(f"weights factor '{f.name}': unknown or screened-out id(s) {unknown}")
    return [slots.index(i) for i in f.items]


def _dims(f: Factor, slots: list[str]) -> int:
    return len(_weight_slots(f, slots)) if isinstance(f, WeightsFactor) else 1


def sobol_problem(names: list[str], dims: list[int]) -> dict[str, Any]:
    """A SALib problem on [0, 1]^D with one group per factor."""
    var_names, groups = [], []
    for name, d in zip(names, dims, strict=True):
        var_names += [f"{name}_{k}" for k in range(d)]
        groups += [name] * d
    D = len(var_names)
    return {"num_vars": D, "names": var_names, "bounds": [[0.0, 1.0]] * D, "groups": groups}


def sobol_design(problem: dict[str, Any], n_base: int, seed: int = 0) -> Array:
    """Saltelli's radial design on scrambled Sobol' points, in SALib's row order.

    Two independent matrices A and B [n_base × D] come from one scrambled Sobol' sequence
    in 2D dimensions (``scipy.stats.qmc.Sobol``); for every group g, AB_g is A with the
    columns of g taken from B. Rows are ordered A_j, AB_j1 … AB_jG, B_j for each j
    (what ``SALib.analyze.sobol`` expects with ``calc_second_order=False``), giving
    ``n_base · (G + 2)`` rows.
    """
    D = int(problem["num_vars"])
    names = list(problem.get("groups") or problem["names"])
    groups = list(dict.fromkeys(names))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = qmc.Sobol(d=2 * D, scramble=True, seed=seed).random(n_base)
    bounds = np.asarray(problem["bounds"], dtype=float)
    A = bounds[:, 0] + base[:, :D] * (bounds[:, 1] - bounds[:, 0])
    B = bounds[:, 0] + base[:, D:] * (bounds[:, 1] - bounds[:, 0])
    out = np.empty((n_base, len(groups) + 2, D))
    out[:, 0] = A
    out[:, -1] = B
    member = np.array(names)
    for g, name in enumerate(groups):
        ab = A.copy()
        cols = member == name
        ab[:, cols] = B[:, cols]
        out[:, g + 1] = ab
    return out.reshape(-1, D)


def sobol_indices(
    problem: dict[str, Any], Y: Array, num_resamples: int = 100, seed: int = 0
) -> tuple[pd.DataFrame, int]:
    """First- and total-order indices with bootstrap 95 % intervals (SALib ``analyze.sobol``).

    Radial blocks holding a NaN (failed replications) are dropped whole; the number of base
    samples used is returned beside the table.
    """
    from SALib.analyze import sobol as sobol_analyze

    groups = list(dict.fromkeys(problem.get("groups") or problem["names"]))
    step = len(groups) + 2
    blocks = np.asarray(Y, dtype=float).reshape(-1, step)
    keep = np.isfinite(blocks).all(axis=1)
    if keep.sum() < 2:
        raise ValueError("too few complete Saltelli blocks to estimate Sobol indices")
    y = blocks[keep].ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=num_resamples, seed=seed
        )
    table = pd.DataFrame(
        {
            "factor": groups,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )
    return table, int(keep.sum())


# --- the study ------------------------------------------------------------------------
def _validate(factors: list[Factor], builder: IndexBuilder) -> None:
    steps = [f.step for f in factors if isinstance(f, ChoiceFactor)]
    dup = {s for s in steps if steps.count(s) > 1}
    if dup:
        raise ValueError(f"uncertainty: one choice factor per step, got several for {sorted(dup)}")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ValueError(f"uncertainty: factor names must differ, got {names}")
    for f in factors:
        if isinstance(f, ExcludeFactor) and f.indicators:
            unknown = [i for i in f.indicators if i not in builder.active]
            if unknown:
                raise ValueError(f"exclusion factor: indicator(s) {unknown} not in the index")


def _choice_index(u: Array, k: int) -> NDArray[np.int64]:
    return np.minimum((u * k).astype(np.int64), k - 1)


def run_uncertainty(
    builder: IndexBuilder,
    n: int = 1000,
    factors: list[Factor] | None = None,
    seed: int = 0,
    sensitivity: bool = False,
    chunk: int = 2048,
    num_resamples: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> MCResult:
    """Run a Monte Carlo study of ``builder``'s index over ``factors``.

    Parameters
    ----------
    builder
        A builder (run first if it has not been).
    n
        Number of replications wanted; with sensitivity the design has
        ``ceil(n / (G + 2)) · (G + 2)`` rows for G factors.
    factors
        Uncertain choices; default ``[WeightsFactor(0.25)]``.
    seed
        Seed of the scrambled Sobol' sequence and of the bootstrap.
    sensitivity
        Also estimate first- and total-order Sobol indices.
    chunk
        Replications evaluated together (bounds memory: chunk × units × children floats).
    num_resamples
        Bootstrap resamples for the Sobol confidence intervals.
    progress
        Called as ``progress(done, total)`` when a chunk of replications is finished.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    nominal = builder.last if builder.last is not None else builder.run()
    factors = list(factors) if factors else [WeightsFactor()]
    _validate(factors, builder)
    columns = list(nominal.stages["normalised"].columns)
    units = [str(u) for u in nominal.stages["normalised"].index]
    plan, slots, w0 = build_plan(builder, columns)
    dims = [_dims(f, slots) for f in factors]
    names = [f.name for f in factors]
    problem = sobol_problem(names, dims)

    if sensitivity:
        n_base = max(2, math.ceil(n / (len(factors) + 2)))
        U = sobol_design(problem, n_base, seed)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            U = qmc.Sobol(d=problem["num_vars"], scramble=True, seed=seed).random(n)
    R = U.shape[0]
    timings["design_s"] = time.perf_counter() - t0

    # --- map the unit cube to choices and weights --------------------------------------
    W = np.tile(w0, (R, 1))
    choice = {s: np.zeros(R, dtype=np.int64) for s in CHOICE_STEPS}
    choice_specs: dict[str, list[MethodSpec]] = {}
    excluded = np.full(R, "", dtype=object)
    col0 = 0
    for f, d in zip(factors, dims, strict=True):
        u = U[:, col0 : col0 + d]
        col0 += d
        if isinstance(f, WeightsFactor):
            idx = _weight_slots(f, slots)
            if f.low is not None and f.high is not None:
                W[:, idx] = f.low + u * (f.high - f.low)
            else:
                W[:, idx] = W[:, idx] * (1.0 + f.pct * (2.0 * u - 1.0))
        elif isinstance(f, ChoiceFactor):
            choice[f.step] = _choice_index(u[:, 0], len(f.specs))
            choice_specs[f.step] = f.specs
        else:
            cands = f.indicators or list(columns)
            opts = ["", *cands]
            pick = _choice_index(u[:, 0], len(opts))
            excluded = np.array(opts, dtype=object)[pick]
    for ind in set(excluded) - {""}:
        W[excluded == ind, slots.index(ind)] = 0.0

    # --- evaluate group by group --------------------------------------------------------
    ranks = np.full((R, len(units)), np.nan, dtype=np.float32)
    scores = np.full((R, len(units)), np.nan, dtype=np.float32)
    failures: dict[int, str] = {}
    keys = np.stack([choice[s] for s in CHOICE_STEPS], axis=1)
    groups: dict[tuple[int, ...], NDArray[np.int64]] = {}
    for key in np.unique(keys, axis=0):
        groups[tuple(int(k) for k in key)] = np.flatnonzero((keys == key).all(axis=1))
    t1 = time.perf_counter()
    matrices: dict[tuple[int, int], tuple[Array | None, str]] = {}
    for ki, kn, _ in groups:
        if (ki, kn) not in matrices:
            matrices[(ki, kn)] = _normalised(builder, nominal, choice_specs, ki, kn, columns)
    timings["prepare_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    tasks: list[tuple[NDArray[np.int64], Array, Array, list[NodeStep]]] = []
    for (ki, kn, ka), reps in groups.items():
        X, err = matrices[(ki, kn)]
        if X is None:
            for r in reps:
                failures[int(r)] = err
            continue
        gplan = _plan_for(plan, choice_specs.get("aggregate"), ka, factors)
        for c0 in range(0, reps.size, chunk):
            sel = reps[c0 : c0 + chunk]
            tasks.append((sel, X, W[sel], gplan))

    done = [R - sum(t[0].size for t in tasks)]  # replications of failed groups count as done

    def sink(
        sel: NDArray[np.int64], s: Array, rk: NDArray[np.float32], fails: dict[int, str]
    ) -> None:
        scores[sel] = s
        ranks[sel] = rk
        for r, why in fails.items():
            failures[int(sel[r])] = why
        done[0] += sel.size
        if progress is not None:
            progress(done[0], R)

    _run_tasks(tasks, sink)
    timings["evaluate_s"] = time.perf_counter() - t2

    # --- summaries ------------------------------------------------------------------------
    t3 = time.perf_counter()
    nominal_rank = nominal.ranks["index"].reindex(units).to_numpy(float)
    ok = ~np.isnan(ranks).any(axis=1)
    if ok.all():
        q = rank_quantiles(ranks, [0.05, 0.5, 0.95])
        mean_rank = ranks.mean(axis=0, dtype=np.float64)
    elif ok.any():
        q = rank_quantiles(ranks[ok], [0.05, 0.5, 0.95])
        mean_rank = ranks[ok].mean(axis=0, dtype=np.float64)
    else:
        q = np.full((3, len(units)), np.nan)
        mean_rank = np.full(len(units), np.nan)
    intervals = pd.DataFrame(
        {
            "unit": units,
            "rank_nominal": nominal_rank,
            "rank_median": q[1],
            "rank_q05": q[0],
            "rank_q95": q[2],
            "rank_mean": mean_rank,
        }
    )
    sob: pd.DataFrame | None = None
    used = 0
    if sensitivity:
        Y = np.full(R, np.nan)
        nom32 = nominal_rank.astype(np.float32)[None, :]
        for c0 in range(0, R, chunk):
            Y[c0 : c0 + chunk] = np.abs(ranks[c0 : c0 + chunk] - nom32).mean(axis=1)
        Y[~ok] = np.nan
        sob, used = sobol_indices(problem, Y, num_resamples=num_resamples, seed=seed)
    timings["summarise_s"] = time.perf_counter() - t3
    design = pd.DataFrame(
        {
            **{
                s: [choice_specs[s][i].method for i in choice[s]] if s in choice_specs else None
                for s in CHOICE_STEPS
            },
            "excluded": excluded,
        }
    ).dropna(axis=1, how="all")
    return MCResult(
        rank_intervals=intervals,
        sobol=sob,
        failures=sorted(failures.items()),
        ranks=ranks,
        scores=scores,
        design=design,
        units=units,
        n=R,
        seconds=time.perf_counter() - t0,
        timings=timings,
        sobol_n_used=used,
    )


def _normalised(
    builder: IndexBuilder,
    nominal: Any,
    specs: dict[str, list[MethodSpec]],
    ki: int,
    kn: int,
    columns: list[str],
) -> tuple[Array | None, str]:
    """The normalised matrix for imputation option ``ki`` and normaliser option ``kn``."""
    try:
        if "impute" in specs:
            spec = specs["impute"][ki]
            x = builder.impute_with(nominal.stages["denominated"], dict.fromkeys(columns, spec))
            x, _ = builder.treat_with(x)
        else:
            x = nominal.stages["treated"]
        if "normalise" in specs:
            x = builder.normalise_with(x, dict.fromkeys(columns, specs["normalise"][kn]))
        else:
            x = (
                nominal.stages["normalised"]
                if "impute" not in specs
                else builder.normalise_with(
                    x,
                    {
                        c: builder.cfg.step_spec("normalise", builder.cfg.indicator(c))
                        for c in columns
                    },
                )
            )
        return x[columns].to_numpy(float), ""
    except (ValueError, TypeError) as exc:
        parts = []
        if "impute" in specs:
            parts.append(f"impute={specs['impute'][ki].method}")
        if "normalise" in specs:
            parts.append(f"normalise={specs['normalise'][kn].method}")
        return None, f"{', '.join(parts)}: {exc}"


def _plan_for(
    plan: list[NodeStep], specs: list[MethodSpec] | None, ka: int, factors: list[Factor]
) -> list[NodeStep]:
    if not specs:
        return plan
    depth = next(
        (f.depth for f in factors if isinstance(f, ChoiceFactor) and f.step == "aggregate"), None
    )
    spec = specs[ka]
    return [
        NodeStep(
            st.node,
            st.slots,
            st.columns,
            st.children,
            spec.method,
            dict(spec.params),
            st.depth,
            st.slot,
        )
        if depth is None or st.depth == depth
        else st
        for st in plan
    ]


def _task(
    X: Array, W: Array, plan: list[NodeStep]
) -> tuple[Array, NDArray[np.float32], dict[int, str]]:
    s, fails, _ = evaluate(X, W, plan)
    return s.astype(np.float32), rank_rows(s), fails


def _run_tasks(
    tasks: list[tuple[NDArray[np.int64], Array, Array, list[NodeStep]]],
    sink: Callable[[NDArray[np.int64], Array, NDArray[np.float32], dict[int, str]], None],
) -> None:
    """Evaluate chunks in threads, or on the Dask cluster at ``DASK_SCHEDULER_ADDRESS``.

    Each chunk's result goes straight to ``sink`` (rows are disjoint), so at most one
    chunk per worker is held beside the result arrays.
    """
    address = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if not address:
        # numpy releases the GIL in sorting and BLAS: threads use every core in-process
        def one(t: tuple[NDArray[np.int64], Array, Array, list[NodeStep]]) -> None:
            sink(t[0], *_task(t[1], t[2], t[3]))

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(one, tasks))
        return
    from dask.distributed import Client, as_completed

    with Client(address) as client:
        futures = {client.submit(_task, X, W, plan, pure=False): sel for sel, X, W, plan in tasks}
        for fut in as_completed(list(futures)):
            sink(futures[fut], *fut.result())
