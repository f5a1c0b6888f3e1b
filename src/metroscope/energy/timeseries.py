"""Time axes and time-series CSV files shared by solar, loads, tariffs and CO2.

Conventions: every series is indexed by the *start* of its step, tz-aware, regular in
absolute time (a spring-forward day at 15 min has 92 steps). A CSV series has a timestamp
column (``timestamp``, ``time`` or ``datetime``; naive stamps are local time) and is aligned
to the scenario's steps: finer data are averaged over each step, coarser data are held
until the next row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from metroscope.energy.scenario import Scenario, ScenarioError

__all__ = ["TIMESTAMP_COLUMNS", "read_series_csv", "scenario_index", "step_index"]

TIMESTAMP_COLUMNS = ("timestamp", "time", "datetime")


def step_index(
    start: str | dt.date | dt.datetime, end: str | dt.date | dt.datetime, step_minutes: int, tz: str
) -> pd.DatetimeIndex:
    """Step starts from local ``start`` (included) to local ``end`` (excluded)."""
    t0 = pd.Timestamp(start)
    t1 = pd.Timestamp(end)
    t0 = t0.tz_localize(tz, nonexistent="shift_forward") if t0.tz is None else t0.tz_convert(tz)
    t1 = t1.tz_localize(tz, nonexistent="shift_forward") if t1.tz is None else t1.tz_convert(tz)
    return pd.date_range(t0, t1, freq=f"{step_minutes}min", inclusive="left", name="time")


def scenario_index(scenario: Scenario) -> pd.DatetimeIndex:
    """The step index of a scenario's period."""
    p = scenario.period
    return step_index(p.start, p.end, p.step_minutes, scenario.location.tz)


def _parse_times(raw: pd.Series, tz: str, path: Path) -> pd.DatetimeIndex:
    parsed = pd.to_datetime(raw, errors="coerce", utc=False, format="mixed")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ScenarioError(
            f"{path}: line {i + 2}, field {raw.name!r}: {raw.iloc[i]!r} is not a timestamp "
            "(use ISO 8601, e.g. 2025-01-01 00:15 or 2025-01-01T00:15:00+01:00)"
        )
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is None:
        idx = idx.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward")
    return idx.tz_convert(tz)


def read_series_csv(path: Path, column: str, index: pd.DatetimeIndex, what: str) -> pd.Series:
    """Read one numeric column of a CSV file and align it to ``index``.

    Parameters
    ----------
    path : pathlib.Path
        CSV file with a timestamp column and ``column``.
    column : str
        Value column.
    index : pandas.DatetimeIndex
        Target steps (tz-aware, regular).
    what : str
        What the series is, for error messages (``pv``, ``load``, ``tariff``…).

    Raises
    ------
    ScenarioError
        Naming the file, line and field of the first bad value, or the uncovered steps.
    """
    if not path.is_file():
        raise ScenarioError(f"{what}: CSV file {path} not found")
    frame = pd.read_csv(path)
    time_col = next((c for c in TIMESTAMP_COLUMNS if c in frame.columns), None)
    if time_col is None:
        raise ScenarioError(
            f"{path}: no timestamp column; name one of {list(TIMESTAMP_COLUMNS)} "
            f"(columns are {list(frame.columns)})"
        )
    if column not in frame.columns:
        raise ScenarioError(
            f"{path}: no column {column!r} for {what}; columns are {list(frame.columns)}"
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ScenarioError(
            f"{path}: line {i + 2}, field {column!r}: {frame[column].iloc[i]!r} is not a number"
        )
    times = _parse_times(frame[time_col], str(index.tz), path)
    series = pd.Series(values.to_numpy(dtype=float), index=times).sort_index()
    series = series[~series.index.duplicated(keep="first")]
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(minutes=15)
    binned = series.resample(step, origin=index[0]).mean()
    aligned = binned.reindex(binned.index.union(index)).ffill().reindex(index)
    missing = aligned.isna()
    if len(series) > 1:
        spacing = pd.Series(series.index).diff().median()
        missing |= pd.Series(index >= series.index[-1] + max(spacing, step), index=index)
    if missing.any():
        first = index[np.flatnonzero(missing.to_numpy())[0]]
        raise ScenarioError(
            f"{path}: {what} series does not cover the scenario period: no value at or before "
            f"{first} ({int(missing.sum())} steps uncovered; data span {series.index[0]} – "
            f"{series.index[-1]})"
        )
    return aligned.rename(column)
