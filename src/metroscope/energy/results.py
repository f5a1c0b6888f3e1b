"""Tables of a run: the per-step time series and the per-session table.

Attribution rule for ``ev_to_building_kw``: PV serves the building first; what the building
still needs is served by vehicle discharge before the battery and the grid, so
``ev_to_building = min(EV discharge, max(load − used PV, 0))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metroscope.energy.dispatch.problem import Dispatch, Problem, target_soc_kwh

__all__ = ["TIMESERIES_COLUMNS", "ev_to_building_kw", "session_table", "timeseries_frame"]

TIMESERIES_COLUMNS = [
    "pv_kw",
    "curtail_kw",
    "load_kw",
    "import_kw",
    "export_kw",
    "ev_charge_kw",
    "ev_discharge_kw",
    "ev_to_building_kw",
    "battery_charge_kw",
    "battery_discharge_kw",
    "battery_soc_kwh",
    "ev_soc_kwh",
    "ev_connected",
    "price_import_eur_per_kwh",
    "price_export_eur_per_kwh",
    "co2_kg_per_kwh",
    "cost_eur",
]


def ev_to_building_kw(p: Problem, d: Dispatch) -> np.ndarray:
    """Vehicle discharge that serves the building load, per step [kW] (module docstring)."""
    dis = p.per_step_sum(d.dis_kw)
    need = np.maximum(p.load_kw - (p.pv_kw - d.curtail_kw), 0.0)
    return np.minimum(dis, need)


def timeseries_frame(p: Problem, d: Dispatch) -> pd.DataFrame:
    """One row per step with :data:`TIMESERIES_COLUMNS` on the problem's tz-aware index."""
    ev_dis = p.per_step_sum(d.dis_kw)
    start_soc = d.soc_kwh[np.arange(p.n_entries) + p.entry_session] if p.n_sessions else np.zeros(0)
    cost = (
        p.price_import_eur_per_kwh * d.import_kw
        - p.price_export_eur_per_kwh * d.export_kw
        + p.degradation_eur_per_kwh * (ev_dis + d.battery_dis_kw)
    ) * p.dt_h
    frame = pd.DataFrame(
        {
            "pv_kw": p.pv_kw,
            "curtail_kw": d.curtail_kw,
            "load_kw": p.load_kw,
            "import_kw": d.import_kw,
            "export_kw": d.export_kw,
            "ev_charge_kw": p.per_step_sum(d.ch_kw),
            "ev_discharge_kw": ev_dis,
            "ev_to_building_kw": ev_to_building_kw(p, d),
            "battery_charge_kw": d.battery_ch_kw,
            "battery_discharge_kw": d.battery_dis_kw,
            "battery_soc_kwh": d.battery_soc_kwh[:-1],
            "ev_soc_kwh": p.per_step_sum(start_soc),
            "ev_connected": np.bincount(p.entry_step, minlength=p.n_steps),
            "price_import_eur_per_kwh": p.price_import_eur_per_kwh,
            "price_export_eur_per_kwh": p.price_export_eur_per_kwh,
            "co2_kg_per_kwh": p.co2_kg_per_kwh,
            "cost_eur": cost,
        },
        index=p.index,
    )
    frame.index.name = "time"
    return frame


def session_table(p: Problem, d: Dispatch, accepted: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per dispatched session: ids, times, requested/delivered/unmet/discharged [kWh].

    ``arrival``/``departure`` are the vehicle's times when ``accepted`` (the fleet plan) is
    given, else the step boundaries; ``connected_from``/``connected_until`` are always the
    step boundaries of the connection window. ``requested_kwh`` is what could be asked
    within the battery (target − SoC on arrival); ``delivered_kwh`` is the SoC gained by
    departure.
    """
    n = p.n_sessions
    step = pd.Timedelta(hours=p.dt_h)
    edges = p.index.append(pd.DatetimeIndex([p.index[-1] + step])) if p.n_steps else p.index
    dep_soc = d.soc_kwh[p.soc_offsets[1:] - 1] if n else np.zeros(0)

    def per_session(flat: np.ndarray) -> np.ndarray:
        return np.bincount(p.entry_session, weights=flat, minlength=n) * p.dt_h

    def column(name: str, default: object) -> object:
        return accepted[name].to_numpy() if accepted is not None else default

    start = edges[p.arrival_step] if n else pd.DatetimeIndex([])
    end = edges[p.departure_step] if n else pd.DatetimeIndex([])
    return pd.DataFrame(
        {
            "session_id": column("session_id", np.arange(n).astype(str)),
            "vehicle_id": column("vehicle_id", np.arange(n).astype(str)),
            "charger": column("charger", [""] * n),
            "arrival": column("arrival", start),
            "departure": column("departure", end),
            "connected_from": start,
            "connected_until": end,
            "soc_arrival_kwh": p.soc_arrival_kwh,
            "soc_departure_kwh": dep_soc,
            "requested_kwh": target_soc_kwh(p) - p.soc_arrival_kwh,
            "delivered_kwh": dep_soc - p.soc_arrival_kwh,
            "unmet_kwh": d.unmet_kwh,
            "charged_kwh": per_session(d.ch_kw),
            "discharged_kwh": per_session(d.dis_kw),
        }
    )
