"""Rule-based strategies: ``uncontrolled`` and ``pv_surplus``.

Both step through time once (the only coupling is each vehicle's SoC), with numpy vector
operations over the few vehicles connected at each step. Connected sessions are packed into
*slots* (interval colouring, :func:`connection_slots`): every per-session quantity is laid
out as a ``[T, K]`` table, so a step reads one contiguous row instead of gathering
sessions, and results are scattered back to the flat per-session layout once at the end.
Steps with no vehicle connected (and no battery) are settled in one vectorised pass.

``uncontrolled``
    Every vehicle charges at full power from arrival until it reaches its target. When the
    grid import limit would be exceeded, all charging powers of that step are scaled down
    by the same factor. A stationary battery stays idle.

``pv_surplus``
    Each vehicle first gets the power it *must* take now to still reach its target by
    departure charging at full power afterwards (latest-start top-up), then a share of the
    PV surplus. A V2G vehicle supplies the building's remaining deficit when the current
    import price, after round-trip losses and degradation, beats the cheapest price left in
    its connection window — and only down to the SoC from which it can still reach its
    target at full power. A stationary battery stores PV surplus and covers deficits,
    cycling between its initial SoC and its capacity (so it ends the period at least as
    full).

Whatever the rule decides is clipped to issue 3's bounds, so every dispatch satisfies the
model (:func:`~metroscope.energy.dispatch.problem.check_dispatch`); energy that cannot be
delivered is reported as unmet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from metroscope.energy.dispatch.problem import (
    Dispatch,
    Problem,
    empty_dispatch,
    soc_floor_kwh,
    target_soc_kwh,
)

__all__ = ["connection_slots", "pv_surplus", "uncontrolled"]

_EPS = 1e-12
_sum = np.add.reduce  # ndarray.sum without its Python wrapper (hot loops)
Progress = Callable[[float], None] | None


def connection_slots(p: Problem) -> np.ndarray:
    """Pack sessions into slots: ``[K, T]`` session index per slot and step, -1 when free.

    ``K`` is the largest number of sessions connected at the same step.
    """
    return _slot_layout(p)[1].T.copy()


def _slot_layout(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``slot_of[V]`` and the ``[T, K]`` session table of :func:`connection_slots`."""
    free_at: list[int] = []
    slot_of = np.empty(p.n_sessions, dtype=np.int64)
    for v in np.argsort(p.arrival_step, kind="stable"):
        a = int(p.arrival_step[v])
        k = next((i for i, f in enumerate(free_at) if f <= a), len(free_at))
        if k == len(free_at):
            free_at.append(0)
        free_at[k] = int(p.departure_step[v])
        slot_of[v] = k
    table = np.full((p.n_steps, max(len(free_at), 1)), -1, dtype=np.int64)
    if p.n_sessions:
        table[p.entry_step, slot_of[p.entry_session]] = p.entry_session
    return slot_of, table


@dataclass
class _Slots:
    """Per-session data laid out ``[T, K]`` (zeros where a slot is free)."""

    p: Problem
    slot_of: np.ndarray  # [V]
    session: np.ndarray  # [T, K]
    active: np.ndarray  # [T, K] bool
    arrives: np.ndarray  # [T, K] bool: a session starts in this slot at this step
    pmax: np.ndarray
    pdis: np.ndarray
    eta_ch: np.ndarray
    eta_dis: np.ndarray
    target: np.ndarray
    floor: np.ndarray
    soc_arrival: np.ndarray
    steps_left: np.ndarray  # connected steps after this one

    @classmethod
    def build(cls, p: Problem) -> _Slots:
        slot_of, session = _slot_layout(p)
        active = session >= 0
        v = np.where(active, session, 0)

        def table(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
            if p.n_sessions == 0:
                return np.full(session.shape, fill)
            return np.where(active, values[v], fill)

        t = np.arange(p.n_steps)[:, None]
        arrives = active & (t == table(p.arrival_step.astype(float), -1.0))
        return cls(
            p=p,
            slot_of=slot_of,
            session=session,
            active=active,
            arrives=arrives,
            pmax=table(p.max_charge_kw),
            pdis=table(p.max_discharge_kw),
            eta_ch=table(p.eta_ch, 1.0),
            eta_dis=table(p.eta_dis, 1.0),
            target=table(target_soc_kwh(p)),
            floor=table(soc_floor_kwh(p)),
            soc_arrival=table(p.soc_arrival_kwh),
            steps_left=np.where(active, table(p.departure_step.astype(float)) - t - 1, 0.0),
        )

    def visit(self) -> np.ndarray:
        """Steps a rule must step through (all of them when a battery is present)."""
        if self.p.battery is not None:
            return np.arange(self.p.n_steps)
        return np.flatnonzero(self.active.any(axis=1))

    def to_dispatch(
        self,
        d: Dispatch,
        ch: np.ndarray,
        dis: np.ndarray,
        soc_start: np.ndarray,
        soc_end: np.ndarray,
    ) -> None:
        """Scatter ``[T, K]`` results into ``d``'s flat per-session arrays and unmet energy."""
        p = self.p
        if p.n_sessions == 0:
            return
        k = self.slot_of[p.entry_session]
        d.ch_kw[:] = ch[p.entry_step, k]
        d.dis_kw[:] = dis[p.entry_step, k]
        d.soc_kwh[np.arange(p.n_entries) + p.entry_session] = soc_start[p.entry_step, k]
        dep_soc = soc_end[p.departure_step - 1, self.slot_of]
        d.soc_kwh[p.soc_offsets[1:] - 1] = dep_soc
        d.unmet_kwh = _unmet(p, dep_soc)


def _unmet(p: Problem, dep_soc: np.ndarray) -> np.ndarray:
    """Target minus departure SoC, >= 0; rounding noise below 1e-9 kWh counts as met."""
    unmet = np.maximum(0.0, target_soc_kwh(p) - dep_soc)
    return np.where(unmet < 1e-9, 0.0, unmet)


def _settle(p: Problem, d: Dispatch, steps: np.ndarray | int, net_kw: np.ndarray | float) -> None:
    """Split the site's net demand into import, or export and curtailment (vectorised)."""
    net = np.asarray(net_kw, dtype=float)
    surplus = np.maximum(-net, 0.0)
    d.import_kw[steps] = np.maximum(net, 0.0)
    export = np.minimum(surplus, p.export_limit_kw)
    d.export_kw[steps] = export
    d.curtail_kw[steps] = np.minimum(surplus - export, p.pv_kw[steps])


def _fit_import(room_kw: float, ch: np.ndarray) -> np.ndarray:
    """Scale EV charging down so that it fits in ``room_kw`` of grid import."""
    total = float(_sum(ch))
    if total > room_kw + _EPS and total > 0:
        return ch * (max(room_kw, 0.0) / total)
    return ch


def _report(progress: Progress, i: int, n: int) -> None:
    if progress is not None and i % max(n // 20, 1) == 0:
        progress(i / max(n, 1))


def _uncontrolled_direct(p: Problem, d: Dispatch) -> bool:
    """Closed-form ``uncontrolled`` when the import limit never binds; False if it would."""
    if p.n_sessions == 0:
        _settle(p, d, np.arange(p.n_steps), p.load_kw - p.pv_kw)
        return True
    ses, stp = p.entry_session, p.entry_step
    need = target_soc_kwh(p) - p.soc_arrival_kwh
    full = (p.eta_ch * p.max_charge_kw * p.dt_h)[ses]  # SoC one full-power step adds
    before = (stp - p.arrival_step[ses]) * full  # SoC added before this step at full power
    ch = np.clip((need[ses] - before) / (p.eta_ch[ses] * p.dt_h), 0.0, p.max_charge_kw[ses])
    net = p.load_kw - p.pv_kw + p.per_step_sum(ch)
    if np.any(net > p.import_limit_kw + 1e-9):
        return False
    d.ch_kw[:] = ch
    gain = np.concatenate([[0.0], np.cumsum(p.eta_ch[ses] * ch * p.dt_h)])
    # SoC at the start of each step and at departure: arrival SoC + energy added so far
    soc_index = np.arange(p.n_entries + p.n_sessions)
    soc_session = np.repeat(np.arange(p.n_sessions), p.duration_steps + 1)
    added = gain[soc_index - soc_session] - gain[p.offsets[soc_session]]
    d.soc_kwh[:] = p.soc_arrival_kwh[soc_session] + added
    d.unmet_kwh = _unmet(p, d.soc_kwh[p.soc_offsets[1:] - 1])
    _settle(p, d, np.arange(p.n_steps), net)
    return True


def uncontrolled(problem: Problem, *, progress: Progress = None) -> Dispatch:
    """Full power from arrival until the target is reached (see the module docstring)."""
    started = time.perf_counter()
    p = problem
    d = empty_dispatch(p)
    if _uncontrolled_direct(p, d):
        d.solve_seconds = time.perf_counter() - started
        return d
    s = _Slots.build(p)
    t_steps, k_slots = s.active.shape
    ch_all = np.zeros((t_steps, k_slots))
    soc_start = np.zeros((t_steps, k_slots))
    soc_end = np.zeros((t_steps, k_slots))
    base = p.load_kw - p.pv_kw
    visit = s.visit()
    has_arrival: list[bool] = np.asarray(s.arrives.any(axis=1), dtype=bool).tolist()
    soc = np.zeros(k_slots)
    inv_step = 1.0 / (s.eta_ch * p.dt_h)
    room = (p.import_limit_kw - base).tolist()
    for i, t in enumerate(visit.tolist()):
        if has_arrival[t]:
            arrives = s.arrives[t]
            soc[arrives] = s.soc_arrival[t, arrives]
        soc_start[t] = soc
        ch = np.minimum(s.pmax[t], np.maximum(s.target[t] - soc, 0.0) * inv_step[t])
        ch = _fit_import(room[t], ch)
        soc = soc + s.eta_ch[t] * ch * p.dt_h
        soc_end[t] = soc
        ch_all[t] = ch
        _report(progress, i, len(visit))
    _settle(p, d, np.arange(t_steps), base + ch_all.sum(axis=1))
    s.to_dispatch(d, ch_all, np.zeros_like(ch_all), soc_start, soc_end)
    d.solve_seconds = time.perf_counter() - started
    return d


def _later_min_price(p: Problem, s: _Slots) -> np.ndarray:
    """``[T, K]``: the lowest import price over the session's *later* steps (inf at the end)."""
    out = np.full(s.active.shape, np.inf)
    price = p.price_import_eur_per_kwh
    for v in range(p.n_sessions):
        a, b = int(p.arrival_step[v]), int(p.departure_step[v])
        window = price[a + 1 : b]
        if window.size:
            out[a : b - 1, s.slot_of[v]] = np.minimum.accumulate(window[::-1])[::-1]
    return out


def pv_surplus(problem: Problem, *, v2g: bool = True, progress: Progress = None) -> Dispatch:
    """Charge from PV surplus, top up late enough; V2G at high prices (module docstring).

    Parameters
    ----------
    problem : Problem
        The problem.
    v2g : bool
        Let bidirectional vehicles supply the building.
    progress : callable, optional
        Called with the fraction done.
    """
    started = time.perf_counter()
    p = problem
    d = empty_dispatch(p)
    s = _Slots.build(p)
    dt = p.dt_h
    t_steps, k_slots = s.active.shape
    ch_all = np.zeros((t_steps, k_slots))
    dis_all = np.zeros((t_steps, k_slots))
    soc_start = np.zeros((t_steps, k_slots))
    soc_end = np.zeros((t_steps, k_slots))
    # V2G may discharge at step t when the price now, after round-trip losses and wear,
    # beats buying the energy back later in the same connection window.
    if v2g:
        gain = p.price_import_eur_per_kwh[:, None] * s.eta_ch * s.eta_dis
        may_discharge = (s.pdis > 0) & (gain - p.degradation_eur_per_kwh > _later_min_price(p, s))
    else:
        may_discharge = np.zeros_like(s.active)
    full_step = s.eta_ch * s.pmax * dt  # SoC one full-power step adds [kWh]
    reach = full_step * s.steps_left  # SoC the remaining steps can add [kWh]
    inv_step = 1.0 / (s.eta_ch * dt)
    surplus_all = p.pv_kw - p.load_kw
    visit = s.visit()
    net_all = -surplus_all.copy()  # idle steps: the building alone
    has_arrival: list[bool] = np.asarray(s.arrives.any(axis=1), dtype=bool).tolist()
    can_discharge: list[bool] = np.asarray(may_discharge.any(axis=1), dtype=bool).tolist()
    b = p.battery
    bat_soc = b.soc_initial_kwh if b is not None else 0.0
    soc = np.zeros(k_slots)
    zeros = np.zeros(k_slots)
    for i, t in enumerate(visit.tolist()):
        if has_arrival[t]:
            arrives = s.arrives[t]
            soc[arrives] = s.soc_arrival[t, arrives]
        soc_start[t] = soc
        surplus = float(surplus_all[t])
        need = np.maximum(s.target[t] - soc, 0.0)
        upper = np.minimum(s.pmax[t], need * inv_step[t])
        must = np.minimum(np.maximum((need - reach[t]) * inv_step[t], 0.0), upper)
        ch, dis = must, zeros
        spare = surplus - float(_sum(must))
        if spare > 0:
            head = upper - must
            total = float(_sum(head))
            if total > 0:
                ch = must + head * min(1.0, spare / total)
        elif spare < 0 and can_discharge[t]:
            lowest = np.maximum(s.floor[t], s.target[t] - reach[t])
            avail = np.minimum(s.pdis[t], np.maximum(soc - lowest, 0.0) * s.eta_dis[t] / dt)
            avail = np.where(may_discharge[t] & (must <= 0), avail, 0.0)
            total = float(_sum(avail))
            if total > 0:
                dis = avail * min(1.0, -spare / total)
        dis_sum = float(_sum(dis))
        ch = _fit_import(p.import_limit_kw + surplus + dis_sum, ch)
        residual = surplus - float(_sum(ch)) + dis_sum
        bat_ch = bat_dis = 0.0
        if b is not None:
            # store surplus, cover deficits, never below the initial SoC (so it ends there)
            if residual > 0:
                room = (b.capacity_kwh - bat_soc) / (b.eta_ch * dt)
                bat_ch = max(min(b.power_kw, room, residual), 0.0)
            elif residual < 0:
                lowest_bat = max(b.soc_min_kwh, b.soc_initial_kwh)
                bat_dis = max(
                    min(b.power_kw, -residual, (bat_soc - lowest_bat) * b.eta_dis / dt), 0.0
                )
            bat_soc += (b.eta_ch * bat_ch - bat_dis / b.eta_dis) * dt
            d.battery_ch_kw[t] = bat_ch
            d.battery_dis_kw[t] = bat_dis
            d.battery_soc_kwh[t + 1] = bat_soc
        soc = soc + (s.eta_ch[t] * ch - dis / s.eta_dis[t]) * dt
        soc_end[t] = soc
        ch_all[t] = ch
        dis_all[t] = dis
        net_all[t] = -(residual - bat_ch + bat_dis)
        _report(progress, i, len(visit))
    _settle(p, d, np.arange(t_steps), net_all)
    s.to_dispatch(d, ch_all, dis_all, soc_start, soc_end)
    d.solve_seconds = time.perf_counter() - started
    return d
