"""Building load per step: BDEW standard profiles (demandlib), a CSV, or a constant.

BDEW standard load profiles are the German utilities' association's reference shapes for
small consumers (g0–g6 commerce, h0 households, l0–l2 farms), published by BDEW and
implemented by demandlib (https://demandlib.readthedocs.io). demandlib returns a quarter-hour
power profile for a calendar year whose yearly integral is the requested annual energy; the
public holidays of the scenario's country are treated as Sundays, and south of the equator
the seasons move by half a year (:data:`SOUTHERN_SEASONS`). The profile is mapped onto
the scenario's steps by local wall-clock time (DST-safe), then averaged or held to the step.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from metroscope.energy.scenario import BdewLoad, ConstantLoad, CsvLoad, Scenario
from metroscope.energy.timeseries import read_series_csv

__all__ = ["LOADS", "SOUTHERN_SEASONS", "bdew_profile_kw", "load_kw"]

SOUTHERN_SEASONS: dict[str, list[int]] = {
    "summer1": [1, 1, 3, 14],
    "summer2": [11, 15, 12, 31],
    "transition1": [3, 15, 4, 30],
    "transition2": [9, 21, 11, 14],
    "winter1": [5, 1, 9, 20],
}
"""BDEW seasons ([month, day, month, day]) moved by half a year for sites south of the
equator (BDEW's own: winter 1 Nov–20 Mar, summer 15 May–14 Sep, transition in between)."""


@contextlib.contextmanager
def _demandlib_quiet() -> Iterator[None]:
    """Run demandlib with warnings silenced.

    demandlib 0.2.2 calls ``warnings.simplefilter("error")`` inside its profile builder,
    which turns pandas ≥ 3.1's deprecation warnings into exceptions; we disable that call
    for the duration and restore everything afterwards.
    """
    original = warnings.simplefilter
    with warnings.catch_warnings():
        original("ignore")
        warnings.simplefilter = lambda *args, **kwargs: None  # type: ignore[assignment]
        try:
            yield
        finally:
            warnings.simplefilter = original


@functools.lru_cache(maxsize=64)
def _bdew_year(profile: str, year: int, country: str | None, southern: bool = False) -> pd.Series:
    from demandlib import bdew

    hol: dict[Any, str] = {}
    if country:
        import holidays

        hol = {d: name for d, name in holidays.country_holidays(country, years=year).items()}
    with _demandlib_quiet():
        seasons = SOUTHERN_SEASONS if southern else None
        frame = bdew.ElecSlp(year, seasons=seasons, holidays=hol).get_profile({profile: 1000.0})
    # 1 MWh a year → power profile [kW] per MWh/yr; index is naive local time.
    return frame[profile].astype(float)


def bdew_profile_kw(
    profile: str,
    annual_kwh: float,
    index: pd.DatetimeIndex,
    country: str | None = None,
    southern: bool = False,
) -> pd.Series:
    """BDEW profile scaled to ``annual_kwh`` [kWh/yr], as power [kW] on ``index``.

    Parameters
    ----------
    profile : str
        BDEW profile name (``g0``…``g6``, ``h0``, ``l0``…``l2``).
    annual_kwh : float
        Annual consumption [kWh/yr].
    index : pandas.DatetimeIndex
        Target steps (tz-aware).
    country : str or None
        ISO code whose public holidays count as Sundays.
    southern : bool
        Use :data:`SOUTHERN_SEASONS` (sites south of the equator).
    """
    local = index.tz_localize(None)
    out = np.empty(len(index))
    years = np.asarray(local.year)
    for year in np.unique(years):
        base = _bdew_year(profile, int(year), country, southern)
        sel = years == year
        # quarter-hour slot of every step's start in local wall-clock time
        slot = local[sel].floor("15min")
        out[sel] = base.reindex(slot).to_numpy()
    series = pd.Series(out * annual_kwh / 1000.0, index=index, name="load_kw")
    return series.ffill().bfill()


def _bdew(scenario: Scenario, load: Any, index: pd.DatetimeIndex) -> pd.Series:
    assert isinstance(load, BdewLoad)
    country = scenario.location.country
    southern = scenario.location.lat_deg < 0
    per_step = round((index[1] - index[0]).total_seconds() / 900) if len(index) > 1 else 1
    if per_step <= 1:
        return bdew_profile_kw(load.profile, load.annual_kwh, index, country, southern)
    # average the quarter hours within each longer step
    fine = pd.date_range(index[0], periods=len(index) * per_step, freq="15min")
    fine_kw = bdew_profile_kw(load.profile, load.annual_kwh, fine, country, southern).to_numpy()
    return pd.Series(fine_kw.reshape(len(index), -1).mean(axis=1), index=index, name="load_kw")


def _csv(scenario: Scenario, load: Any, index: pd.DatetimeIndex) -> pd.Series:
    assert isinstance(load, CsvLoad)
    series = read_series_csv(scenario.resolve(load.path), load.column, index, what="load")
    if (series < 0).any():
        from metroscope.energy.scenario import ScenarioError

        raise ScenarioError(f"{load.path}: column {load.column!r} has negative load values")
    return (series * load.scale).rename("load_kw")


def _constant(scenario: Scenario, load: Any, index: pd.DatetimeIndex) -> pd.Series:
    assert isinstance(load, ConstantLoad)
    return pd.Series(load.load_kw, index=index, name="load_kw", dtype=float)


LOADS: dict[str, Callable[[Scenario, Any, pd.DatetimeIndex], pd.Series]] = {
    "bdew": _bdew,
    "csv": _csv,
    "constant": _constant,
}
"""Load builders by ``load.kind``."""


def load_kw(scenario: Scenario, index: pd.DatetimeIndex) -> pd.Series:
    """Building load for every step of ``index`` [kW]."""
    return LOADS[scenario.load.kind](scenario, scenario.load, index)
