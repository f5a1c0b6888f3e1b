"""Grid signals per step: import and export prices, and grid carbon intensity.

Tariff kinds (:data:`TARIFFS`): ``flat``; ``tou`` (generic time-of-use periods);
``es-2.0td`` and ``es-3.0td`` (Spain's regulated access-tariff periods, with per-period
energy prices that default to the sourced figures below); ``csv`` (e.g. day-ahead prices).

Spanish periods (CNMC Circular 3/2020, https://www.boe.es/buscar/act.php?id=BOE-A-2020-1066;
summarised at https://www.respiraenergia.com/Timetables):

* 2.0TD — P1 weekdays 10–14 and 18–22; P2 weekdays 8–10, 14–18 and 22–24; P3 weekdays 0–8
  and all day on weekends and national holidays.
* 3.0TD (Peninsula) — P6 weekdays 0–8 and all day on weekends and national holidays. From 8
  to 24 on weekdays the season picks two periods, the higher one for 9–14 and 18–22:
  high season (Jan, Feb, Jul, Dec) P1/P2; medium-high (Mar, Nov) P2/P3; medium (Jun, Aug,
  Sep) P3/P4; low (Apr, May, Oct) P4/P5.

National holidays for both are the fixed-date, non-substitutable ones
(:data:`SPAIN_TARIFF_HOLIDAYS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from metroscope.energy.scenario import (
    CsvPrice,
    FlatTariff,
    Scenario,
    Spain20TD,
    Spain30TD,
    TouPeriod,
    TouTariff,
)
from metroscope.energy.timeseries import read_series_csv

__all__ = [
    "SPAIN_20TD_DEFAULT_PRICES",
    "SPAIN_30TD_DEFAULT_PRICES",
    "SPAIN_TARIFF_HOLIDAYS",
    "TARIFFS",
    "co2_kg_per_kwh",
    "day_masks",
    "export_price_eur_per_kwh",
    "import_price_eur_per_kwh",
    "spain_20td_period",
    "spain_30td_period",
    "tou_price",
]

SPAIN_TARIFF_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25),
)  # fmt: skip
"""(month, day) of Spain's fixed-date national holidays that count as weekend days."""

SPAIN_20TD_DEFAULT_PRICES: dict[str, float] = {"P1": 0.2675, "P2": 0.1740, "P3": 0.1536}
SPAIN_20TD_DEFAULT_SOURCE = (
    "PVPC energy prices, October 2025, peak/flat/valley 26.75/17.40/15.36 c/kWh (FACUA, via "
    "https://www.diariodeleon.es/economia/251031/2064670/analisis-facturas-luz-han-subido-media-13-euros-respecto-2024.html)"
)
SPAIN_30TD_DEFAULT_PRICES: dict[str, float] = {
    "P1": 0.183941,
    "P2": 0.166876,
    "P3": 0.159728,
    "P4": 0.158647,
    "P5": 0.149757,
    "P6": 0.144946,
}
SPAIN_30TD_DEFAULT_SOURCE = (
    "Torres Energia 3.0TD energy prices valid to 30 Sep 2023, "
    "https://www.torresenergia.cat/tramits/preus-de-tarifa/"
)


# ----------------------------------------------------------------------------- calendars
def _is_spanish_holiday(local: pd.DatetimeIndex) -> np.ndarray:
    key = np.asarray(local.month) * 100 + np.asarray(local.day)
    return np.isin(key, [m * 100 + d for m, d in SPAIN_TARIFF_HOLIDAYS])


def _country_holidays(local: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    if not country or len(local) == 0:
        return np.zeros(len(local), dtype=bool)
    import holidays

    years = sorted({int(y) for y in np.unique(np.asarray(local.year))})
    days = holidays.country_holidays(country, years=years)
    dates = pd.DatetimeIndex(list(days.keys())).normalize() if len(days) else pd.DatetimeIndex([])
    return np.asarray(local.normalize().isin(dates))


def day_masks(index: pd.DatetimeIndex, country: str | None) -> dict[str, np.ndarray]:
    """Boolean masks per day type of each step (local time): workdays, weekends…"""
    local = index.tz_localize(None) if index.tz is not None else index
    weekend = np.asarray(local.day_of_week) >= 5
    hol = _country_holidays(local, country)
    return {
        "all": np.ones(len(index), dtype=bool),
        "weekdays": ~weekend,
        "weekends": weekend,
        "holidays": hol,
        "workdays": ~weekend & ~hol,
    }


def _local_hour(index: pd.DatetimeIndex) -> np.ndarray:
    local = index.tz_localize(None) if index.tz is not None else index
    return np.asarray(local.hour) + np.asarray(local.minute) / 60.0


# ----------------------------------------------------------------------------- Spain
def spain_20td_period(index: pd.DatetimeIndex) -> np.ndarray:
    """2.0TD energy period (1, 2 or 3) of every step."""
    local = index.tz_localize(None) if index.tz is not None else index
    hour = np.asarray(local.hour)
    off = (np.asarray(local.day_of_week) >= 5) | _is_spanish_holiday(local)
    peak = ((hour >= 10) & (hour < 14)) | ((hour >= 18) & (hour < 22))
    period = np.where(hour < 8, 3, np.where(peak, 1, 2))
    return np.where(off, 3, period).astype(int)


_SEASON_BASE_30TD = {1: 1, 2: 1, 7: 1, 12: 1, 3: 2, 11: 2, 6: 3, 8: 3, 9: 3, 4: 4, 5: 4, 10: 4}


def spain_30td_period(index: pd.DatetimeIndex) -> np.ndarray:
    """3.0TD (Peninsula) energy period (1–6) of every step."""
    local = index.tz_localize(None) if index.tz is not None else index
    hour = np.asarray(local.hour)
    base = np.vectorize(_SEASON_BASE_30TD.__getitem__, otypes=[int])(np.asarray(local.month))
    off = (np.asarray(local.day_of_week) >= 5) | _is_spanish_holiday(local)
    peak = ((hour >= 9) & (hour < 14)) | ((hour >= 18) & (hour < 22))
    period = np.where(hour < 8, 6, np.where(peak, base, base + 1))
    return np.where(off, 6, period).astype(int)


def _period_prices(periods: np.ndarray, prices: dict[str, float]) -> np.ndarray:
    table = np.array([np.nan] + [prices[f"P{i}"] for i in range(1, len(prices) + 1)])
    return table[periods]


# ----------------------------------------------------------------------------- kinds
def tou_price(
    periods: list[TouPeriod], default: float, index: pd.DatetimeIndex, country: str | None
) -> np.ndarray:
    """Price of every step under generic time-of-use periods (first match wins) [EUR/kWh]."""
    price = np.full(len(index), np.nan)
    hour = _local_hour(index)
    local = index.tz_localize(None) if index.tz is not None else index
    month = np.asarray(local.month)
    masks = day_masks(index, country)
    for period in periods:
        in_hours = np.zeros(len(index), dtype=bool)
        for start, end in period.hours:
            in_hours |= (hour >= start) & (hour < end)
        match = in_hours & masks[period.days] & np.isin(month, period.months) & np.isnan(price)
        price[match] = period.price_eur_per_kwh
    return np.where(np.isnan(price), default, price)


def _flat(scenario: Scenario, spec: Any, index: pd.DatetimeIndex) -> np.ndarray:
    assert isinstance(spec, FlatTariff)
    return np.full(len(index), spec.price_eur_per_kwh)


def _tou(scenario: Scenario, spec: Any, index: pd.DatetimeIndex) -> np.ndarray:
    assert isinstance(spec, TouTariff)
    return tou_price(spec.periods, spec.default_price_eur_per_kwh, index, scenario.location.country)


def _es20(scenario: Scenario, spec: Any, index: pd.DatetimeIndex) -> np.ndarray:
    assert isinstance(spec, Spain20TD)
    prices: dict[str, float] = {
        **SPAIN_20TD_DEFAULT_PRICES,
        **{str(k): v for k, v in (spec.prices_eur_per_kwh or {}).items()},
    }
    return _period_prices(spain_20td_period(index), prices)


def _es30(scenario: Scenario, spec: Any, index: pd.DatetimeIndex) -> np.ndarray:
    assert isinstance(spec, Spain30TD)
    prices: dict[str, float] = {
        **SPAIN_30TD_DEFAULT_PRICES,
        **{str(k): v for k, v in (spec.prices_eur_per_kwh or {}).items()},
    }
    return _period_prices(spain_30td_period(index), prices)


def _csv(scenario: Scenario, spec: Any, index: pd.DatetimeIndex) -> np.ndarray:
    assert isinstance(spec, CsvPrice)
    series = read_series_csv(scenario.resolve(spec.path), spec.column, index, what="price")
    return series.to_numpy() * spec.scale


TARIFFS: dict[str, Callable[[Scenario, Any, pd.DatetimeIndex], np.ndarray]] = {
    "flat": _flat,
    "tou": _tou,
    "es-2.0td": _es20,
    "es-3.0td": _es30,
    "csv": _csv,
}
"""Price builders by ``tariff.kind`` (also used for ``export_price``)."""


def import_price_eur_per_kwh(scenario: Scenario, index: pd.DatetimeIndex) -> np.ndarray:
    """Import price of every step [EUR/kWh]."""
    return TARIFFS[scenario.tariff.kind](scenario, scenario.tariff, index)


def export_price_eur_per_kwh(scenario: Scenario, index: pd.DatetimeIndex) -> np.ndarray:
    """Export price of every step [EUR/kWh]."""
    return TARIFFS[scenario.export_price.kind](scenario, scenario.export_price, index)


def co2_kg_per_kwh(scenario: Scenario, index: pd.DatetimeIndex) -> np.ndarray:
    """Grid carbon intensity of every step [kg CO2-eq/kWh]."""
    co2 = scenario.co2
    if co2.kg_per_kwh is not None:
        return np.full(len(index), co2.kg_per_kwh)
    assert co2.path is not None
    series = read_series_csv(scenario.resolve(co2.path), co2.column, index, what="co2")
    return series.to_numpy()
