"""EV sessions: read from CSV files, generated from profiles, and assigned to chargers.

A session is one vehicle's stay at the hub: it arrives, asks for energy, leaves. Sessions
come from CSV files (:class:`SessionRow` validates every row; errors name file, line and
field) or from seeded profiles (:data:`PROFILE_DEFAULTS`: municipal fleet, workplace,
public). :func:`assign_chargers` then gives each session a free charger on arrival, or
refuses it and says why (no free charger, outside the period, shorter than one step).

Every default in :data:`PROFILE_DEFAULTS` is an **assumption** (illustrative behaviour, not
measured data); scenarios override them field by field.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from metroscope.energy.scenario import ChargerGroup, Scenario, ScenarioError, SessionProfile

__all__ = [
    "PROFILE_DEFAULTS",
    "SESSION_COLUMNS",
    "Charger",
    "FleetPlan",
    "SessionRow",
    "assign_chargers",
    "expand_chargers",
    "generate_sessions",
    "plan_fleet",
    "read_sessions_csv",
    "sessions_json_schema",
]

SESSION_COLUMNS = [
    "session_id",
    "vehicle_id",
    "source",
    "arrival",
    "departure",
    "energy_requested_kwh",
    "capacity_kwh",
    "soc_arrival_kwh",
    "min_soc_kwh",
    "max_charge_kw",
    "max_discharge_kw",
    "v2g",
]


class SessionRow(BaseModel):
    """One row of a sessions CSV file (times are local unless they carry an offset)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(None, description="Unique id (default: file:line).")
    vehicle_id: str = Field(
        description="Vehicle id; one vehicle cannot be in two sessions at once."
    )
    arrival: dt.datetime = Field(description="Arrival time.")
    departure: dt.datetime = Field(description="Departure time, after arrival.")
    energy_requested_kwh: float = Field(ge=0, description="Energy asked for [kWh].")
    capacity_kwh: float = Field(gt=0, description="Battery capacity [kWh].")
    soc_arrival_kwh: float = Field(ge=0, description="State of charge on arrival [kWh].")
    min_soc_kwh: float = Field(0.0, ge=0, description="Lowest SoC when discharging [kWh].")
    max_charge_kw: float = Field(gt=0, description="Vehicle charge limit [kW].")
    max_discharge_kw: float = Field(0.0, ge=0, description="Vehicle discharge limit [kW].")
    v2g: bool = Field(False, description="Vehicle can discharge (V2G).")

    @model_validator(mode="after")
    def _consistent(self) -> SessionRow:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        if self.soc_arrival_kwh > self.capacity_kwh:
            raise ValueError("soc_arrival_kwh must not exceed capacity_kwh")
        if self.min_soc_kwh > self.capacity_kwh:
            raise ValueError("min_soc_kwh must not exceed capacity_kwh")
        return self


def sessions_json_schema() -> dict[str, Any]:
    """JSON Schema of one sessions CSV row (:class:`SessionRow`)."""
    schema = SessionRow.model_json_schema()
    schema["$id"] = "https://metroscope.invalid/schemas/energy-sessions.schema.json"
    schema["title"] = "Metroscope EV session (one CSV row)"
    return schema


def _localize(times: pd.Series, tz: str) -> pd.Series:
    idx = pd.DatetimeIndex(pd.to_datetime(times, utc=False, format="mixed"))
    if idx.tz is None:
        idx = idx.tz_localize(
            tz, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="shift_forward"
        )
    return pd.Series(idx.tz_convert(tz), index=times.index)


def read_sessions_csv(path: Path, tz: str) -> pd.DataFrame:
    """Read and validate a sessions CSV file into :data:`SESSION_COLUMNS`.

    Raises
    ------
    ScenarioError
        ``FILE: line N, field F: problem`` for the first bad row, or an unknown column.
    """
    if not path.is_file():
        raise ScenarioError(f"sessions.csv: file {path} not found")
    rows: list[dict[str, Any]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        allowed = set(SessionRow.model_fields)
        unknown = [c for c in (reader.fieldnames or []) if c not in allowed]
        if unknown:
            raise ScenarioError(
                f"{path}: line 1: unknown column(s) {unknown}; accepted: {sorted(allowed)}"
            )
        for line, raw in enumerate(reader, start=2):
            data = {k: v for k, v in raw.items() if v not in ("", None)}
            try:
                row = SessionRow.model_validate(data)
            except ValidationError as err:
                e = err.errors()[0]
                field = ".".join(str(x) for x in e["loc"]) or "row"
                value = data.get(field, "(missing)") if e["loc"] else ""
                raise ScenarioError(
                    f"{path}: line {line}, field {field!r}: {e['msg']} (got {value!r})"
                ) from None
            item = row.model_dump()
            item["session_id"] = row.session_id or f"{path.name}:{line}"
            item["source"] = path.name
            item["line"] = line
            rows.append(item)
    frame = pd.DataFrame(rows, columns=[*SESSION_COLUMNS, "line"])
    if frame.empty:
        return frame.drop(columns="line")
    frame["arrival"] = _localize(frame["arrival"], tz)
    frame["departure"] = _localize(frame["departure"], tz)
    _check_overlaps(frame, path)
    return frame.drop(columns="line")


def _check_overlaps(frame: pd.DataFrame, path: Path) -> None:
    ordered = frame.sort_values(["vehicle_id", "arrival"])
    same = ordered["vehicle_id"].to_numpy()[1:] == ordered["vehicle_id"].to_numpy()[:-1]
    overlap = ordered["arrival"].to_numpy()[1:] < ordered["departure"].to_numpy()[:-1]
    bad = np.flatnonzero(same & overlap)
    if bad.size:
        a, b = ordered.iloc[bad[0]], ordered.iloc[bad[0] + 1]
        raise ScenarioError(
            f"{path}: line {b['line']}, field 'arrival': vehicle {b['vehicle_id']!r} arrives "
            f"before leaving its session on line {a['line']}"
        )


# ----------------------------------------------------------------------------- profiles
PROFILE_DEFAULTS: dict[str, dict[str, Any]] = {
    # council cars: back at the depot mid-afternoon, out again next working morning
    "municipal_fleet": {
        "days": "workdays", "presence": 0.9, "arrival_mean_h": 14.5, "arrival_sd_h": 1.0,
        "stay_mean_h": 3.0, "stay_sd_h": 1.0, "departure_mean_h": 7.75, "departure_sd_h": 0.5,
        "energy_mean_kwh": 10.0, "energy_sd_kwh": 4.0, "capacity_kwh": 40.0,
        "soc_arrival_min": 0.3, "soc_arrival_max": 0.7, "min_soc": 0.3,
        "max_charge_kw": 50.0, "max_discharge_kw": 50.0, "v2g_share": 1.0,
    },
    # commuters: morning to late afternoon on working days
    "workplace": {
        "days": "workdays", "presence": 0.8, "arrival_mean_h": 8.5, "arrival_sd_h": 1.0,
        "stay_mean_h": 8.5, "stay_sd_h": 1.5, "departure_mean_h": None, "departure_sd_h": 0.0,
        "energy_mean_kwh": 10.0, "energy_sd_kwh": 4.0, "capacity_kwh": 60.0,
        "soc_arrival_min": 0.2, "soc_arrival_max": 0.7, "min_soc": 0.4,
        "max_charge_kw": 11.0, "max_discharge_kw": 11.0, "v2g_share": 0.2,
    },
    # visitors: short stays spread over the day and evening
    "public": {
        "days": "all", "presence": 1.0, "sessions_per_day": 3.0, "arrival_mean_h": 15.0,
        "arrival_sd_h": 4.0, "stay_mean_h": 2.0, "stay_sd_h": 1.0, "departure_mean_h": None,
        "departure_sd_h": 0.0, "energy_mean_kwh": 8.0, "energy_sd_kwh": 4.0,
        "capacity_kwh": 55.0, "soc_arrival_min": 0.15, "soc_arrival_max": 0.6, "min_soc": 0.4,
        "max_charge_kw": 11.0, "max_discharge_kw": 11.0, "v2g_share": 0.1,
    },
}  # fmt: skip
"""Assumed behaviour per profile kind (illustrative, not measured); YAML fields override."""


def _profile_params(profile: SessionProfile) -> dict[str, Any]:
    params = dict(PROFILE_DEFAULTS[profile.kind])
    explicit = profile.model_dump(exclude_unset=True)
    params.update({k: v for k, v in explicit.items() if v is not None or k == "departure_mean_h"})
    params.setdefault("sessions_per_day", None)
    return params


def _eligible_days(
    start: pd.Timestamp, end: pd.Timestamp, days: str, country: str | None
) -> pd.DatetimeIndex:
    from metroscope.energy.tariffs import day_masks

    dates = pd.date_range(start.normalize(), end.normalize(), freq="D")
    mask = day_masks(dates, country)[days]
    return dates[mask]


def generate_sessions(
    profile: SessionProfile,
    index: pd.DatetimeIndex,
    country: str | None,
    rng: np.random.Generator,
    base_dir: Path | None = None,
) -> pd.DataFrame:
    """Draw the sessions of one profile over ``index``'s period (seeded by ``rng``)."""
    tz = str(index.tz)
    local = index.tz_localize(None)
    if profile.kind == "ev2gym":
        from metroscope.energy.ev2gym_data import ev2gym_sessions

        days = _eligible_days(local[0], local[-1], profile.days or "all", country)
        frame = ev2gym_sessions(profile, days, rng, base_dir)
        if frame.empty:
            return pd.DataFrame(columns=SESSION_COLUMNS)
        frame["arrival"] = _localize(frame["arrival"], tz)
        frame["departure"] = _localize(frame["departure"], tz)
        return frame[SESSION_COLUMNS]
    p = _profile_params(profile)
    days = _eligible_days(local[0], local[-1], p["days"], country)
    name = profile.name or profile.kind
    records: list[dict[str, Any]] = []

    def hours(mean: float, sd: float, n: int) -> np.ndarray:
        return np.clip(rng.normal(mean, sd, n), 0.0, 23.99)

    if profile.kind == "public":
        rate = float(p["sessions_per_day"] or 0.0)
        counts = rng.poisson(rate, len(days))
        vehicles = [(f"{name}-{k + 1}", d) for k, d in enumerate(np.repeat(days, counts))]
    else:
        present = rng.random((profile.vehicles, len(days))) < p["presence"]
        vehicles = [
            (f"{name}-{k + 1}", days[j])
            for k in range(profile.vehicles)
            for j in np.flatnonzero(present[k])
        ]
    if not vehicles:
        return pd.DataFrame(columns=SESSION_COLUMNS)
    n = len(vehicles)
    day = pd.DatetimeIndex([d for _, d in vehicles])
    arrival = day + pd.to_timedelta(hours(p["arrival_mean_h"], p["arrival_sd_h"], n), unit="h")
    if p.get("departure_mean_h") is not None:
        pos = np.searchsorted(days, day, side="right")
        nxt = np.where(
            pos < len(days), days[np.minimum(pos, len(days) - 1)], day + pd.Timedelta(days=1)
        )
        departure = pd.DatetimeIndex(nxt) + pd.to_timedelta(
            hours(p["departure_mean_h"], p["departure_sd_h"], n), unit="h"
        )
    else:
        stay = np.maximum(rng.normal(p["stay_mean_h"], p["stay_sd_h"], n), 0.25)
        departure = arrival + pd.to_timedelta(stay, unit="h")
    arrival = arrival.round("min")
    departure = departure.round("min")
    capacity = float(p["capacity_kwh"])
    soc = capacity * rng.uniform(p["soc_arrival_min"], p["soc_arrival_max"], n)
    energy = np.clip(rng.normal(p["energy_mean_kwh"], p["energy_sd_kwh"], n), 0.5, None)
    # drivers ask for at most what the battery holds and 80% of what the stay allows at the
    # vehicle's power (less half an hour: steps start after arrival and end before departure)
    stay_h = (departure - arrival).total_seconds().to_numpy() / 3600.0
    allowed = 0.8 * np.maximum(stay_h - 0.5, 0.0) * float(p["max_charge_kw"])
    energy = np.minimum(energy, np.minimum(capacity - soc, allowed))
    ids = sorted({v for v, _ in vehicles})
    v2g_by_vehicle = dict(zip(ids, rng.random(len(ids)) < p["v2g_share"], strict=True))
    for i, (vehicle, _) in enumerate(vehicles):
        v2g = bool(v2g_by_vehicle[vehicle])
        records.append(
            {
                "session_id": f"{name}:{i + 1}",
                "vehicle_id": vehicle,
                "source": name,
                "arrival": arrival[i],
                "departure": departure[i],
                "energy_requested_kwh": round(float(energy[i]), 3),
                "capacity_kwh": capacity,
                "soc_arrival_kwh": round(float(soc[i]), 3),
                "min_soc_kwh": float(p["min_soc"]) * capacity,
                "max_charge_kw": float(p["max_charge_kw"]),
                "max_discharge_kw": float(p["max_discharge_kw"]) if v2g else 0.0,
                "v2g": v2g,
            }
        )
    frame = pd.DataFrame(records, columns=SESSION_COLUMNS)
    frame = _drop_vehicle_overlaps(frame)
    frame["arrival"] = _localize(frame["arrival"], tz)
    frame["departure"] = _localize(frame["departure"], tz)
    return frame


def _drop_vehicle_overlaps(frame: pd.DataFrame) -> pd.DataFrame:
    """A vehicle cannot arrive before its previous session ended: drop such draws."""
    frame = frame.sort_values(["vehicle_id", "arrival"]).reset_index(drop=True)
    prev_dep = frame.groupby("vehicle_id")["departure"].shift(1)
    keep = prev_dep.isna() | (frame["arrival"] >= prev_dep)
    return frame[keep.to_numpy()].reset_index(drop=True)


# ----------------------------------------------------------------------------- chargers
@dataclass(frozen=True)
class Charger:
    """One charging point."""

    charger_id: str
    power_kw: float
    efficiency: float
    bidirectional: bool


def expand_chargers(groups: list[ChargerGroup]) -> list[Charger]:
    """One :class:`Charger` per unit of every group, ids ``name-1``, ``name-2``…"""
    out = []
    for g in groups:
        for k in range(g.count):
            cid = g.name if g.count == 1 else f"{g.name}-{k + 1}"
            out.append(Charger(cid, g.power_kw, g.efficiency, g.bidirectional))
    return out


def assign_chargers(
    sessions: pd.DataFrame, chargers: list[Charger], index: pd.DatetimeIndex
) -> pd.DataFrame:
    """Give every session a free charger on arrival, or refuse it with a reason.

    A session occupies its charger from its arrival step (the first step starting at or
    after arrival) to its departure step (the last step boundary at or before departure).
    V2G vehicles prefer bidirectional chargers and other vehicles the others; ties go to
    the lowest charger number. Adds columns ``arrival_step``, ``departure_step``,
    ``charger`` (id or empty), ``status`` (``accepted`` or a refusal reason).
    """
    out = sessions.sort_values(["arrival", "session_id"]).reset_index(drop=True).copy()
    dt_s = (index[1] - index[0]).total_seconds() if len(index) > 1 else 900.0
    t0 = index[0]
    n_steps = len(index)
    arr = (out["arrival"] - t0).dt.total_seconds().to_numpy(dtype=float) / dt_s
    dep = (out["departure"] - t0).dt.total_seconds().to_numpy(dtype=float) / dt_s
    wants_v2g = out["v2g"].to_numpy(dtype=bool)
    arr_step = np.ceil(arr - 1e-9).astype(int)
    dep_step = np.floor(dep + 1e-9).astype(int)
    free_at = np.zeros(len(chargers), dtype=int)
    bidir = np.array([c.bidirectional for c in chargers], dtype=bool)
    status: list[str] = []
    assigned: list[str] = []
    for i in range(len(out)):
        if arr[i] < 0 or dep[i] > n_steps:
            status.append("refused: outside the period")
            assigned.append("")
            continue
        if dep_step[i] <= arr_step[i]:
            status.append("refused: shorter than one step")
            assigned.append("")
            continue
        free = np.flatnonzero(free_at <= arr_step[i])
        if free.size == 0:
            status.append("refused: no free charger")
            assigned.append("")
            continue
        preferred = free[bidir[free] == wants_v2g[i]]
        c = int(preferred[0] if preferred.size else free[0])
        free_at[c] = dep_step[i]
        status.append("accepted")
        assigned.append(chargers[c].charger_id)
    out["arrival_step"] = arr_step
    out["departure_step"] = dep_step
    out["charger"] = assigned
    out["status"] = status
    return out


@dataclass
class FleetPlan:
    """All sessions with their charger or refusal, and the chargers."""

    sessions: pd.DataFrame
    chargers: list[Charger]

    @property
    def accepted(self) -> pd.DataFrame:
        """Sessions that got a charger, in arrival order."""
        return self.sessions[self.sessions["status"] == "accepted"].reset_index(drop=True)


def plan_fleet(scenario: Scenario, index: pd.DatetimeIndex) -> FleetPlan:
    """Read and generate the scenario's sessions and assign them to its chargers."""
    frames = [
        read_sessions_csv(scenario.resolve(p), scenario.location.tz) for p in scenario.sessions.csv
    ]
    rng = np.random.default_rng(scenario.sessions.seed)
    for profile in scenario.sessions.profiles:
        frames.append(
            generate_sessions(profile, index, scenario.location.country, rng, scenario.base_dir)
        )
    frames = [f for f in frames if not f.empty]
    sessions = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SESSION_COLUMNS)
    )
    chargers = expand_chargers(scenario.chargers)
    if sessions.empty:
        empty = sessions.assign(arrival_step=[], departure_step=[], charger=[], status=[])
        return FleetPlan(empty, chargers)
    dup = sessions["session_id"].duplicated()
    if dup.any():
        raise ScenarioError(
            f"sessions: duplicate session_id {sessions['session_id'][dup].iloc[0]!r}"
        )
    return FleetPlan(assign_chargers(sessions, chargers, index), chargers)
