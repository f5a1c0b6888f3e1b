"""``mpc``: rolling-horizon dispatch on forecasts, never looking at the future.

At every decision step the controller knows: the prices (a tariff is published ahead),
forecasts of PV and building load (:mod:`~metroscope.energy.dispatch.forecast`), and the
EVs *connected now* with the departure and energy they declared on arrival — nothing
about vehicles still to come. It solves the same LP as ``optimal``
(:func:`~metroscope.energy.dispatch.lp.build_lp`) from the current state to the last
declared departure (at most ``horizon_h`` ahead, and at least ``min_horizon_h`` when a
battery or a demand charge is present), applies the plan until the next decision, and
the site then meets the *actual* PV and load: import, export and curtailment are the
cheapest feasible for the EV power applied (the closed form of ``optimal``), and EV power
is trimmed when the actual grid limits or SoC bounds would be broken.

Decisions are taken every ``replan_h`` hours and whenever a vehicle arrives. Without a
battery or a demand charge, steps with no EV need no decision, and stretches of EV
presence separated by empty steps are independent, so they run in parallel processes
with results identical to a sequential run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from metroscope.energy.dispatch.forecast import LOAD_FORECASTS, PV_FORECASTS
from metroscope.energy.dispatch.lp import build_lp, reset_after_fork, solve_lp
from metroscope.energy.dispatch.optimal import (
    can_fork_workers,
    find_blocks,
    recompute_soc,
    site_closed_form,
)
from metroscope.energy.dispatch.problem import (
    Dispatch,
    Problem,
    empty_dispatch,
    objective_eur,
    soc_floor_kwh,
    target_soc_kwh,
)

__all__ = ["mpc"]


class _Controller:
    """State of one rolling-horizon run (EV SoC now, battery SoC, peak so far)."""

    def __init__(self, p: Problem, options: dict[str, object]) -> None:
        self.p = p
        self.horizon_steps = max(1, round(float(options["horizon_h"]) / p.dt_h))  # type: ignore[arg-type]
        self.min_horizon_steps = max(1, round(float(options["min_horizon_h"]) / p.dt_h))  # type: ignore[arg-type]
        self.replan_steps = max(1, round(float(options["replan_h"]) / p.dt_h))  # type: ignore[arg-type]
        self.steps_per_day = max(1, round(24 / p.dt_h))
        self.pv_forecast = PV_FORECASTS[str(options["pv_forecast"])](p.pv_kw, self.steps_per_day)
        self.load_forecast = LOAD_FORECASTS[str(options["load_forecast"])](
            p.load_kw, self.steps_per_day
        )
        self.ch = np.zeros(p.n_entries)
        self.dis = np.zeros(p.n_entries)
        self.soc_now = p.soc_arrival_kwh.astype(float).copy()
        self.floor = soc_floor_kwh(p)
        self.target = target_soc_kwh(p)
        self.bat_ch = np.zeros(p.n_steps)
        self.bat_dis = np.zeros(p.n_steps)
        self.bat_soc = p.battery.soc_initial_kwh if p.battery is not None else 0.0
        self.peak_kw = 0.0
        self.plans = 0

    # ------------------------------------------------------------------ planning
    def plan(self, t: int, until: int, connected: np.ndarray) -> None:
        """Plan from step ``t`` and apply the plan to steps ``[t, until)``."""
        p = self.p
        coupled = p.battery is not None or p.demand_charge_eur_per_kw > 0
        end = t + self.min_horizon_steps if coupled else t + 1
        if connected.size:
            end = max(end, int(p.departure_step[connected].max()))
        end = min(end, t + self.horizon_steps, p.n_steps)
        end = max(end, until)
        pv_f = self.pv_forecast(t, end)
        load_f = self.load_forecast(t, end)
        load_f = np.clip(load_f, 0.0, p.import_limit_kw + pv_f)  # a plan must be feasible
        dep = np.minimum(p.departure_step[connected], end) - t
        # a departure beyond the horizon: reach what still leaves the target reachable
        after = np.maximum(p.departure_step[connected] - end, 0) * p.dt_h
        reach_later = p.max_charge_kw[connected] * p.eta_ch[connected] * after
        target = np.maximum(
            np.minimum(self.target[connected] - reach_later, p.capacity_kwh[connected]), 0.0
        )
        sub = Problem.trusted(
            index=p.index[t:end],
            dt_h=p.dt_h,
            pv_kw=pv_f,
            load_kw=load_f,
            price_import_eur_per_kwh=p.price_import_eur_per_kwh[t:end],
            price_export_eur_per_kwh=p.price_export_eur_per_kwh[t:end],
            co2_kg_per_kwh=p.co2_kg_per_kwh[t:end],
            import_limit_kw=p.import_limit_kw,
            export_limit_kw=p.export_limit_kw,
            degradation_eur_per_kwh=p.degradation_eur_per_kwh,
            demand_charge_eur_per_kw=p.demand_charge_eur_per_kw,
            arrival_step=np.zeros(len(connected), dtype=np.int64),
            departure_step=dep.astype(np.int64),
            capacity_kwh=p.capacity_kwh[connected],
            soc_arrival_kwh=np.minimum(self.soc_now[connected], p.capacity_kwh[connected]),
            energy_requested_kwh=np.zeros(len(connected)),
            min_soc_kwh=self.floor[connected],
            max_charge_kw=p.max_charge_kw[connected],
            max_discharge_kw=p.max_discharge_kw[connected],
            eta_ch=p.eta_ch[connected],
            eta_dis=p.eta_dis[connected],
            battery=p.battery,
            unmet_penalty_eur_per_kwh=p.unmet_penalty_eur_per_kwh,
        )
        end_min = None
        if p.battery is not None:  # end each plan as full as at the start, if reachable
            b = p.battery
            reachable = self.bat_soc + b.power_kw * b.eta_ch * p.dt_h * (end - t)
            end_min = min(b.soc_initial_kwh, reachable)
        build = {
            "target_kwh": target,
            "floor_kwh": np.minimum(self.floor[connected], sub.soc_arrival_kwh),
            "battery_start_kwh": self.bat_soc if p.battery is not None else None,
            "battery_end_min_kwh": end_min,
            "peak_floor_kw": self.peak_kw,
        }
        options: dict[str, bool | int | float | str] = {"simplex_strategy": 1 if coupled else 4}
        lp = build_lp(sub, np.arange(end - t), np.arange(len(connected)), **build)  # type: ignore[arg-type]
        try:
            x, _ = solve_lp(lp, options=options)
        except ValueError:
            if p.battery is None:
                raise
            # the grid could not carry the recharge: drop the end condition of this plan
            build["battery_end_min_kwh"] = p.battery.soc_min_kwh
            lp = build_lp(sub, np.arange(end - t), np.arange(len(connected)), **build)  # type: ignore[arg-type]
            x, _ = solve_lp(lp, options=options)
        x = np.clip(x, lp.col_lower, lp.col_upper)
        self.plans += 1
        o = lp.offsets
        n = len(lp.entries)
        ch_plan = sub.to_dense(x[o["ch"] : o["ch"] + n]) if n else np.zeros((0, end - t))
        dis_flat = np.zeros(n)
        dis_flat[lp.bidir] = x[o["dis"] : o["dis"] + len(lp.bidir)]
        dis_plan = sub.to_dense(dis_flat) if n else np.zeros((0, end - t))
        s_n = end - t
        bch = x[o["bch"] : o["bch"] + s_n] if o["bch"] >= 0 else np.zeros(s_n)
        bdis = x[o["bdis"] : o["bdis"] + s_n] if o["bdis"] >= 0 else np.zeros(s_n)
        self.apply(t, until, connected, ch_plan, dis_plan, bch, bdis)

    # ------------------------------------------------------------------ realisation
    def apply(
        self,
        t: int,
        until: int,
        connected: np.ndarray,
        ch_plan: np.ndarray,
        dis_plan: np.ndarray,
        bch_plan: np.ndarray,
        bdis_plan: np.ndarray,
    ) -> None:
        """Apply planned powers on ``[t, until)`` against actual PV and load and the bounds."""
        p, dt = self.p, self.p.dt_h
        eta_c, eta_d = p.eta_ch[connected], p.eta_dis[connected]
        cap = p.capacity_kwh[connected]
        b = p.battery
        for s in range(t, until):
            k = s - t
            on = (p.arrival_step[connected] <= s) & (s < p.departure_step[connected])
            soc = self.soc_now[connected]
            ch = np.where(on, ch_plan[:, k], 0.0)
            dis = np.where(on, dis_plan[:, k], 0.0)
            ch = np.minimum(ch, np.maximum(cap - soc, 0.0) / (eta_c * dt))
            dis = np.minimum(dis, np.maximum(soc - self.floor[connected], 0.0) * eta_d / dt)
            bch = bdis = 0.0
            if b is not None:
                bch = min(bch_plan[k], max(b.capacity_kwh - self.bat_soc, 0.0) / (b.eta_ch * dt))
                bdis = min(bdis_plan[k], max(self.bat_soc - b.soc_min_kwh, 0.0) * b.eta_dis / dt)
            # keep the site within the actual grid limits: trim EV power first (its shortfall
            # becomes unmet energy), the battery's only if the EVs cannot absorb it all
            net = p.load_kw[s] + ch.sum() - dis.sum() + bch - bdis
            over = net - (p.import_limit_kw + p.pv_kw[s])
            if over > 0:
                ch, over = _trim(ch, over)
                bch -= min(bch, over)
            under = -p.export_limit_kw - net
            if under > 0:
                dis, under = _trim(dis, under)
                bdis -= min(bdis, under)
            idx = p.offsets[connected] + (s - p.arrival_step[connected])
            self.ch[idx[on]] = ch[on]
            self.dis[idx[on]] = dis[on]
            self.soc_now[connected] = soc + (eta_c * ch - dis / eta_d) * dt
            if b is not None:
                self.bat_ch[s], self.bat_dis[s] = bch, bdis
                self.bat_soc += (b.eta_ch * bch - bdis / b.eta_dis) * dt
            site = p.load_kw[s] + ch.sum() - dis.sum() + bch - bdis - p.pv_kw[s]
            self.peak_kw = max(self.peak_kw, site)

    # ------------------------------------------------------------------ driving
    def run(
        self,
        t0: int,
        t1: int,
        sessions: np.ndarray,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        """Run decisions over steps ``[t0, t1)`` for ``sessions`` (all of them start inside)."""
        p = self.p
        arrivals = np.unique(p.arrival_step[sessions])
        coupled = p.battery is not None or p.demand_charge_eur_per_kw > 0
        start = (t0 + self.replan_steps - 1) // self.replan_steps * self.replan_steps
        ticks = np.arange(start, t1, self.replan_steps)
        points = np.unique(np.concatenate([[t0], arrivals, ticks]))
        points = points[(points >= t0) & (points < t1)]
        bounds = np.concatenate([points, [t1]])
        order = sessions[np.argsort(p.arrival_step[sessions], kind="stable")]
        for i, t in enumerate(points):
            t = int(t)
            connected = order[(p.arrival_step[order] <= t) & (p.departure_step[order] > t)]
            if connected.size == 0 and not coupled:
                continue
            self.plan(t, int(bounds[i + 1]), connected)
            if progress is not None and i % 200 == 0:
                progress((t - t0) / max(1, t1 - t0))


def _trim(power: np.ndarray, excess: float) -> tuple[np.ndarray, float]:
    """Scale ``power`` down to remove ``excess`` [kW]; return it and what is left over."""
    total = float(power.sum())
    if total <= 0:
        return power, excess
    cut = min(total, excess)
    return power * (1.0 - cut / total), excess - cut


def _run_blocks(
    p: Problem, blocks: list[tuple[int, int, np.ndarray]], options: dict[str, object]
) -> tuple[np.ndarray, np.ndarray, int]:
    ctl = _Controller(p, options)
    for t0, t1, sessions in blocks:
        ctl.run(t0, t1, sessions)
    return ctl.ch, ctl.dis, ctl.plans


_SHARED: dict[str, object] = {}


def _init_worker() -> None:
    reset_after_fork()


def _worker(indices: list[int]) -> tuple[np.ndarray, np.ndarray, int]:
    p, blocks, options = _SHARED["problem"], _SHARED["blocks"], _SHARED["options"]
    assert isinstance(p, Problem) and isinstance(blocks, list) and isinstance(options, dict)
    return _run_blocks(p, [blocks[i] for i in indices], options)


def mpc(
    problem: Problem,
    *,
    horizon_h: float = 96.0,
    min_horizon_h: float = 24.0,
    replan_h: float = 1.0,
    pv_forecast: str = "clear_sky_scaled",
    load_forecast: str = "last_week",
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Dispatch:
    """Rolling-horizon dispatch on forecasts (no look at the future).

    Parameters
    ----------
    problem : Problem
        The problem; its PV and load are the *actual* values, seen only once past.
    horizon_h : float
        Longest look-ahead [h]; plans reach the last declared departure within it.
    min_horizon_h : float
        Look-ahead with a battery or a demand charge, which act even with no EV [h].
    replan_h : float
        Re-planning interval [h]; a vehicle's arrival triggers a re-plan too.
    pv_forecast, load_forecast : str
        Names in :data:`~metroscope.energy.dispatch.forecast.PV_FORECASTS` and
        :data:`~metroscope.energy.dispatch.forecast.LOAD_FORECASTS`.
    workers : int, optional
        Processes (independent stretches only, i.e. without battery and demand charge);
        default 2 on year-long problems.
    progress : callable, optional
        Called with the fraction done.

    Returns
    -------
    Dispatch
        The realised dispatch; ``objective_eur`` is its realised cost + unmet penalty.
    """
    p = problem
    if pv_forecast not in PV_FORECASTS:
        raise ValueError(
            f"mpc: pv_forecast must be one of {sorted(PV_FORECASTS)}, got {pv_forecast!r}"
        )
    if load_forecast not in LOAD_FORECASTS:
        raise ValueError(
            f"mpc: load_forecast must be one of {sorted(LOAD_FORECASTS)}, got {load_forecast!r}"
        )
    if not (horizon_h > 0 and replan_h > 0 and min_horizon_h > 0):
        raise ValueError("mpc: horizon_h, min_horizon_h and replan_h must be > 0 hours")
    start = time.perf_counter()
    options: dict[str, object] = {
        "horizon_h": horizon_h,
        "min_horizon_h": min_horizon_h,
        "replan_h": replan_h,
        "pv_forecast": pv_forecast,
        "load_forecast": load_forecast,
    }
    d = empty_dispatch(p)
    coupled = p.battery is not None or p.demand_charge_eur_per_kw > 0
    if coupled:
        ctl = _Controller(p, options)
        ctl.run(0, p.n_steps, np.arange(p.n_sessions), progress)
        d.ch_kw, d.dis_kw, plans = ctl.ch, ctl.dis, ctl.plans
        d.battery_ch_kw, d.battery_dis_kw = ctl.bat_ch, ctl.bat_dis
    else:
        blocks = find_blocks(p)
        if workers is None:
            big = p.n_entries > 20_000 and can_fork_workers()
            workers = min(2, os.cpu_count() or 1) if big else 1
        if workers > 1 and len(blocks) > 1 and can_fork_workers():
            sizes = np.array([p.duration_steps[s].sum() for *_, s in blocks], dtype=float)
            groups = _interleaved_groups(sizes, workers)
            _SHARED.update(problem=p, blocks=blocks, options=options)
            try:
                with ProcessPoolExecutor(
                    len(groups), mp_context=mp.get_context("fork"), initializer=_init_worker
                ) as pool:
                    results = list(pool.map(_worker, groups))
            finally:
                _SHARED.clear()
            plans = 0
            for ch, dis, n_plans in results:
                d.ch_kw += ch
                d.dis_kw += dis
                plans += n_plans
        else:
            d.ch_kw, d.dis_kw, plans = _run_blocks(p, blocks, options)
    _realise_site(p, d)
    d.objective_eur = objective_eur(p, d)
    d.solve_seconds = time.perf_counter() - start
    d.info.update(method="mpc", plans=plans, pv_forecast=pv_forecast, load_forecast=load_forecast)
    if progress is not None:
        progress(1.0)
    return d


def _interleaved_groups(sizes: np.ndarray, n_groups: int) -> list[list[int]]:
    """Greedy balanced split of blocks into groups (largest first)."""
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    load = np.zeros(n_groups)
    for i in np.argsort(-sizes, kind="stable"):
        g = int(np.argmin(load))
        groups[g].append(int(i))
        load[g] += sizes[i]
    return [sorted(g) for g in groups if g]


def _realise_site(p: Problem, d: Dispatch) -> None:
    """SoC from the applied powers; import/export/curtail cheapest for them; unmet energy."""
    recompute_soc(p, d)
    net = p.per_step_sum(d.ch_kw) - p.per_step_sum(d.dis_kw) + d.battery_ch_kw - d.battery_dis_kw
    d.import_kw, d.export_kw, d.curtail_kw = site_closed_form(
        p.load_kw + net,
        p.pv_kw,
        p.price_import_eur_per_kwh,
        p.price_export_eur_per_kwh,
        p.import_limit_kw,
        p.export_limit_kw,
    )
    dep_soc = d.soc_kwh[p.soc_offsets[1:] - 1]
    d.unmet_kwh = np.maximum(0.0, target_soc_kwh(p) - dep_soc)
