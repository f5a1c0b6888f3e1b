"""``optimal``: the perfect-foresight optimum of issue 3's model, exact and fast.

The LP (:mod:`metroscope.energy.dispatch.lp`) couples steps only through EV SoC (within a
session's connection window), the stationary battery and the demand-charge peak. Without
battery and demand charge the horizon therefore splits *exactly* into

* **blocks**: maximal runs of steps covered by overlapping connection windows
  ``[arrival, departure)`` — no variable or constraint links two blocks, so the optimum of
  the whole is the sum of the blocks' optima;
* **free steps** with no EV connected: each is an independent 2-variable LP
  (import, used PV; export follows from the balance) solved in closed form by enumerating
  the vertices of its feasible polygon (:func:`site_closed_form`).

Blocks are batched into a few LPs (one per worker) and solved with HiGHS. With a battery or
a demand charge the monolithic LP is solved (``method="monolithic"``).
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from metroscope.energy.dispatch.lp import BlockLP, build_lp, reset_after_fork, solve_lp
from metroscope.energy.dispatch.peak import minimise_convex_pwl
from metroscope.energy.dispatch.problem import Dispatch, Problem, empty_dispatch, target_soc_kwh

__all__ = ["batch_blocks", "can_fork_workers", "find_blocks", "optimal", "site_closed_form"]


def can_fork_workers() -> bool:
    """Whether worker processes can be forked here (not inside a daemonic process)."""
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


def find_blocks(p: Problem) -> list[tuple[int, int, np.ndarray]]:
    """Independent blocks of a problem without battery or demand charge.

    Returns
    -------
    list of (t0, t1, sessions)
        Steps ``[t0, t1)`` covered by overlapping connection windows and the sessions in
        them; windows that merely touch (one departs at the step another arrives) are in
        different blocks, since they share no step.
    """
    if p.n_sessions == 0:
        return []
    order = np.argsort(p.arrival_step, kind="stable")
    arr = p.arrival_step[order]
    dep = p.departure_step[order]
    reach = np.maximum.accumulate(dep)
    starts = np.flatnonzero(np.concatenate([[True], arr[1:] >= reach[:-1]]))
    ends = np.concatenate([starts[1:], [len(order)]])
    return [
        (int(arr[s]), int(reach[e - 1]), np.sort(order[s:e]))
        for s, e in zip(starts, ends, strict=True)
    ]


def site_closed_form(
    load_kw: np.ndarray,
    pv_kw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    import_limit_kw: float,
    export_limit_kw: float,
    step_numbers: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cheapest import, export and curtailment of steps with no EV connected.

    Per step: minimise ``p_imp·imp − p_exp·exp`` subject to
    ``imp + u − exp = load``, ``0 ≤ imp ≤ I``, ``0 ≤ exp ≤ E``, ``0 ≤ u ≤ pv`` (``u`` = PV
    used, curtail = pv − u). Substituting ``exp`` leaves a 2-variable LP over a polygon
    (box ∩ slab ``load ≤ imp + u ≤ load + E``); its optimum is at one of the 12 pairwise
    intersections of the 6 boundary lines, all evaluated at once.

    Parameters
    ----------
    load_kw, pv_kw : numpy.ndarray
        Building load and available PV [kW].
    price_import, price_export : numpy.ndarray
        Prices [EUR/kWh].
    import_limit_kw, export_limit_kw : float
        Grid limits [kW].
    step_numbers : numpy.ndarray, optional
        Problem step of every entry, for error messages.

    Returns
    -------
    (import_kw, export_kw, curtail_kw)

    Raises
    ------
    ValueError
        When a step is infeasible (load above import limit plus PV).
    """
    big = 1e12
    imp_hi = min(import_limit_kw, big)
    exp_hi = min(export_limit_kw, big)
    zeros = np.zeros_like(load_kw)
    vert = [zeros, zeros + imp_hi]
    hor = [zeros, pv_kw]
    diag = [load_kw, load_kw + exp_hi]  # imp + u = c
    cand_imp, cand_u = [], []
    for a in vert:
        for b in hor:
            cand_imp.append(a)
            cand_u.append(b)
        for c in diag:
            cand_imp.append(a)
            cand_u.append(c - a)
    for b in hor:
        for c in diag:
            cand_imp.append(c - b)
            cand_u.append(b)
    imp = np.stack(cand_imp)
    u = np.stack(cand_u)
    exp = imp + u - load_kw
    scale = 1e-9 * (1.0 + np.abs(load_kw) + pv_kw)
    feasible = (
        (imp >= -scale)
        & (imp <= imp_hi + scale)
        & (u >= -scale)
        & (u <= pv_kw + scale)
        & (exp >= -scale)
        & (exp <= exp_hi + scale)
    )
    bad = np.flatnonzero(~feasible.any(axis=0))
    if bad.size:
        t = int(bad[0])
        step = int(step_numbers[t]) if step_numbers is not None else t
        raise ValueError(
            f"step {step} is infeasible: load {load_kw[t]:.6g} kW exceeds import_limit_kw "
            f"{import_limit_kw:.6g} plus PV {pv_kw[t]:.6g} kW"
        )
    obj = np.where(feasible, price_import * imp - price_export * exp, np.inf)
    k = np.argmin(obj, axis=0)
    cols = np.arange(len(load_kw))
    imp_k = np.clip(imp[k, cols], 0.0, imp_hi)
    u_k = np.clip(u[k, cols], 0.0, pv_kw)
    exp_k = np.clip(imp_k + u_k - load_kw, 0.0, exp_hi)
    # put any rounding residue of the balance on import (or export when importing nothing)
    resid = load_kw - (imp_k + u_k - exp_k)
    imp_k = np.where(imp_k > 0, imp_k + resid, imp_k)
    return imp_k, exp_k, pv_kw - u_k


def _write_solution(p: Problem, lp: BlockLP, x: np.ndarray, d: Dispatch) -> None:
    """Copy an LP solution's powers into the dispatch (clipping solver round-off to bounds).

    SoC is not copied: :func:`recompute_soc` derives it from the powers afterwards.
    """
    x = np.clip(x, lp.col_lower, lp.col_upper)
    o = lp.offsets
    n, nb, s = len(lp.entries), len(lp.bidir), len(lp.steps)
    d.ch_kw[lp.entries] = x[o["ch"] : o["ch"] + n]
    d.dis_kw[lp.entries[lp.bidir]] = x[o["dis"] : o["dis"] + nb]
    d.import_kw[lp.steps] = x[o["imp"] : o["imp"] + s]
    d.export_kw[lp.steps] = x[o["exp"] : o["exp"] + s]
    d.curtail_kw[lp.steps] = x[o["curt"] : o["curt"] + s]
    if o["bch"] >= 0:
        d.battery_ch_kw[:] = x[o["bch"] : o["bch"] + s]
        d.battery_dis_kw[:] = x[o["bdis"] : o["bdis"] + s]


def recompute_soc(p: Problem, d: Dispatch) -> None:
    """Integrate EV and battery SoC from the powers so the dynamics hold to round-off."""
    ses = p.entry_session
    delta = (p.eta_ch[ses] * d.ch_kw - d.dis_kw / p.eta_dis[ses]) * p.dt_h
    csum = np.concatenate([[0.0], np.cumsum(delta)])
    base = np.repeat(csum[p.offsets[:-1]], p.duration_steps)
    d.soc_kwh[p.soc_offsets[:-1]] = p.soc_arrival_kwh
    d.soc_kwh[np.arange(p.n_entries) + ses + 1] = (
        np.repeat(p.soc_arrival_kwh, p.duration_steps) + csum[1:] - base
    )
    if p.battery is not None:
        b = p.battery
        delta_b = (b.eta_ch * d.battery_ch_kw - d.battery_dis_kw / b.eta_dis) * p.dt_h
        d.battery_soc_kwh[0] = b.soc_initial_kwh
        d.battery_soc_kwh[1:] = b.soc_initial_kwh + np.cumsum(delta_b)


_SHARED: dict[str, object] = {}


Unit = tuple[np.ndarray, np.ndarray]
"""Steps and sessions of one LP: a block, or several consecutive small blocks batched."""


def batch_blocks(
    p: Problem, blocks: list[tuple[int, int, np.ndarray]], min_entries: int = 300
) -> list[Unit]:
    """Group consecutive blocks into LPs of at least ``min_entries`` session-steps.

    Independent blocks stay independent inside one LP (no shared row or column), so the
    optimum is unchanged; batching only saves the fixed cost of a solver call when blocks
    are tiny (a single charger: ~700 blocks of one session a year). Blocks already above
    the threshold stay alone: the simplex slows down faster than linearly with LP size.
    """
    units: list[Unit] = []
    steps: list[np.ndarray] = []
    sessions: list[np.ndarray] = []
    size = 0
    for t0, t1, ses in blocks:
        steps.append(np.arange(t0, t1))
        sessions.append(ses)
        size += int(p.duration_steps[ses].sum())
        if size >= min_entries:
            units.append((np.concatenate(steps), np.concatenate(sessions)))
            steps, sessions, size = [], [], 0
    if steps:
        units.append((np.concatenate(steps), np.concatenate(sessions)))
    return units


def _solve_units(
    p: Problem,
    units: list[Unit],
    options: dict[str, object],
    progress: Callable[[float], None] | None = None,
    slope: bool = False,
) -> tuple[Dispatch, float, float]:
    """Solve units one LP each: a dispatch holding their powers, their objective, and
    (with ``slope``) a subgradient of that objective in ``import_limit_kw`` [EUR/kW].

    The subgradient is ``Σ min(d_j, 0)`` over the import columns' reduced costs ``d_j``: the
    optimal dual solution stays feasible when the import bound moves, and the dual objective
    moves by that amount per kW (LP duality, so it is a valid lower cut everywhere).
    """
    d = empty_dispatch(p)
    objective = 0.0
    grad = 0.0
    for i, (steps, sessions) in enumerate(units):
        lp = build_lp(p, steps, sessions)
        duals: list[np.ndarray] | None = [] if slope else None
        x, obj = solve_lp(lp, **options, _duals_out=duals)  # type: ignore[arg-type]
        _write_solution(p, lp, x, d)
        objective += obj
        if duals:
            o = lp.offsets["imp"]
            grad += float(np.minimum(duals[0][o : o + len(lp.steps)], 0.0).sum())
        if progress is not None and i % 25 == 0:
            progress(i / len(units))
    return d, objective, grad


def _init_worker() -> None:
    reset_after_fork()


def _worker(indices: list[int]) -> tuple[dict[str, np.ndarray], float, float]:
    p = _SHARED["problem"]
    units = _SHARED["units"]
    assert isinstance(p, Problem) and isinstance(units, list)
    d, obj, grad = _solve_units(
        p,
        [units[i] for i in indices],
        _SHARED["options"],  # type: ignore[arg-type]
        slope=bool(_SHARED["slope"]),
    )
    steps = np.concatenate([units[i][0] for i in indices])
    ent = np.concatenate(
        [np.arange(p.offsets[v], p.offsets[v + 1]) for i in indices for v in units[i][1]]
    )
    return (
        {
            "steps": steps,
            "entries": ent,
            "ch": d.ch_kw[ent],
            "dis": d.dis_kw[ent],
            "imp": d.import_kw[steps],
            "exp": d.export_kw[steps],
            "curt": d.curtail_kw[steps],
        },
        obj,
        grad,
    )


def _balanced_groups(sizes: np.ndarray, n_groups: int) -> list[list[int]]:
    """Split items into ``n_groups`` groups of similar total size (greedy, largest first)."""
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    load = np.zeros(n_groups)
    for i in np.argsort(-sizes, kind="stable"):
        g = int(np.argmin(load))
        groups[g].append(int(i))
        load[g] += sizes[i]
    return [sorted(g) for g in groups if g]


def _solve_parallel(
    p: Problem, units: list[Unit], options: dict[str, object], workers: int, slope: bool
) -> tuple[Dispatch, float, float]:
    """Solve units in ``workers`` forked processes (the problem is inherited, not pickled)."""
    sizes = np.array([p.duration_steps[s].sum() for _, s in units], dtype=float)
    groups = _balanced_groups(sizes, workers)
    _SHARED.update(problem=p, units=units, options=options, slope=slope)
    try:
        ctx = mp.get_context("fork")
        with ProcessPoolExecutor(len(groups), mp_context=ctx, initializer=_init_worker) as pool:
            results = list(pool.map(_worker, groups))
    finally:
        _SHARED.clear()
    d = empty_dispatch(p)
    objective = grad = 0.0
    for part, obj, g in results:
        grad += g
        d.ch_kw[part["entries"]] = part["ch"]
        d.dis_kw[part["entries"]] = part["dis"]
        d.import_kw[part["steps"]] = part["imp"]
        d.export_kw[part["steps"]] = part["exp"]
        d.curtail_kw[part["steps"]] = part["curt"]
        objective += obj
    return d, objective, grad


def _decomposed(
    p: Problem,
    options: dict[str, object],
    workers: int | None,
    progress: Callable[[float], None] | None = None,
    slope: bool = False,
) -> tuple[Dispatch, float, float]:
    """Blocks by LP, free steps in closed form: dispatch (powers only), objective, slope.

    ``slope`` asks for a subgradient of the objective in ``import_limit_kw`` (free steps
    add nothing: with import prices ≥ 0 and export prices ≤ import prices their import is
    ``max(0, load − pv)`` whatever the limit above it).
    """
    d = empty_dispatch(p)
    objective = 0.0
    grad = 0.0
    blocks = find_blocks(p)
    covered = np.zeros(p.n_steps, dtype=bool)
    for t0, t1, _ in blocks:
        covered[t0:t1] = True
    free = np.flatnonzero(~covered)
    imp, exp, curt = site_closed_form(
        p.load_kw[free],
        p.pv_kw[free],
        p.price_import_eur_per_kwh[free],
        p.price_export_eur_per_kwh[free],
        p.import_limit_kw,
        p.export_limit_kw,
        step_numbers=free,
    )
    d.import_kw[free], d.export_kw[free], d.curtail_kw[free] = imp, exp, curt
    objective += (
        float(
            np.dot(p.price_import_eur_per_kwh[free], imp)
            - np.dot(p.price_export_eur_per_kwh[free], exp)
        )
        * p.dt_h
    )
    n_lps = 0
    if blocks:
        if workers is None:
            big = p.n_entries > 20_000 and can_fork_workers()
            workers = min(2, os.cpu_count() or 1) if big else 1
        units = batch_blocks(p, blocks)
        n_lps = len(units)
        if workers > 1 and len(units) > 1 and can_fork_workers():
            part, obj, grad = _solve_parallel(p, units, options, workers, slope)
        else:
            part, obj, grad = _solve_units(p, units, options, progress, slope)
        covered_idx = np.flatnonzero(covered)
        for name in ("import_kw", "export_kw", "curtail_kw"):
            getattr(d, name)[covered_idx] = getattr(part, name)[covered_idx]
        d.ch_kw, d.dis_kw = part.ch_kw, part.dis_kw
        objective += obj
    d.info.update(
        method="decomposed",
        blocks=len(blocks),
        lps=n_lps,
        free_steps=int(free.size),
    )
    return d, objective, grad


METHODS = ("auto", "decomposed", "peak_search", "monolithic")


def _peak_search_applies(p: Problem) -> bool:
    """Free steps ignore the import limit only without negative or arbitrage prices."""
    return bool(
        np.all(p.price_import_eur_per_kwh >= 0)
        and np.all(p.price_export_eur_per_kwh <= p.price_import_eur_per_kwh)
    )


def _peak_search(
    p: Problem, options: dict[str, object], workers: int | None
) -> tuple[Dispatch, float, int]:
    """Exact optimum with a demand charge: search the peak over decomposed solves.

    A block whose solution without the peak constraint imports at most ``P`` is still
    optimal under the limit ``P`` (its solution stays feasible, its feasible set only
    shrank) and its slope in ``P`` is 0 there: each evaluation re-solves only the blocks
    whose own unconstrained peak exceeds ``P``, the others keep their cost.
    """
    charge = p.demand_charge_eur_per_kw
    base = dataclasses.replace(p, demand_charge_eur_per_kw=0.0)
    first = _decomposed(base, options, workers, slope=True)  # raises if infeasible
    d0 = first[0]
    recompute_soc(base, d0)
    d0.unmet_kwh = np.maximum(0.0, target_soc_kwh(base) - d0.soc_kwh[p.soc_offsets[1:] - 1])
    step_cost = (
        p.price_import_eur_per_kwh * d0.import_kw - p.price_export_eur_per_kwh * d0.export_kw
    ) * p.dt_h
    session_cost = (
        p.degradation_eur_per_kwh
        * np.bincount(p.entry_session, weights=d0.dis_kw, minlength=p.n_sessions)
        * p.dt_h
        + p.unmet_penalty_eur_per_kwh * d0.unmet_kwh
    )
    blocks = find_blocks(p)
    covered = np.zeros(p.n_steps, dtype=bool)
    unit_cost, unit_peak = [], []
    for t0, t1, ses in blocks:
        covered[t0:t1] = True
        unit_cost.append(float(step_cost[t0:t1].sum() + session_cost[ses].sum()))
        unit_peak.append(float(d0.import_kw[t0:t1].max()))
    peaks = np.array(unit_peak)
    costs = np.array(unit_cost)
    free_cost = float(step_cost[~covered].sum())
    free_need = float(np.max((p.load_kw - p.pv_kw)[~covered], initial=0.0))
    reached = float(np.max(d0.import_kw, initial=0.0))

    def evaluate(peak_kw: float) -> tuple[float, float, None] | None:
        redo = np.flatnonzero(peaks > peak_kw * (1 + 1e-12) + 1e-9)
        if redo.size == 0:
            return charge * peak_kw + free_cost + float(costs.sum()), charge, None
        keep_steps = np.zeros(p.n_steps, dtype=bool)
        for i in redo:
            keep_steps[blocks[i][0] : blocks[i][1]] = True
        sessions = np.sort(np.concatenate([blocks[i][2] for i in redo]))
        q = _subproblem(base, sessions, keep_steps, peak_kw)
        try:
            _, objective, grad = _decomposed(q, options, workers, slope=True)
        except ValueError:
            return None  # some step cannot be served under this peak
        rest = free_cost + float(costs.sum() - costs[redo].sum())
        return charge * peak_kw + objective + rest, charge + grad, None

    result = minimise_convex_pwl(evaluate, min(free_need, reached), reached)
    final = dataclasses.replace(base, import_limit_kw=result.peak_kw)
    d, objective, _ = _decomposed(final, options, workers)
    d.info.update(
        method="peak_search",
        peak_kw=result.peak_kw,
        peak_lower_bound_eur=result.lower_bound,
    )
    return d, charge * result.peak_kw + objective, result.evaluations + 2


def _subproblem(
    p: Problem, sessions: np.ndarray, keep_steps: np.ndarray, limit_kw: float
) -> Problem:
    """``p`` with only ``sessions``, import limit ``limit_kw``, and no load or PV outside
    ``keep_steps`` (those steps then cost nothing and constrain nothing)."""
    fields = {
        name: getattr(p, name)[sessions]
        for name in (
            "arrival_step",
            "departure_step",
            "capacity_kwh",
            "soc_arrival_kwh",
            "energy_requested_kwh",
            "min_soc_kwh",
            "max_charge_kw",
            "max_discharge_kw",
            "eta_ch",
            "eta_dis",
        )
    }
    return dataclasses.replace(
        p,
        import_limit_kw=limit_kw,
        load_kw=np.where(keep_steps, p.load_kw, 0.0),
        pv_kw=np.where(keep_steps, p.pv_kw, 0.0),
        **fields,
    )


def optimal(
    problem: Problem,
    *,
    method: str = "auto",
    workers: int | None = None,
    solver: str = "simplex",
    progress: Callable[[float], None] | None = None,
) -> Dispatch:
    """Perfect-foresight optimal dispatch (exact LP optimum, HiGHS).

    Parameters
    ----------
    problem : Problem
        The problem.
    method : {"auto", "decomposed", "peak_search", "monolithic"}
        ``auto`` decomposes when no battery and no demand charge couple the steps, searches
        the optimal peak over decomposed solves with a demand charge and no battery
        (:mod:`~metroscope.energy.dispatch.peak`), and solves one LP otherwise.
    workers : int, optional
        Processes for the decomposed solve; default ``min(2, cpu count)`` for problems
        with more than 20,000 connected session-steps, else 1.
    solver : str
        HiGHS solver (``simplex``, ``ipm``, ``choose``).
    progress : callable, optional
        Called with the fraction done.

    Returns
    -------
    Dispatch
        With ``objective_eur`` = cost + unmet penalty and ``info`` holding the method,
        the number of blocks and LP columns.
    """
    p = problem
    start = time.perf_counter()
    coupled = p.battery is not None or p.demand_charge_eur_per_kw > 0
    peak_ok = p.battery is None and p.demand_charge_eur_per_kw > 0 and _peak_search_applies(p)
    if method == "auto":
        method = "peak_search" if peak_ok else "monolithic" if coupled else "decomposed"
    if method not in METHODS:
        raise ValueError(f"optimal: method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "decomposed" and coupled:
        raise ValueError("optimal: a battery or a demand charge couples all steps; use monolithic")
    if method == "peak_search" and not peak_ok:
        raise ValueError(
            "optimal: peak_search needs a demand charge, no battery, import prices >= 0 and "
            "export prices <= import prices"
        )
    options: dict[str, object] = {"solver": solver}
    if solver == "simplex":
        # from the warm basis, primal simplex is fastest on independent blocks (~25 % less
        # time than dual) and dual on the coupled whole-period LP (4x less than primal)
        options["options"] = {"simplex_strategy": 1 if method == "monolithic" else 4}
    if method == "monolithic":
        d = empty_dispatch(p)
        lp = build_lp(p, np.arange(p.n_steps), np.arange(p.n_sessions))
        x, objective = solve_lp(lp, **options)  # type: ignore[arg-type]
        _write_solution(p, lp, x, d)
        d.info.update(method="monolithic", blocks=1, lp_columns=lp.matrix.shape[1])
    elif method == "peak_search":
        d, objective, evaluations = _peak_search(p, options, workers)
        d.info["peak_evaluations"] = evaluations
    else:
        d, objective, _ = _decomposed(p, options, workers, progress)
    recompute_soc(p, d)
    dep_soc = d.soc_kwh[p.soc_offsets[1:] - 1]
    d.unmet_kwh = np.maximum(0.0, target_soc_kwh(p) - dep_soc)
    d.objective_eur = objective
    d.solve_seconds = time.perf_counter() - start
    if progress is not None:
        progress(1.0)
    return d
