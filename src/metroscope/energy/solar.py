"""PV power per step: pvlib models (clear sky, EPW/TMY, PVGIS) or a measured profile.

The modelled chain, in order (:func:`pv_power_kw`):

1. weather at the middle of every step (:data:`WEATHER`): clear-sky GHI/DNI/DHI from
   pvlib's Ineichen model with its Linke turbidity climatology, or a TMY (EPW file, PVGIS)
   mapped onto the scenario's calendar;
2. plane-of-array irradiance (``pvlib.irradiance.get_total_irradiance``, isotropic sky);
3. cell temperature (``pvlib.temperature.faiman``);
4. DC power (``pvlib.pvsystem.pvwatts_dc``) and flat system losses;
5. optional calibration: the profile is scaled so that the modelled *annual* yield of the
   scenario's first calendar year equals ``target_yield_kwh_per_kwp``. Clear sky ignores
   clouds and overstates yield, so demos calibrate to a sourced figure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pvlib

from metroscope.energy.scenario import (
    ClearSkyWeather,
    EpwWeather,
    ProfilePV,
    PvgisWeather,
    PvlibPV,
    Scenario,
    ScenarioError,
)
from metroscope.energy.timeseries import read_series_csv, step_index

__all__ = ["WEATHER", "annual_yield_kwh_per_kwp", "pv_power_kw", "pvwatts_power_kw"]

WeatherFn = Callable[[Scenario, Any, pd.DatetimeIndex, pd.DataFrame | None], pd.DataFrame]


def _pvlib_location(scenario: Scenario) -> pvlib.location.Location:
    loc = scenario.location
    return pvlib.location.Location(
        loc.lat_deg, loc.lon_deg, tz=loc.tz, altitude=loc.altitude_m, name=loc.name
    )


def clearsky_weather(
    scenario: Scenario,
    weather: ClearSkyWeather,
    times: pd.DatetimeIndex,
    solar_position: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Clear-sky irradiance [W/m2] and assumed air temperature [C] and wind [m/s] at ``times``."""
    cs = _pvlib_location(scenario).get_clearsky(
        times, model="ineichen", solar_position=solar_position
    )
    cs["temp_air"] = weather.ambient_temp_c
    cs["wind_speed"] = weather.wind_speed_m_per_s
    return cs


def _map_tmy(tmy: pd.DataFrame, times: pd.DatetimeIndex) -> pd.DataFrame:
    """Map an hourly typical year onto ``times`` by (month, day, hour) in local time."""
    local = tmy.copy()
    if local.index.tz is not None:
        local.index = local.index.tz_convert(times.tz)
    key = local.index.month * 10000 + local.index.day * 100 + local.index.hour
    local = local[~pd.Index(key).duplicated()]
    local.index = pd.Index(key[~pd.Index(key).duplicated()])
    # 29 February takes 28 February's weather
    day = np.minimum(times.day, np.where(times.month == 2, 28, 31))
    want = times.month * 10000 + day * 100 + times.hour
    out = local.reindex(want)
    if out.isna().all(axis=1).any():
        missing = int(out.isna().all(axis=1).sum())
        raise ScenarioError(f"weather file does not cover {missing} of the scenario's hours")
    out.index = times
    return out[["ghi", "dni", "dhi", "temp_air", "wind_speed"]].astype(float)


def epw_weather(
    scenario: Scenario,
    weather: EpwWeather,
    times: pd.DatetimeIndex,
    solar_position: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hourly EPW data held over each hour and mapped onto the scenario's calendar."""
    path = scenario.resolve(weather.path)
    if not path.is_file():
        raise ScenarioError(f"pv.weather.path: EPW file {path} not found")
    # EPW stamps the end of each hour (1-24); pvlib already indexes rows by the hour's start
    data, _meta = pvlib.iotools.read_epw(str(path))
    return _map_tmy(data, times)


def pvgis_weather(
    scenario: Scenario,
    weather: PvgisWeather,
    times: pd.DatetimeIndex,
    solar_position: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A PVGIS typical meteorological year (needs internet access)."""
    loc = scenario.location
    try:
        result = pvlib.iotools.get_pvgis_tmy(loc.lat_deg, loc.lon_deg, map_variables=True)
    except Exception as err:  # network errors come in many types
        raise ScenarioError(
            f"pv.weather: PVGIS could not be reached ({type(err).__name__}: {err}); "
            "use kind: clearsky or an EPW file offline"
        ) from None
    data = result[0]
    return _map_tmy(data, times)


WEATHER: dict[str, WeatherFn] = {
    "clearsky": clearsky_weather,
    "epw": epw_weather,
    "pvgis": pvgis_weather,
}
"""Weather sources by ``pv.weather.kind``."""


def pvwatts_power_kw(
    pv: PvlibPV,
    location: pvlib.location.Location,
    weather: pd.DataFrame,
    solar_position: pd.DataFrame | None = None,
) -> pd.Series:
    """AC power of the array [kW] from weather at the step mid-points.

    Parameters
    ----------
    pv : PvlibPV
        Array parameters (peak [kWp], tilt and azimuth [deg], losses [%]).
    location : pvlib.location.Location
        Site.
    weather : pandas.DataFrame
        Columns ghi, dni, dhi [W/m2], temp_air [C], wind_speed [m/s].
    solar_position : pandas.DataFrame, optional
        pvlib solar position at ``weather.index`` (computed when omitted).

    Returns
    -------
    pandas.Series
        Power [kW], >= 0, on ``weather.index``.
    """
    solpos = (
        solar_position if solar_position is not None else location.get_solarposition(weather.index)
    )
    poa = pvlib.irradiance.get_total_irradiance(
        pv.tilt_deg,
        pv.azimuth_deg,
        solpos["apparent_zenith"],
        solpos["azimuth"],
        weather["dni"],
        weather["ghi"],
        weather["dhi"],
        model="isotropic",
    )
    poa_global = poa["poa_global"].fillna(0.0).clip(lower=0.0)
    temp_cell = pvlib.temperature.faiman(poa_global, weather["temp_air"], weather["wind_speed"])
    dc_kw = pvlib.pvsystem.pvwatts_dc(poa_global, temp_cell, pv.peak_kw, pv.gamma_pdc_per_c)
    return (dc_kw * (1.0 - pv.losses_pct / 100.0)).clip(lower=0.0).fillna(0.0)


def _modelled_kw(scenario: Scenario, pv: PvlibPV, index: pd.DatetimeIndex) -> pd.Series:
    step = (
        index[1] - index[0]
        if len(index) > 1
        else pd.Timedelta(minutes=scenario.period.step_minutes)
    )
    mid = index + step / 2
    location = _pvlib_location(scenario)
    solpos = location.get_solarposition(mid)
    weather = WEATHER[pv.weather.kind](scenario, pv.weather, mid, solpos)
    power = pvwatts_power_kw(pv, location, weather, solpos)
    power.index = index
    return power


def _calendar_year(scenario: Scenario, year: int) -> pd.DatetimeIndex:
    return step_index(
        f"{year}-01-01", f"{year + 1}-01-01", scenario.period.step_minutes, scenario.location.tz
    )


def annual_yield_kwh_per_kwp(scenario: Scenario, pv: PvlibPV, year: int) -> float:
    """Modelled (uncalibrated) specific yield of calendar ``year`` at the scenario's step [kWh/kWp]."""
    if pv.peak_kw <= 0:
        return 0.0
    index = _calendar_year(scenario, year)
    power = _modelled_kw(scenario, pv, index)
    return float(power.sum() * scenario.period.step_minutes / 60.0 / pv.peak_kw)


def pv_power_kw(scenario: Scenario, index: pd.DatetimeIndex) -> pd.Series:
    """Available PV power for every step of ``index`` [kW] (zeros without PV).

    With ``target_yield_kwh_per_kwp`` the modelled power is scaled so that the first
    calendar year of the period yields exactly the target.
    """
    pv = scenario.pv
    if pv is None:
        return pd.Series(0.0, index=index, name="pv_kw")
    if isinstance(pv, ProfilePV):
        series = read_series_csv(scenario.resolve(pv.path), pv.column, index, what="pv")
        if (series < 0).any():
            raise ScenarioError(f"{pv.path}: column {pv.column!r} has negative PV power")
        return (series * pv.scale).rename("pv_kw")
    power = _modelled_kw(scenario, pv, index)
    if pv.target_yield_kwh_per_kwp is not None and pv.peak_kw > 0:
        year = _calendar_year(scenario, index[0].year)
        if len(year) == len(index) and year.equals(index):
            modelled = float(power.sum() * scenario.period.step_minutes / 60.0 / pv.peak_kw)
        else:
            modelled = annual_yield_kwh_per_kwp(scenario, pv, index[0].year)
        if modelled > 0:
            power = power * (pv.target_yield_kwh_per_kwp / modelled)
    return power.rename("pv_kw")
