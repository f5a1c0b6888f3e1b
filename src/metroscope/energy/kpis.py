"""Key performance indicators of a dispatch (issue 3's list plus a few more).

Definitions (Δt the step length, sums over steps ``t`` and sessions ``v``):

=========================  ====================================================================
KPI                        definition
=========================  ====================================================================
energy_cost_eur            issue 3's cost: Σ(p_imp·import − p_exp·export)·Δt + degradation·Σ
                           (EV and battery discharge)·Δt + demand_charge·max(import)
import_kwh, export_kwh     Σ import·Δt, Σ export·Δt
pv_kwh                     available PV energy Σ pv·Δt
pv_used_kwh, curtailed_kwh Σ (pv − curtail)·Δt, Σ curtail·Δt
self_consumption           share of used PV consumed on site: (pv_used − export) / pv_used
self_sufficiency           share of on-site consumption met by PV:
                           (pv_used − export) / (pv_used − export + import)
peak_import_kw             max import
co2_kg                     Σ co2·import·Δt (exports are not credited)
ev_requested_kwh           Σ (target − SoC on arrival), target = min(capacity, arrival + request)
ev_delivered_kwh           Σ (SoC at departure − SoC on arrival)
unmet_kwh                  Σ max(0, target − SoC at departure)
ev_charged_kwh             Σ ch·Δt (grid side)
v2g_discharged_kwh         Σ dis·Δt (grid side)
ev_to_building_kwh         vehicle discharge that served the building (results.ev_to_building_kw)
degradation_cost_eur       degradation · (V2G + battery discharge) kWh
equivalent_cycles          V2G discharge ÷ total battery capacity of the V2G vehicles (each
                           vehicle counted once): full cycles per V2G vehicle
battery_equivalent_cycles  battery discharge ÷ battery capacity
sessions, sessions_refused accepted and refused sessions; refused_requested_kwh their energy
steps, solve_seconds       number of steps, strategy wall time [s]
=========================  ====================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metroscope.energy.dispatch.problem import Dispatch, Problem, cost_eur, target_soc_kwh
from metroscope.energy.results import ev_to_building_kw

__all__ = ["KPI_KEYS", "compute_kpis"]

KPI_KEYS = [
    "energy_cost_eur",
    "import_kwh",
    "export_kwh",
    "pv_kwh",
    "pv_used_kwh",
    "curtailed_kwh",
    "self_consumption",
    "self_sufficiency",
    "peak_import_kw",
    "co2_kg",
    "ev_requested_kwh",
    "ev_delivered_kwh",
    "unmet_kwh",
    "ev_charged_kwh",
    "v2g_discharged_kwh",
    "ev_to_building_kwh",
    "degradation_cost_eur",
    "equivalent_cycles",
    "battery_equivalent_cycles",
    "sessions",
    "sessions_refused",
    "refused_requested_kwh",
    "steps",
    "solve_seconds",
]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 1e-12 else 0.0


def compute_kpis(
    p: Problem,
    d: Dispatch,
    *,
    vehicle_ids: np.ndarray | None = None,
    refused: pd.DataFrame | None = None,
) -> dict[str, float]:
    """All KPIs of :data:`KPI_KEYS` for one dispatch (see the module docstring).

    Parameters
    ----------
    p, d : Problem, Dispatch
        The problem and a strategy's answer.
    vehicle_ids : numpy.ndarray, optional
        Vehicle of every session, so each vehicle's capacity counts once in
        ``equivalent_cycles`` (default: every session is its own vehicle).
    refused : pandas.DataFrame, optional
        Refused sessions (``energy_requested_kwh`` column) from the fleet plan.
    """
    dt = p.dt_h
    pv_used = float(np.sum(p.pv_kw - d.curtail_kw)) * dt
    export = float(np.sum(d.export_kw)) * dt
    imp = float(np.sum(d.import_kw)) * dt
    local_pv = pv_used - export
    dep_soc = d.soc_kwh[p.soc_offsets[1:] - 1] if p.n_sessions else np.zeros(0)
    v2g = float(np.sum(d.dis_kw)) * dt
    bat_dis = float(np.sum(d.battery_dis_kw)) * dt
    v2g_vehicles = p.max_discharge_kw > 0
    if vehicle_ids is None:
        vehicle_ids = np.arange(p.n_sessions).astype(str)
    caps = pd.Series(p.capacity_kwh[v2g_vehicles], index=np.asarray(vehicle_ids)[v2g_vehicles])
    fleet_capacity = float(caps.groupby(level=0).max().sum()) if len(caps) else 0.0
    n_refused = 0 if refused is None else len(refused)
    refused_kwh = (
        0.0 if refused is None or refused.empty else float(refused["energy_requested_kwh"].sum())
    )
    return {
        "energy_cost_eur": cost_eur(p, d),
        "import_kwh": imp,
        "export_kwh": export,
        "pv_kwh": float(np.sum(p.pv_kw)) * dt,
        "pv_used_kwh": pv_used,
        "curtailed_kwh": float(np.sum(d.curtail_kw)) * dt,
        "self_consumption": _ratio(local_pv, pv_used),
        "self_sufficiency": _ratio(local_pv, local_pv + imp),
        "peak_import_kw": float(np.max(d.import_kw)) if p.n_steps else 0.0,
        "co2_kg": float(np.dot(p.co2_kg_per_kwh, d.import_kw)) * dt,
        "ev_requested_kwh": float(np.sum(target_soc_kwh(p) - p.soc_arrival_kwh)),
        "ev_delivered_kwh": float(np.sum(dep_soc - p.soc_arrival_kwh)),
        "unmet_kwh": float(np.sum(d.unmet_kwh)),
        "ev_charged_kwh": float(np.sum(d.ch_kw)) * dt,
        "v2g_discharged_kwh": v2g,
        "ev_to_building_kwh": float(np.sum(ev_to_building_kw(p, d))) * dt,
        "degradation_cost_eur": p.degradation_eur_per_kwh * (v2g + bat_dis),
        "equivalent_cycles": _ratio(v2g, fleet_capacity),
        "battery_equivalent_cycles": _ratio(bat_dis, p.battery.capacity_kwh) if p.battery else 0.0,
        "sessions": float(p.n_sessions),
        "sessions_refused": float(n_refused),
        "refused_requested_kwh": refused_kwh,
        "steps": float(p.n_steps),
        "solve_seconds": float(d.solve_seconds),
    }
