"""Sparse per-EV linear programme of issue 3's dispatch model, built directly for HiGHS.

:func:`build_lp` writes the LP of one *block* — a set of steps and the EV sessions whose
connection windows lie inside it — as a column-compressed matrix with
numpy/scipy (no modelling layer); :func:`solve_lp` hands it to ``highspy``. The monolithic problem is
the block of all ``T`` steps with every session.

Columns (in this order)::

    ch[n]  dis[nb]  soc[n]  unmet[m]  imp[S]  exp[S]  curt[S]  (bch[S] bdis[S] bsoc[S])  (peak)

``n`` connected session-steps, ``nb`` of them bidirectional, ``m`` sessions, ``S`` steps;
``soc`` is the SoC at the *end* of each connected step (the SoC on arrival is data).
Rows::

    balance[S]   imp − exp − curt − Σch + Σdis + bdis − bch = load − pv
    socdyn[n]    soc_e − soc_{e−1} − η_ch·Δt·ch_e + Δt/η_dis·dis_e = (soc_arrival | 0)
    target[m]    soc_departure + unmet ≥ target
    batdyn[S]    bsoc_t − bsoc_{t−1} − η_ch·Δt·bch_t + Δt/η_dis·bdis_t = (soc_initial | 0)
    peak[S]      imp_t − peak ≤ 0
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from metroscope.energy.dispatch.problem import Problem, soc_floor_kwh, target_soc_kwh

INF = highspy.kHighsInf


@dataclass
class BlockLP:
    """One block's LP in HiGHS's column-wise form plus what is needed to read it back.

    Attributes
    ----------
    steps : numpy.ndarray
        Sorted problem steps of the block (or of several independent blocks), ``[S]``.
    sessions : numpy.ndarray
        Problem session indices in the block, ``[m]``.
    entries : numpy.ndarray
        Problem flat entry indices in the block, ``[n]``, grouped by session.
    bidir : numpy.ndarray
        Positions (into ``entries``) of the entries with a discharge column, ``[nb]``.
    col_cost, col_lower, col_upper, row_lower, row_upper : numpy.ndarray
        LP data.
    matrix : scipy.sparse.csc_matrix
        Constraint matrix.
    offsets : dict[str, int]
        First column of every variable group.
    """

    steps: np.ndarray
    sessions: np.ndarray
    entries: np.ndarray
    bidir: np.ndarray
    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csc_matrix
    offsets: dict[str, int]


def _entries_of(p: Problem, sessions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat entry indices of ``sessions`` (grouped by session) and their local session."""
    lengths = p.duration_steps[sessions]
    local = np.repeat(np.arange(len(sessions)), lengths)
    starts = np.repeat(
        p.offsets[sessions] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths
    )
    return np.arange(int(lengths.sum()), dtype=np.int64) + starts, local


def _csc(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int, n_cols: int
) -> sp.csc_matrix:
    """Column-compressed matrix from (row, col, value) triplets without duplicates."""
    order = np.argsort(cols * n_rows + rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_cols))])
    return sp.csc_matrix(
        (vals[order], rows[order].astype(np.int32), indptr.astype(np.int32)),
        shape=(n_rows, n_cols),
    )


def build_lp(
    p: Problem,
    steps: np.ndarray,
    sessions: np.ndarray,
    *,
    with_battery: bool | None = None,
    with_peak: bool | None = None,
    target_kwh: np.ndarray | None = None,
    floor_kwh: np.ndarray | None = None,
    battery_start_kwh: float | None = None,
    battery_end_min_kwh: float | None = None,
    peak_floor_kw: float = 0.0,
) -> BlockLP:
    """Build the LP of ``steps`` with the EV ``sessions`` connected inside them.

    Parameters
    ----------
    p : Problem
        The whole problem.
    steps : numpy.ndarray
        Sorted steps of the block; any set of steps when neither battery nor peak is
        included (several independent blocks batched into one LP).
    sessions : numpy.ndarray
        Sessions whose connected steps all belong to ``steps``.
    with_battery, with_peak : bool, optional
        Include the stationary battery / the demand-charge peak variable; default: when
        the problem has one. Both couple all steps, so ``steps`` must then be contiguous.
    target_kwh, floor_kwh : numpy.ndarray, optional
        Departure target and lowest SoC of each of ``sessions`` [kWh]; default
        :func:`target_soc_kwh` and :func:`soc_floor_kwh` (a rolling horizon passes the
        original session's values while ``soc_arrival_kwh`` holds the SoC now).
    battery_start_kwh : float, optional
        Battery SoC at ``steps[0]`` [kWh]; default ``battery.soc_initial_kwh``.
    battery_end_min_kwh : float, optional
        Lowest battery SoC at the end [kWh]; default ``battery.soc_initial_kwh``.
    peak_floor_kw : float
        Peak import already reached before ``steps[0]`` [kW] (lower bound of ``peak``).

    Returns
    -------
    BlockLP
    """
    sessions = np.asarray(sessions, dtype=np.int64)
    if with_battery is None:
        with_battery = p.battery is not None
    if with_peak is None:
        with_peak = p.demand_charge_eur_per_kw > 0
    dt = p.dt_h
    steps = np.asarray(steps, dtype=np.int64)
    n_steps = len(steps)
    contiguous = n_steps == 0 or steps[-1] - steps[0] + 1 == n_steps
    if (with_battery or with_peak) and not contiguous:
        raise ValueError("a battery or a demand charge couples steps: pass contiguous steps")
    entries, local = _entries_of(p, sessions)
    n, m = len(entries), len(sessions)
    ent_ses = sessions[local]
    step = np.searchsorted(steps, p.entry_step[entries])
    first = np.zeros(n, dtype=bool)
    if n:
        first[np.concatenate([[0], np.cumsum(p.duration_steps[sessions])[:-1]])] = True
    bidir = np.flatnonzero(p.max_discharge_kw[ent_ses] > 0)
    nb = len(bidir)

    # column offsets
    o_ch, o_dis = 0, n
    o_soc = o_dis + nb
    o_unmet = o_soc + n
    o_imp = o_unmet + m
    o_exp = o_imp + n_steps
    o_curt = o_exp + n_steps
    nxt = o_curt + n_steps
    o_bch = o_bdis = o_bsoc = o_peak = -1
    if with_battery:
        o_bch, o_bdis, o_bsoc = nxt, nxt + n_steps, nxt + 2 * n_steps
        nxt += 3 * n_steps
    if with_peak:
        o_peak = nxt
        nxt += 1
    n_cols = nxt

    # row offsets
    r_bal = 0
    r_soc = n_steps
    r_tgt = r_soc + n
    nrow = r_tgt + m
    r_bat = r_peak = -1
    if with_battery:
        r_bat = nrow
        nrow += n_steps
    if with_peak:
        r_peak = nrow
        nrow += n_steps

    sl = steps
    pv = p.pv_kw[sl]
    cost = np.zeros(n_cols)
    lo = np.zeros(n_cols)
    hi = np.zeros(n_cols)
    hi[o_ch : o_ch + n] = p.max_charge_kw[ent_ses]
    hi[o_dis : o_dis + nb] = p.max_discharge_kw[ent_ses[bidir]]
    cost[o_dis : o_dis + nb] = p.degradation_eur_per_kwh * dt
    floor = soc_floor_kwh(p)[sessions] if floor_kwh is None else np.asarray(floor_kwh, float)
    target = target_soc_kwh(p)[sessions] if target_kwh is None else np.asarray(target_kwh, float)
    lo[o_soc : o_soc + n] = floor[local]
    hi[o_soc : o_soc + n] = p.capacity_kwh[ent_ses]
    hi[o_unmet : o_unmet + m] = INF
    cost[o_unmet : o_unmet + m] = p.unmet_penalty_eur_per_kwh
    cost[o_imp : o_imp + n_steps] = p.price_import_eur_per_kwh[sl] * dt
    hi[o_imp : o_imp + n_steps] = p.import_limit_kw
    cost[o_exp : o_exp + n_steps] = -p.price_export_eur_per_kwh[sl] * dt
    hi[o_exp : o_exp + n_steps] = p.export_limit_kw
    hi[o_curt : o_curt + n_steps] = pv

    rl = np.zeros(nrow)
    ru = np.zeros(nrow)
    rl[r_bal : r_bal + n_steps] = ru[r_bal : r_bal + n_steps] = p.load_kw[sl] - pv
    soc_rhs = np.where(first, p.soc_arrival_kwh[ent_ses], 0.0)
    rl[r_soc : r_soc + n] = ru[r_soc : r_soc + n] = soc_rhs
    rl[r_tgt : r_tgt + m] = target
    ru[r_tgt : r_tgt + m] = INF

    steps_s = np.arange(n_steps)
    ent_n = np.arange(n)
    not_first = np.flatnonzero(~first)
    last = np.concatenate([np.flatnonzero(first)[1:] - 1, [n - 1]]) if n else np.zeros(0, int)
    rows = [
        # balance
        r_bal + steps_s,
        r_bal + steps_s,
        r_bal + steps_s,
        r_bal + step,
        r_bal + step[bidir],
        # soc dynamics
        r_soc + ent_n,
        r_soc + not_first,
        r_soc + ent_n,
        r_soc + bidir,
        # target
        r_tgt + np.arange(m),
        r_tgt + np.arange(m),
    ]
    cols = [
        o_imp + steps_s,
        o_exp + steps_s,
        o_curt + steps_s,
        o_ch + ent_n,
        o_dis + np.arange(nb),
        o_soc + ent_n,
        o_soc + not_first - 1,
        o_ch + ent_n,
        o_dis + np.arange(nb),
        o_soc + last,
        o_unmet + np.arange(m),
    ]
    vals = [
        np.ones(n_steps),
        -np.ones(n_steps),
        -np.ones(n_steps),
        -np.ones(n),
        np.ones(nb),
        np.ones(n),
        -np.ones(len(not_first)),
        -p.eta_ch[ent_ses] * dt,
        dt / p.eta_dis[ent_ses[bidir]],
        np.ones(m),
        np.ones(m),
    ]
    if with_battery:
        b = p.battery
        assert b is not None
        hi[o_bch : o_bch + n_steps] = b.power_kw
        hi[o_bdis : o_bdis + n_steps] = b.power_kw
        cost[o_bdis : o_bdis + n_steps] = p.degradation_eur_per_kwh * dt
        lo[o_bsoc : o_bsoc + n_steps] = b.soc_min_kwh
        hi[o_bsoc : o_bsoc + n_steps] = b.capacity_kwh
        end_min = b.soc_initial_kwh if battery_end_min_kwh is None else battery_end_min_kwh
        lo[o_bsoc + n_steps - 1] = max(b.soc_min_kwh, min(end_min, b.capacity_kwh))
        start_kwh = b.soc_initial_kwh if battery_start_kwh is None else battery_start_kwh
        rl[r_bat] = ru[r_bat] = start_kwh
        rows += [r_bal + steps_s, r_bal + steps_s]
        cols += [o_bdis + steps_s, o_bch + steps_s]
        vals += [np.ones(n_steps), -np.ones(n_steps)]
        rows += [r_bat + steps_s, r_bat + steps_s[1:], r_bat + steps_s, r_bat + steps_s]
        cols += [o_bsoc + steps_s, o_bsoc + steps_s[:-1], o_bch + steps_s, o_bdis + steps_s]
        vals += [
            np.ones(n_steps),
            -np.ones(n_steps - 1),
            np.full(n_steps, -b.eta_ch * dt),
            np.full(n_steps, dt / b.eta_dis),
        ]
    if with_peak:
        cost[o_peak] = p.demand_charge_eur_per_kw
        lo[o_peak] = min(peak_floor_kw, p.import_limit_kw)
        hi[o_peak] = p.import_limit_kw
        rl[r_peak : r_peak + n_steps] = -INF
        rows += [r_peak + steps_s, r_peak + steps_s]
        cols += [o_imp + steps_s, np.full(n_steps, o_peak)]
        vals += [np.ones(n_steps), -np.ones(n_steps)]
    hi = np.where(np.isinf(hi), INF, hi)
    matrix = _csc(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), nrow, n_cols)
    return BlockLP(
        steps=steps,
        sessions=sessions,
        entries=entries,
        bidir=bidir,
        col_cost=cost,
        col_lower=lo,
        col_upper=hi,
        row_lower=rl,
        row_upper=ru,
        matrix=matrix,
        offsets={
            "ch": o_ch,
            "dis": o_dis,
            "soc": o_soc,
            "unmet": o_unmet,
            "imp": o_imp,
            "exp": o_exp,
            "curt": o_curt,
            "bch": o_bch,
            "bdis": o_bdis,
            "bsoc": o_bsoc,
            "peak": o_peak,
        },
    )


def initial_basis(lp: BlockLP) -> highspy.HighsBasis:
    """A primal-feasible starting basis: nothing charged, all demand unmet.

    Every SoC is basic (it equals the arrival SoC, since all charge and discharge columns
    sit at their lower bound 0), every unmet slack is basic (target − arrival ≥ 0), and
    per step one of import/export/curtail is basic and takes the site residual
    ``load − pv``; all equality rows and the target rows are nonbasic. Starting here
    instead of from HiGHS's all-slack basis saves the ~2 pivots per SoC variable that the
    simplex would otherwise spend building the SoC chains, about 7× fewer iterations on the
    fleet-depot blocks.
    """
    status = highspy.HighsBasisStatus
    o = lp.offsets
    n, m, s = len(lp.entries), len(lp.sessions), len(lp.steps)
    n_rows, n_cols = lp.matrix.shape
    cols = np.full(n_cols, status.kLower, dtype=object)
    cols[o["soc"] : o["soc"] + n] = status.kBasic
    cols[o["unmet"] : o["unmet"] + m] = status.kBasic
    residual = lp.row_lower[:s]
    steps = np.arange(s)
    export_fits = -residual <= lp.col_upper[o["exp"] + steps]
    site = np.where(
        residual >= 0, o["imp"] + steps, np.where(export_fits, o["exp"] + steps, o["curt"] + steps)
    )
    cols[site] = status.kBasic
    rows = np.full(n_rows, status.kLower, dtype=object)
    if o["bsoc"] >= 0:
        cols[o["bsoc"] : o["bsoc"] + s] = status.kBasic
    if o["peak"] >= 0:
        rows[n_rows - s :] = status.kBasic
    basis = highspy.HighsBasis()
    basis.col_status = list(cols)
    basis.row_status = list(rows)
    basis.valid = True
    return basis


_INSTANCES: dict[int, highspy.Highs] = {}
# the core class: same solver without highspy's Python callback layer, which prints a
# banner on every construction (and we use no callbacks)
_HIGHS_CLASS = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)


def reset_after_fork() -> None:
    """Make HiGHS usable in a forked child: drop inherited instances and thread scheduler.

    A parent that ran HiGHS with several threads leaves a scheduler whose threads do not
    exist in the child; without a reset, solves there end with status "Not Set".
    """
    _INSTANCES.clear()
    reset = getattr(_HIGHS_CLASS, "resetGlobalScheduler", None)
    if reset is not None:
        reset(True)


def _solver_instance() -> highspy.Highs:
    """One reusable, silent HiGHS instance per process, reset to default options."""
    pid = os.getpid()
    h = _INSTANCES.get(pid)
    if h is None:
        h = _HIGHS_CLASS()
        _INSTANCES.clear()
        _INSTANCES[pid] = h
    else:
        h.clearModel()
        h.resetOptions()
    h.setOptionValue("output_flag", False)
    return h


def solve_lp(
    lp: BlockLP,
    *,
    solver: str = "simplex",
    threads: int = 1,
    warm_basis: bool = True,
    time_limit_s: float | None = None,
    options: dict[str, bool | int | float | str] | None = None,
    _duals_out: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, float]:
    """Solve a block LP with HiGHS and return ``(column values, objective [EUR])``.

    Parameters
    ----------
    lp : BlockLP
        The LP.
    solver : {"simplex", "ipm", "choose", "pdlp"}
        HiGHS ``solver`` option.
    threads : int
        HiGHS threads (1 avoids starting a thread pool for every small block).
    warm_basis : bool
        Start the simplex from :func:`initial_basis` (ignored by other solvers).
    time_limit_s : float, optional
        Stop after this many seconds.
    _duals_out : list, optional
        When given, the column duals (reduced costs) are appended to it.

    Raises
    ------
    ValueError
        When HiGHS does not prove optimality (e.g. a load above the import limit).
    """
    h = _solver_instance()
    h.setOptionValue("solver", solver)
    h.setOptionValue("threads", threads)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    n_rows, n_cols = lp.matrix.shape
    h.passModel(
        n_cols,
        n_rows,
        lp.matrix.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        lp.col_cost,
        lp.col_lower,
        lp.col_upper,
        lp.row_lower,
        lp.row_upper,
        lp.matrix.indptr.astype(np.int32),
        lp.matrix.indices.astype(np.int32),
        lp.matrix.data,
        np.zeros(n_cols, dtype=np.int32),  # all continuous
    )
    if warm_basis and solver == "simplex":
        h.setBasis(initial_basis(lp))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise ValueError(
            f"HiGHS could not solve steps {lp.steps[0]}…{lp.steps[-1]}: {h.modelStatusToString(status)} "
            "(is the building load above import_limit_kw plus PV at some step?)"
        )
    solution = h.getSolution()
    x = np.asarray(solution.col_value)
    if _duals_out is not None:
        _duals_out.append(np.asarray(solution.col_dual))
    return x, float(h.getInfo().objective_function_value)
