"""The dispatch problem every strategy solves, its answer, its cost and its checker.

This module is the contract between the energy model (scenario → :class:`Problem`), the
dispatch strategies (``Problem → Dispatch``) and everything that reads a :class:`Dispatch`
(KPIs, reports, planning). It follows issue 3's model exactly:

* site balance per step ``t``::

      pv_t − curtail_t + import_t − export_t + bat_dis_t − bat_ch_t
          = load_t + Σ_v ch_{v,t} − Σ_v dis_{v,t}

* EV session ``v`` connected for ``arrival_step[v] <= t < departure_step[v]``::

      soc_{v,t+1} = soc_{v,t} + (η_ch·ch_{v,t} − dis_{v,t}/η_dis)·Δt
      0 ≤ ch_{v,t} ≤ max_charge_kw[v],  0 ≤ dis_{v,t} ≤ max_discharge_kw[v]
      floor_v ≤ soc_{v,t} ≤ capacity_kwh[v]
      soc_{v,departure} + unmet_v ≥ target_v,  unmet_v ≥ 0

  with ``target_v = min(capacity, soc_arrival + requested)`` (:func:`target_soc_kwh`) and
  ``floor_v = min(min_soc, soc_arrival)`` (:func:`soc_floor_kwh`: a vehicle that arrives
  below its minimum SoC is not an infeasible problem, it may simply not discharge below
  where it arrived).
* ``0 ≤ import ≤ import_limit``, ``0 ≤ export ≤ export_limit``, ``0 ≤ curtail ≤ pv``.
* cost (:func:`cost_eur`)::

      Σ_t (p_imp_t·import_t − p_exp_t·export_t)·Δt
        + degradation·Σ (dis + bat_dis)·Δt + demand_charge·max_t import_t

  and the objective the strategies minimise adds ``unmet_penalty·Σ_v unmet_v``
  (:func:`objective_eur`).

Session layout (a change to the first draft of the contract, for memory)
-----------------------------------------------------------------------
A year at 15 min with a 20-vehicle fleet has ~5,000 sessions × 35,040 steps: dense
``[V, T]`` arrays would need ~1.4 GB each. Per-session arrays are therefore stored *flat*
("ragged"): session ``v`` owns the slice ``p.offsets[v]:p.offsets[v+1]`` of ``ch_kw`` and
``dis_kw`` (one entry per connected step, ``arrival_step[v] … departure_step[v]-1``) and the
slice ``p.soc_offsets[v]:p.soc_offsets[v+1]`` of ``soc_kwh`` (one more entry: the SoC at
the start of every connected step plus the SoC at departure). Helpers:
:meth:`Problem.session_slice`, :meth:`Problem.soc_slice`, :meth:`Problem.per_step_sum`
(``[N] → [T]``), :meth:`Problem.to_dense` (``[N] → [V, T]`` for small problems) and
:attr:`Problem.entry_step` / :attr:`Problem.entry_session` (the step and the session of
every flat entry).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = [
    "Battery",
    "Dispatch",
    "Problem",
    "check_dispatch",
    "cost_eur",
    "empty_dispatch",
    "objective_eur",
    "soc_floor_kwh",
    "target_soc_kwh",
]

_SESSION_FIELDS = (
    "capacity_kwh",
    "soc_arrival_kwh",
    "energy_requested_kwh",
    "min_soc_kwh",
    "max_charge_kw",
    "max_discharge_kw",
    "eta_ch",
    "eta_dis",
)
_STEP_FIELDS = (
    "pv_kw",
    "load_kw",
    "price_import_eur_per_kwh",
    "price_export_eur_per_kwh",
    "co2_kg_per_kwh",
)


@dataclass(frozen=True)
class Battery:
    """Optional stationary battery.

    Parameters
    ----------
    capacity_kwh : float
        Usable capacity [kWh].
    power_kw : float
        Charge and discharge power limit [kW].
    eta_ch, eta_dis : float
        Charge and discharge efficiencies [-], in (0, 1].
    soc_initial_kwh : float
        State of charge at the start of the period [kWh]; the battery must end the period
        at least this full (no free energy from an emptied battery).
    soc_min_kwh : float
        Lowest allowed state of charge [kWh].
    """

    capacity_kwh: float
    power_kw: float
    eta_ch: float
    eta_dis: float
    soc_initial_kwh: float
    soc_min_kwh: float

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # ints from YAML or callers become floats
            object.__setattr__(self, f.name, float(getattr(self, f.name)))
        if not (0 < self.eta_ch <= 1 and 0 < self.eta_dis <= 1):
            raise ValueError("battery: eta_ch and eta_dis must be in (0, 1]")
        if self.capacity_kwh < 0 or self.power_kw < 0:
            raise ValueError("battery: capacity_kwh and power_kw must be >= 0")
        if not (0 <= self.soc_min_kwh <= self.soc_initial_kwh <= self.capacity_kwh):
            raise ValueError(
                "battery: need 0 <= soc_min_kwh <= soc_initial_kwh <= capacity_kwh, got "
                f"{self.soc_min_kwh}, {self.soc_initial_kwh}, {self.capacity_kwh}"
            )


@dataclass(frozen=True, eq=False)
class Problem:
    """Arrays of one dispatch problem (see the module docstring for the equations).

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Start of every step, tz-aware and regular, length ``T``.
    dt_h : float
        Step length [h].
    pv_kw, load_kw : numpy.ndarray
        Available PV power and building load per step [kW], shape ``[T]``.
    price_import_eur_per_kwh, price_export_eur_per_kwh : numpy.ndarray
        Energy prices per step [EUR/kWh], shape ``[T]``.
    co2_kg_per_kwh : numpy.ndarray
        Grid carbon intensity per step [kg/kWh], shape ``[T]``.
    import_limit_kw, export_limit_kw : float
        Grid connection limits [kW].
    degradation_eur_per_kwh : float
        Wear cost on every kWh discharged by an EV or the battery [EUR/kWh].
    demand_charge_eur_per_kw : float
        Charge on the period's peak import [EUR/kW]; 0 means none.
    arrival_step, departure_step : numpy.ndarray
        Integer steps, shape ``[V]``; session ``v`` is connected for
        ``arrival_step[v] <= t < departure_step[v]`` and ``0 <= arrival < departure <= T``.
    capacity_kwh, soc_arrival_kwh, energy_requested_kwh, min_soc_kwh : numpy.ndarray
        Battery size, SoC on arrival, energy asked for and lowest SoC allowed while
        discharging, per session [kWh].
    max_charge_kw, max_discharge_kw : numpy.ndarray
        Power limits per session [kW]; ``max_discharge_kw`` is 0 unless charger and vehicle
        are both bidirectional.
    eta_ch, eta_dis : numpy.ndarray
        Charge and discharge efficiencies per session [-].
    battery : Battery or None
        Optional stationary battery.
    unmet_penalty_eur_per_kwh : float
        Penalty on energy not delivered by departure [EUR/kWh], in the objective only.
    """

    index: pd.DatetimeIndex
    dt_h: float
    pv_kw: np.ndarray
    load_kw: np.ndarray
    price_import_eur_per_kwh: np.ndarray
    price_export_eur_per_kwh: np.ndarray
    co2_kg_per_kwh: np.ndarray
    import_limit_kw: float
    export_limit_kw: float
    degradation_eur_per_kwh: float
    demand_charge_eur_per_kw: float
    arrival_step: np.ndarray
    departure_step: np.ndarray
    capacity_kwh: np.ndarray
    soc_arrival_kwh: np.ndarray
    energy_requested_kwh: np.ndarray
    min_soc_kwh: np.ndarray
    max_charge_kw: np.ndarray
    max_discharge_kw: np.ndarray
    eta_ch: np.ndarray
    eta_dis: np.ndarray
    battery: Battery | None = None
    unmet_penalty_eur_per_kwh: float = 10.0

    def __post_init__(self) -> None:
        t_steps = len(self.index)
        for name in _STEP_FIELDS:
            arr = np.asarray(getattr(self, name), dtype=float)
            object.__setattr__(self, name, arr)
            if arr.shape != (t_steps,):
                raise ValueError(f"problem.{name}: expected shape ({t_steps},), got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"problem.{name}: contains NaN or infinite values")
        for name in ("arrival_step", "departure_step"):
            arr = np.asarray(getattr(self, name))
            if arr.size and not np.all(arr == np.round(arr)):
                raise ValueError(f"problem.{name}: must hold integer steps")
            object.__setattr__(self, name, arr.astype(np.int64).reshape(-1))
        n_sessions = len(self.arrival_step)
        for name in _SESSION_FIELDS:
            arr = np.asarray(getattr(self, name), dtype=float).reshape(-1)
            object.__setattr__(self, name, arr)
            if arr.shape != (n_sessions,):
                raise ValueError(
                    f"problem.{name}: expected shape ({n_sessions},) like arrival_step, "
                    f"got {arr.shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"problem.{name}: contains NaN or infinite values")
        self._validate(t_steps)

    @classmethod
    def trusted(cls, **fields: object) -> Problem:
        """Build without validation, for sub-problems cut from a validated problem.

        The rolling-horizon strategy builds thousands of small problems whose arrays are
        slices of one already checked; everything must already have the right dtype.
        """
        obj = object.__new__(cls)
        for f in dataclasses.fields(cls):
            object.__setattr__(obj, f.name, fields.get(f.name, f.default))
        return obj

    def _validate(self, t_steps: int) -> None:
        if self.dt_h <= 0:
            raise ValueError(f"problem.dt_h: must be > 0 hours, got {self.dt_h}")
        if self.departure_step.shape != self.arrival_step.shape:
            raise ValueError("problem.departure_step: must have the shape of arrival_step")
        bad = np.flatnonzero(
            (self.arrival_step < 0)
            | (self.departure_step <= self.arrival_step)
            | (self.departure_step > t_steps)
        )
        if bad.size:
            v = int(bad[0])
            raise ValueError(
                f"problem session {v}: need 0 <= arrival_step < departure_step <= {t_steps}, "
                f"got {self.arrival_step[v]} and {self.departure_step[v]}"
            )
        checks = {
            "pv_kw": self.pv_kw >= 0,
            "load_kw": self.load_kw >= 0,
            "capacity_kwh": self.capacity_kwh > 0,
            "soc_arrival_kwh": (self.soc_arrival_kwh >= 0)
            & (self.soc_arrival_kwh <= self.capacity_kwh + 1e-9),
            "energy_requested_kwh": self.energy_requested_kwh >= 0,
            "min_soc_kwh": (self.min_soc_kwh >= 0) & (self.min_soc_kwh <= self.capacity_kwh),
            "max_charge_kw": self.max_charge_kw >= 0,
            "max_discharge_kw": self.max_discharge_kw >= 0,
            "eta_ch": (self.eta_ch > 0) & (self.eta_ch <= 1),
            "eta_dis": (self.eta_dis > 0) & (self.eta_dis <= 1),
        }
        for name, ok in checks.items():
            if not np.all(ok):
                i = int(np.flatnonzero(~ok)[0])
                raise ValueError(
                    f"problem.{name}[{i}] = {getattr(self, name)[i]!r} is out of range "
                    "(powers, loads and energies >= 0; efficiencies in (0, 1]; "
                    "SoC values within [0, capacity_kwh])"
                )
        for name in ("import_limit_kw", "export_limit_kw"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"problem.{name}: must be >= 0, got {getattr(self, name)}")
        if self.degradation_eur_per_kwh < 0 or self.demand_charge_eur_per_kw < 0:
            raise ValueError("problem: degradation and demand charge must be >= 0")
        if self.unmet_penalty_eur_per_kwh < 0:
            raise ValueError("problem.unmet_penalty_eur_per_kwh: must be >= 0")

    # ----------------------------------------------------------------- sizes and layout
    @property
    def n_steps(self) -> int:
        """Number of steps ``T``."""
        return len(self.index)

    @property
    def n_sessions(self) -> int:
        """Number of EV sessions ``V``."""
        return len(self.arrival_step)

    @cached_property
    def duration_steps(self) -> np.ndarray:
        """Connected steps per session, shape ``[V]``."""
        return self.departure_step - self.arrival_step

    @cached_property
    def offsets(self) -> np.ndarray:
        """Start of each session's slice in the flat power arrays, shape ``[V+1]``."""
        return np.concatenate([[0], np.cumsum(self.duration_steps)]).astype(np.int64)

    @cached_property
    def soc_offsets(self) -> np.ndarray:
        """Start of each session's slice in the flat SoC array, shape ``[V+1]``."""
        return np.concatenate([[0], np.cumsum(self.duration_steps + 1)]).astype(np.int64)

    @property
    def n_entries(self) -> int:
        """Length ``N`` of the flat power arrays (connected session-steps)."""
        return int(self.offsets[-1])

    @cached_property
    def entry_session(self) -> np.ndarray:
        """Session of every flat power entry, shape ``[N]``."""
        return np.repeat(np.arange(self.n_sessions), self.duration_steps)

    @cached_property
    def entry_step(self) -> np.ndarray:
        """Step ``t`` of every flat power entry, shape ``[N]``."""
        start = np.repeat(self.arrival_step - self.offsets[:-1], self.duration_steps)
        return np.arange(self.n_entries, dtype=np.int64) + start

    def session_slice(self, v: int) -> slice:
        """Slice of session ``v`` in ``ch_kw``/``dis_kw`` (steps arrival … departure-1)."""
        return slice(int(self.offsets[v]), int(self.offsets[v + 1]))

    def soc_slice(self, v: int) -> slice:
        """Slice of session ``v`` in ``soc_kwh`` (SoC at steps arrival … departure)."""
        return slice(int(self.soc_offsets[v]), int(self.soc_offsets[v + 1]))

    def per_step_sum(self, flat: np.ndarray) -> np.ndarray:
        """Sum a flat per-session-step array over sessions, giving one value per step [T]."""
        return np.bincount(self.entry_step, weights=flat, minlength=self.n_steps)

    def to_dense(self, flat: np.ndarray) -> np.ndarray:
        """Expand a flat power array to ``[V, T]`` (zeros when away); small problems only."""
        out = np.zeros((self.n_sessions, self.n_steps))
        out[self.entry_session, self.entry_step] = flat
        return out

    def soc_to_dense(self, soc_flat: np.ndarray) -> np.ndarray:
        """Expand a flat SoC array to ``[V, T+1]`` (NaN when away); small problems only."""
        out = np.full((self.n_sessions, self.n_steps + 1), np.nan)
        v = np.repeat(np.arange(self.n_sessions), self.duration_steps + 1)
        start = np.repeat(self.arrival_step - self.soc_offsets[:-1], self.duration_steps + 1)
        out[v, np.arange(len(soc_flat)) + start] = soc_flat
        return out


@dataclass
class Dispatch:
    """One strategy's answer to a :class:`Problem`.

    Attributes
    ----------
    ch_kw, dis_kw : numpy.ndarray
        EV charge and discharge power, flat ``[N]`` (see the module docstring) [kW].
    soc_kwh : numpy.ndarray
        EV SoC at the start of every connected step and at departure, flat ``[N+V]`` [kWh].
    import_kw, export_kw, curtail_kw : numpy.ndarray
        Grid import, grid export and curtailed PV per step, ``[T]`` [kW].
    battery_ch_kw, battery_dis_kw : numpy.ndarray
        Stationary battery power per step, ``[T]`` [kW] (zeros without a battery).
    battery_soc_kwh : numpy.ndarray
        Battery SoC at the start of each step and at the end, ``[T+1]`` [kWh] (zeros
        without a battery).
    unmet_kwh : numpy.ndarray
        ``max(0, target − SoC at departure)`` per session, ``[V]`` [kWh].
    solve_seconds : float
        Wall time of the strategy [s].
    objective_eur : float or None
        The solver's objective (cost + unmet penalty) [EUR] when a solver produced it.
    """

    ch_kw: np.ndarray
    dis_kw: np.ndarray
    soc_kwh: np.ndarray
    import_kw: np.ndarray
    export_kw: np.ndarray
    curtail_kw: np.ndarray
    battery_ch_kw: np.ndarray
    battery_dis_kw: np.ndarray
    battery_soc_kwh: np.ndarray
    unmet_kwh: np.ndarray
    solve_seconds: float
    objective_eur: float | None = None
    info: dict[str, float | int | str] = field(default_factory=dict)


def target_soc_kwh(p: Problem) -> np.ndarray:
    """SoC each session should have at departure [kWh]: ``min(capacity, arrival + request)``."""
    return np.minimum(p.capacity_kwh, p.soc_arrival_kwh + p.energy_requested_kwh)


def soc_floor_kwh(p: Problem) -> np.ndarray:
    """Lowest SoC allowed per session [kWh]: ``min(min_soc, soc_arrival)``."""
    return np.minimum(p.min_soc_kwh, p.soc_arrival_kwh)


def empty_dispatch(p: Problem) -> Dispatch:
    """A zero dispatch of the right shapes (SoC set to arrival SoC, battery idle)."""
    t_steps, n = p.n_steps, p.n_entries
    soc = np.repeat(p.soc_arrival_kwh, p.duration_steps + 1).astype(float)
    bat0 = p.battery.soc_initial_kwh if p.battery is not None else 0.0
    return Dispatch(
        ch_kw=np.zeros(n),
        dis_kw=np.zeros(n),
        soc_kwh=soc,
        import_kw=np.zeros(t_steps),
        export_kw=np.zeros(t_steps),
        curtail_kw=np.zeros(t_steps),
        battery_ch_kw=np.zeros(t_steps),
        battery_dis_kw=np.zeros(t_steps),
        battery_soc_kwh=np.full(t_steps + 1, bat0, dtype=float),
        unmet_kwh=target_soc_kwh(p) - p.soc_arrival_kwh,
        solve_seconds=0.0,
    )


def cost_eur(p: Problem, d: Dispatch) -> float:
    """Issue 3's cost of a dispatch [EUR]: energy, degradation and demand charge.

    ``Σ (p_imp·import − p_exp·export)·Δt + degradation·Σ (dis + bat_dis)·Δt
    + demand_charge·max(import)``; the unmet-energy penalty is *not* included (see
    :func:`objective_eur`).
    """
    energy = float(
        np.dot(p.price_import_eur_per_kwh, d.import_kw)
        - np.dot(p.price_export_eur_per_kwh, d.export_kw)
    )
    discharged_kwh = float(np.sum(d.dis_kw) + np.sum(d.battery_dis_kw)) * p.dt_h
    peak_kw = float(np.max(d.import_kw)) if p.n_steps else 0.0
    return (
        energy * p.dt_h
        + p.degradation_eur_per_kwh * discharged_kwh
        + p.demand_charge_eur_per_kw * peak_kw
    )


def objective_eur(p: Problem, d: Dispatch) -> float:
    """What every strategy minimises [EUR]: :func:`cost_eur` + penalty·Σ unmet."""
    return cost_eur(p, d) + p.unmet_penalty_eur_per_kwh * float(np.sum(d.unmet_kwh))


def _shape_errors(p: Problem, d: Dispatch) -> list[str]:
    t, n, v = p.n_steps, p.n_entries, p.n_sessions
    expected = {
        "ch_kw": n,
        "dis_kw": n,
        "soc_kwh": n + v,
        "import_kw": t,
        "export_kw": t,
        "curtail_kw": t,
        "battery_ch_kw": t,
        "battery_dis_kw": t,
        "battery_soc_kwh": t + 1,
        "unmet_kwh": v,
    }
    errors = []
    for name, size in expected.items():
        arr = np.asarray(getattr(d, name))
        if arr.shape != (size,):
            errors.append(f"dispatch.{name}: expected shape ({size},), got {arr.shape}")
        elif not np.all(np.isfinite(arr)):
            errors.append(f"dispatch.{name}: contains NaN or infinite values")
    return errors


def _bound_errors(
    name: str,
    values: np.ndarray,
    lo: np.ndarray | float,
    hi: np.ndarray | float,
    tol: float,
    where: list[str],
) -> list[str]:
    lo_a = np.broadcast_to(np.asarray(lo, dtype=float), values.shape)
    hi_a = np.broadcast_to(np.asarray(hi, dtype=float), values.shape)
    bad = np.flatnonzero((values < lo_a - tol) | (values > hi_a + tol))
    return [
        f"{name} {where[i]}: {values[i]:.6g} outside [{lo_a[i]:.6g}, {hi_a[i]:.6g}]"
        for i in bad[:20]
    ] + ([f"{name}: … {bad.size - 20} more"] if bad.size > 20 else [])


def check_dispatch(p: Problem, d: Dispatch, tol: float = 1e-6) -> list[str]:
    """Every violated equation or bound of issue 3's model, named with step and session.

    Parameters
    ----------
    p : Problem
        The problem.
    d : Dispatch
        A strategy's answer.
    tol : float
        Absolute tolerance [kW or kWh]; balance and SoC equations are checked with a
        tolerance scaled by the magnitude of their terms.

    Returns
    -------
    list of str
        Empty when the dispatch satisfies the model.
    """
    errors = _shape_errors(p, d)
    if errors:
        return errors
    t_steps = p.n_steps
    steps = [f"at step {t}" for t in range(t_steps)]
    # site balance
    ev_ch = p.per_step_sum(d.ch_kw)
    ev_dis = p.per_step_sum(d.dis_kw)
    supply = p.pv_kw - d.curtail_kw + d.import_kw - d.export_kw + d.battery_dis_kw
    demand = p.load_kw + ev_ch - ev_dis + d.battery_ch_kw
    scale = 1.0 + np.abs(p.pv_kw) + np.abs(d.import_kw) + np.abs(p.load_kw) + ev_ch + ev_dis
    bad = np.flatnonzero(np.abs(supply - demand) > tol * scale)
    errors += [
        f"site balance at step {t}: supply {supply[t]:.6g} kW != demand {demand[t]:.6g} kW"
        for t in bad[:20]
    ]
    # grid and PV bounds
    errors += _bound_errors("import_kw", d.import_kw, 0.0, p.import_limit_kw, tol, steps)
    errors += _bound_errors("export_kw", d.export_kw, 0.0, p.export_limit_kw, tol, steps)
    errors += _bound_errors("curtail_kw", d.curtail_kw, 0.0, p.pv_kw, tol, steps)
    # battery
    b = p.battery
    if b is None:
        for name in ("battery_ch_kw", "battery_dis_kw"):
            if np.any(np.abs(getattr(d, name)) > tol):
                errors.append(f"dispatch.{name}: non-zero although the problem has no battery")
    else:
        errors += _bound_errors("battery_ch_kw", d.battery_ch_kw, 0.0, b.power_kw, tol, steps)
        errors += _bound_errors("battery_dis_kw", d.battery_dis_kw, 0.0, b.power_kw, tol, steps)
        soc = d.battery_soc_kwh
        steps1 = [*steps, f"at step {t_steps} (end)"]
        errors += _bound_errors("battery_soc_kwh", soc, b.soc_min_kwh, b.capacity_kwh, tol, steps1)
        if abs(soc[0] - b.soc_initial_kwh) > tol * (1 + b.capacity_kwh):
            errors.append(f"battery_soc_kwh at step 0: {soc[0]:.6g} != initial {b.soc_initial_kwh}")
        if soc[-1] < b.soc_initial_kwh - tol * (1 + b.capacity_kwh):
            errors.append(
                f"battery_soc_kwh at the end: {soc[-1]:.6g} below initial {b.soc_initial_kwh}"
            )
        nxt = soc[:-1] + (b.eta_ch * d.battery_ch_kw - d.battery_dis_kw / b.eta_dis) * p.dt_h
        bad = np.flatnonzero(np.abs(soc[1:] - nxt) > tol * (1 + b.capacity_kwh))
        errors += [
            f"battery SoC dynamics at step {t}: {soc[t + 1]:.6g} != {nxt[t]:.6g}" for t in bad[:20]
        ]
    errors += _session_errors(p, d, tol)
    return errors


def _session_errors(p: Problem, d: Dispatch, tol: float) -> list[str]:
    if p.n_sessions == 0:
        return []
    ses, stp = p.entry_session, p.entry_step
    where = [f"session {v} step {t}" for v, t in zip(ses, stp, strict=True)]
    errors = _bound_errors("ev ch_kw", d.ch_kw, 0.0, p.max_charge_kw[ses], tol, where)
    errors += _bound_errors("ev dis_kw", d.dis_kw, 0.0, p.max_discharge_kw[ses], tol, where)
    # SoC: start, dynamics, bounds
    soc = d.soc_kwh
    first = p.soc_offsets[:-1]
    cap_tol = tol * (1 + p.capacity_kwh)
    bad = np.flatnonzero(np.abs(soc[first] - p.soc_arrival_kwh) > cap_tol)
    errors += [
        f"ev soc session {v}: {soc[first[v]]:.6g} at arrival != soc_arrival {p.soc_arrival_kwh[v]:.6g}"
        for v in bad[:20]
    ]
    before = np.arange(p.n_entries) + ses  # SoC index at the start of each entry's step
    nxt = soc[before] + (p.eta_ch[ses] * d.ch_kw - d.dis_kw / p.eta_dis[ses]) * p.dt_h
    bad = np.flatnonzero(np.abs(soc[before + 1] - nxt) > cap_tol[ses])
    errors += [
        f"ev soc dynamics session {ses[i]} step {stp[i]}: {soc[before[i] + 1]:.6g} != {nxt[i]:.6g}"
        for i in bad[:20]
    ]
    soc_ses = np.repeat(np.arange(p.n_sessions), p.duration_steps + 1)
    soc_where = [f"session {v}" for v in soc_ses]
    errors += _bound_errors(
        "ev soc_kwh", soc, soc_floor_kwh(p)[soc_ses], p.capacity_kwh[soc_ses], tol, soc_where
    )
    # unmet energy
    dep_soc = soc[p.soc_offsets[1:] - 1]
    expected = np.maximum(0.0, target_soc_kwh(p) - dep_soc)
    bad = np.flatnonzero(np.abs(d.unmet_kwh - expected) > cap_tol)
    errors += [
        f"unmet_kwh session {v}: reported {d.unmet_kwh[v]:.6g} != target − departure SoC "
        f"{expected[v]:.6g}"
        for v in bad[:20]
    ]
    return errors
