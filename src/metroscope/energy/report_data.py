"""The numbers behind the HTML reports: typical day, selected week, monthly energy, costs.

Pure pandas on a :class:`~metroscope.energy.simulate.SimulationResult`'s time series, kept
apart from :mod:`metroscope.energy.report` (which only draws) so they can be tested and
reused (the web pages draw the same series).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FLOW_SERIES",
    "cost_components_eur",
    "daily_cumulative_cost_eur",
    "local_naive",
    "monthly_energy_kwh",
    "scenario_assumptions",
    "scenario_is_illustrative",
    "scenario_title",
    "select_week",
    "typical_day_kw",
]

FLOW_SERIES: dict[str, str] = {
    "pv_kw": "PV",
    "load_kw": "building load",
    "import_kw": "grid import",
    "export_kw": "grid export",
    "ev_charge_kw": "EV charging",
    "ev_discharge_kw": "EV discharging (V2G)",
    "ev_to_building_kw": "V2G to building",
    "battery_charge_kw": "battery charging",
    "battery_discharge_kw": "battery discharging",
}
"""Power columns drawn in the flow charts, with their legend labels."""

_NOTE_KEYS = ("assumption", "assumptions", "note", "notes", "source", "sources", "caveat")


def local_naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The index as local wall-clock time without a zone (what charts should show)."""
    return index.tz_localize(None) if index.tz is not None else index


def _present(ts: pd.DataFrame) -> list[str]:
    return [c for c in FLOW_SERIES if c in ts]


def typical_day_kw(ts: pd.DataFrame) -> pd.DataFrame:
    """Mean power of every flow by local time of day [kW], indexed ``"HH:MM"``."""
    idx = ts.index
    minutes = idx.hour * 60 + idx.minute
    day = ts[_present(ts)].groupby(np.asarray(minutes)).mean()
    day.index = pd.Index([f"{m // 60:02d}:{m % 60:02d}" for m in day.index], name="time")
    return day


def select_week(
    ts: pd.DataFrame, dt_h: float, week_start: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Seven days of the time series at full resolution.

    Parameters
    ----------
    ts : pandas.DataFrame
        Result time series (tz-aware index).
    dt_h : float
        Step length [h].
    week_start : pandas.Timestamp, optional
        First day shown (local date; a naive timestamp is read in the series' zone). By
        default the Monday-to-Sunday week with the most EV energy (charge plus discharge),
        the earliest on ties; the whole period when it is shorter than a week.
    """
    tz = ts.index.tz
    if week_start is not None:
        start = week_start if week_start.tzinfo else week_start.tz_localize(tz)
        start = start.tz_convert(tz).normalize()
        week = ts[(ts.index >= start) & (ts.index < start + pd.Timedelta(days=7))]
        if week.empty:
            raise ValueError(
                f"week_start {week_start} is outside the simulated period "
                f"{ts.index[0]} – {ts.index[-1]}"
            )
        return week
    if ts.index[-1] - ts.index[0] < pd.Timedelta(days=7):
        return ts
    ev = pd.Series(0.0, index=ts.index)
    for col in ("ev_charge_kw", "ev_discharge_kw"):
        if col in ts:
            ev = ev + ts[col].abs()
    daily = (ev * dt_h).groupby(ts.index.normalize()).sum()
    mondays = [d for d in daily.index if d.day_of_week == 0]
    if not mondays:
        return ts.iloc[: round(7 * 24 / dt_h)]
    best = max(mondays, key=lambda d: (daily[d : d + pd.Timedelta(days=6)].sum(), -d.value))
    return ts[(ts.index >= best) & (ts.index < best + pd.Timedelta(days=7))]


def monthly_energy_kwh(ts: pd.DataFrame, dt_h: float) -> pd.DataFrame:
    """Energy of every flow per calendar month [kWh], indexed ``"YYYY-MM"``."""
    frame = ts[_present(ts)] * dt_h
    keys = local_naive(ts.index).strftime("%Y-%m")
    months = frame.groupby(np.asarray(keys)).sum()
    months.index.name = "month"
    return months


def daily_cumulative_cost_eur(ts: pd.DataFrame) -> pd.Series:
    """Running total of ``cost_eur`` at the end of every local day [EUR]."""
    cost = ts["cost_eur"].copy()
    cost.index = local_naive(cost.index)
    return cost.resample("D").sum().cumsum()


def cost_components_eur(problem: Any, ts: pd.DataFrame) -> dict[str, float]:
    """Issue 3's cost split into its terms [EUR]; export revenue is negative.

    Parameters
    ----------
    problem : Problem
        The dispatch problem (prices are read from the time series, tariff constants here).
    ts : pandas.DataFrame
        Result time series.
    """
    dt_h = float(problem.dt_h)
    imp = float((ts["price_import_eur_per_kwh"] * ts["import_kw"]).sum() * dt_h)
    exp = float((ts["price_export_eur_per_kwh"] * ts["export_kw"]).sum() * dt_h)
    discharged = (
        ts["ev_discharge_kw"].sum() + ts.get("battery_discharge_kw", 0.0 * ts["pv_kw"]).sum()
    )
    deg = float(problem.degradation_eur_per_kwh) * float(discharged) * dt_h
    demand = float(problem.demand_charge_eur_per_kw) * float(ts["import_kw"].max())
    parts = {"grid import": imp, "export revenue": -exp, "degradation": deg}
    if demand:
        parts["demand charge"] = demand
    parts["total"] = sum(parts.values())
    return parts


def _walk(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            is_note = str(key).lower() in _NOTE_KEYS or str(key).lower().endswith("_source")
            if is_note and sub not in (None, "", [], {}):
                items = sub if isinstance(sub, list) else [sub]
                out.extend((where, str(s)) for s in items if not isinstance(s, dict | list))
                for s in items:
                    if isinstance(s, dict | list):
                        _walk(s, where, out)
            else:
                _walk(sub, where, out)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _walk(sub, f"{path}[{i}]", out)


def _as_dict(scenario: Any) -> dict[str, Any]:
    if hasattr(scenario, "model_dump"):
        return dict(scenario.model_dump(mode="json"))
    return dict(scenario) if isinstance(scenario, dict) else {}


def scenario_assumptions(scenario: Any) -> list[tuple[str, str]]:
    """Every assumption, note and source written in a scenario, as ``(field path, text)``."""
    out: list[tuple[str, str]] = []
    _walk(_as_dict(scenario), "", out)
    return out


def scenario_is_illustrative(scenario: Any) -> bool:
    """True when the scenario says that (some of) its inputs are assumptions."""
    data = _as_dict(scenario)
    if data.get("illustrative"):
        return True
    return any(
        "assum" in text.lower() or "illustrative" in text.lower() or where.endswith("assumptions")
        for where, text in scenario_assumptions(scenario)
    )


def scenario_title(scenario: Any) -> str:
    """A human title for a scenario: its name and its place."""
    name = str(getattr(scenario, "name", "") or "Scenario")
    place = getattr(getattr(scenario, "location", None), "name", "")
    return f"{name} · {place}" if place else name
