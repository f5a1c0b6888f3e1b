"""Rule-based strategies: ``uncontrolled`` and ``pv_surplus``.

Both step through time once (the only coupling is each vehicle's SoC), with numpy vector
operations over the few vehicles connected at each step. Connected sessions are packed into
"slots" (interval colouring) so a step reads its vehicles from a ``[slots, T]`` table.

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
    target at full power. A stationary battery stores PV surplus and covers deficits, cycling
    between its initial SoC and its capacity (so it ends the period at least as full).

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


def connection_slots(p: Problem) -> np.ndarray:
    """Pack sessions into slots: ``[K, T]`` session index per slot and step, -1 when free.

    ``K`` is the largest number of sessions connected at the same step.
    """
    free_at: list[int] = []
    slot_of = np.empty(p.n_sessions, dtype=np.int64)
    for v in np.argsort(p.arrival_step, kind="stable"):
        a = int(p.arrival_step[v])
        k = next((i for i, f in enumerate(free_at) if f <= a), len(free_at))
        if k == len(free_at):
            free_at.append(0)
        free_at[k] = int(p.departure_step[v])
        slot_of[v] = k
    table = np.full((max(len(free_at), 1), p.n_steps), -1, dtype=np.int64)
    for v in range(p.n_sessions):
        table[slot_of[v], p.arrival_step[v] : p.departure_step[v]] = v
    return table


@dataclass
class _State:
    """Running state of a rule strategy."""

    p: Problem
    d: Dispatch
    soc: np.ndarray  # current SoC per session [kWh]
    target: np.ndarray
    floor: np.ndarray
    slots: np.ndarray

    @classmethod
    def start(cls, p: Problem) -> _State:
        d = empty_dispatch(p)
        return cls(
            p,
            d,
            p.soc_arrival_kwh.astype(float).copy(),
            target_soc_kwh(p),
            soc_floor_kwh(p),
            connection_slots(p),
        )

    def active(self, t: int) -> np.ndarray:
        vs = self.slots[:, t]
        return vs[vs >= 0]

    def write(self, t: int, vs: np.ndarray, ch: np.ndarray, dis: np.ndarray) -> None:
        """Record EV powers at step ``t`` and advance their SoC."""
        p = self.p
        entry = p.offsets[vs] + (t - p.arrival_step[vs])
        self.d.ch_kw[entry] = ch
        self.d.dis_kw[entry] = dis
        self.soc[vs] = self.soc[vs] + (p.eta_ch[vs] * ch - dis / p.eta_dis[vs]) * p.dt_h
        self.d.soc_kwh[p.soc_offsets[vs] + (t + 1 - p.arrival_step[vs])] = self.soc[vs]

    def finish(self, started: float) -> Dispatch:
        d, p = self.d, self.p
        dep_soc = d.soc_kwh[p.soc_offsets[1:] - 1] if p.n_sessions else np.zeros(0)
        d.unmet_kwh = np.maximum(0.0, self.target - dep_soc)
        d.solve_seconds = time.perf_counter() - started
        return d


def _settle_grid(p: Problem, d: Dispatch, t: int, net_kw: float) -> None:
    """Split the site's net demand of step ``t`` into import, or export and curtailment."""
    if net_kw >= 0:
        d.import_kw[t] = net_kw
    else:
        surplus = -net_kw
        d.export_kw[t] = min(surplus, p.export_limit_kw)
        d.curtail_kw[t] = min(surplus - d.export_kw[t], p.pv_kw[t])


def _settle_idle(p: Problem, d: Dispatch, steps: np.ndarray) -> None:
    """Vectorised :func:`_settle_grid` for steps with no vehicle and no battery action."""
    net = p.load_kw[steps] - p.pv_kw[steps]
    surplus = np.maximum(-net, 0.0)
    d.import_kw[steps] = np.maximum(net, 0.0)
    d.export_kw[steps] = np.minimum(surplus, p.export_limit_kw)
    d.curtail_kw[steps] = np.minimum(surplus - d.export_kw[steps], p.pv_kw[steps])


def _steps_to_visit(p: Problem, slots: np.ndarray) -> np.ndarray:
    """Steps the rule must step through; the others are settled at once by :func:`_settle_idle`."""
    if p.battery is not None:
        return np.arange(p.n_steps)
    return np.flatnonzero(slots.max(axis=0) >= 0)


def _fit_import(p: Problem, t: int, base_kw: float, ch: np.ndarray) -> np.ndarray:
    """Scale EV charging so that import stays within the limit (``base`` = rest of demand)."""
    total = float(ch.sum())
    room = p.import_limit_kw - base_kw
    if total > room + _EPS and total > 0:
        ch = ch * max(room, 0.0) / total
    return ch


def uncontrolled(problem: Problem, *, progress: Callable[[float], None] | None = None) -> Dispatch:
    """Full power from arrival until the target is reached (see the module docstring)."""
    started = time.perf_counter()
    p = problem
    s = _State.start(p)
    base = p.load_kw - p.pv_kw
    visit = _steps_to_visit(p, s.slots)
    _settle_idle(p, s.d, np.setdiff1d(np.arange(p.n_steps), visit))
    every = max(len(visit) // 20, 1)
    for i, t in enumerate(visit):
        vs = s.active(t)
        need = np.maximum(s.target[vs] - s.soc[vs], 0.0)
        ch = np.minimum(p.max_charge_kw[vs], need / (p.eta_ch[vs] * p.dt_h))
        ch = _fit_import(p, t, float(base[t]), ch)
        s.write(t, vs, ch, np.zeros_like(ch))
        _settle_grid(p, s.d, t, float(base[t] + ch.sum()))
        if progress is not None and i % every == 0:
            progress(i / len(visit))
    return s.finish(started)


def _suffix_min_price(p: Problem) -> np.ndarray:
    """Per flat entry: the lowest import price over the session's *later* steps (inf at the end)."""
    out = np.full(p.n_entries, np.inf)
    price = p.price_import_eur_per_kwh
    for v in range(p.n_sessions):
        a, b = int(p.arrival_step[v]), int(p.departure_step[v])
        window = price[a + 1 : b]
        if window.size:
            out[p.offsets[v] : p.offsets[v] + window.size] = np.minimum.accumulate(window[::-1])[
                ::-1
            ]
    return out


def pv_surplus(
    problem: Problem,
    *,
    v2g: bool = True,
    progress: Callable[[float], None] | None = None,
) -> Dispatch:
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
    s = _State.start(p)
    d = s.d
    dt = p.dt_h
    later_min_price = _suffix_min_price(p) if v2g else None
    b = p.battery
    bat_soc = b.soc_initial_kwh if b is not None else 0.0
    visit = _steps_to_visit(p, s.slots)
    _settle_idle(p, d, np.setdiff1d(np.arange(p.n_steps), visit))
    every = max(len(visit) // 20, 1)
    for i, t in enumerate(visit):
        vs = s.active(t)
        surplus = float(p.pv_kw[t] - p.load_kw[t])
        ch = dis = np.zeros(0)
        if vs.size:
            eta_c, eta_d = p.eta_ch[vs], p.eta_dis[vs]
            pmax = p.max_charge_kw[vs]
            need = np.maximum(s.target[vs] - s.soc[vs], 0.0)
            left = (p.departure_step[vs] - t - 1).astype(float)
            upper = np.minimum(pmax, need / (eta_c * dt))
            must = np.clip((need - eta_c * pmax * dt * left) / (eta_c * dt), 0.0, upper)
            ch = must.copy()
            dis = np.zeros_like(ch)
            spare = surplus - float(must.sum())
            if spare > 0:
                head = upper - must
                total = float(head.sum())
                if total > 0:
                    ch = must + head * min(1.0, spare / total)
            elif v2g and spare < 0:
                assert later_min_price is not None
                entry = p.offsets[vs] + (t - p.arrival_step[vs])
                gain = p.price_import_eur_per_kwh[t] * eta_c * eta_d - p.degradation_eur_per_kwh
                ok = (p.max_discharge_kw[vs] > 0) & (must <= 0) & (gain > later_min_price[entry])
                lowest = np.maximum(s.floor[vs], s.target[vs] - eta_c * pmax * dt * left)
                avail = np.where(
                    ok,
                    np.minimum(
                        p.max_discharge_kw[vs], np.maximum(s.soc[vs] - lowest, 0.0) * eta_d / dt
                    ),
                    0.0,
                )
                total = float(avail.sum())
                if total > 0:
                    dis = avail * min(1.0, -spare / total)
            base = float(p.load_kw[t] - p.pv_kw[t] - dis.sum())
            ch = _fit_import(p, t, base, ch)
        bat_ch = bat_dis = 0.0
        residual = surplus - float(ch.sum()) + float(dis.sum())
        if b is not None:
            # store surplus, cover deficits, never below the initial SoC (so it ends there)
            if residual > 0:
                room = (b.capacity_kwh - bat_soc) / (b.eta_ch * dt)
                bat_ch = max(min(b.power_kw, room, residual), 0.0)
            elif residual < 0:
                lowest = max(b.soc_min_kwh, b.soc_initial_kwh)
                bat_dis = max(min(b.power_kw, -residual, (bat_soc - lowest) * b.eta_dis / dt), 0.0)
            bat_soc += (b.eta_ch * bat_ch - bat_dis / b.eta_dis) * dt
            d.battery_ch_kw[t] = bat_ch
            d.battery_dis_kw[t] = bat_dis
            d.battery_soc_kwh[t + 1] = bat_soc
        if vs.size:
            s.write(t, vs, ch, dis)
        _settle_grid(p, d, t, -(residual - bat_ch + bat_dis))
        if progress is not None and i % every == 0:
            progress(i / len(visit))
    return s.finish(started)
