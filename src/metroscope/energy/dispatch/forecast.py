"""Forecasts for the rolling-horizon strategy: each looks only at data before step ``t``.

A forecaster is ``(series, t, end, steps_per_day) -> array`` giving a forecast of
``series[t:end]`` from ``series[:t]`` (the ``perfect`` oracle aside, which exists to separate
the cost of not knowing the future sessions from the cost of forecast errors).

``PV_FORECASTS``
    ``persistence``: the same time of the latest observed day.
    ``clear_sky_scaled``: an empirical clear-sky envelope (the highest output at the same
    time of day over the past 14 observed days) scaled by how clear it is now — the ratio of
    the last hour's output to its envelope — blending over about 3 h into the last day's
    ratio.
    ``perfect``: the actual series (an oracle, for analysis only).
``LOAD_FORECASTS``
    ``last_week``: the same time a week earlier (a day earlier during the first week).
    ``perfect``: the actual series (oracle).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Forecaster = Callable[[np.ndarray, int, int, int], np.ndarray]

__all__ = ["LOAD_FORECASTS", "PV_FORECASTS", "Forecaster"]


def _lagged(series: np.ndarray, t: int, end: int, period: int) -> np.ndarray:
    """``series[s − period·j]`` with the smallest ``j ≥ 1`` that lands before ``t``; NaN if none."""
    s = np.arange(t, end)
    back = s - period * ((s - t) // period + 1)
    out = np.full(len(s), np.nan)
    ok = back >= 0
    out[ok] = series[back[ok]]
    return out


def persistence(series: np.ndarray, t: int, end: int, steps_per_day: int) -> np.ndarray:
    """Same time of the latest observed day; 0 before one day has been observed."""
    return np.nan_to_num(_lagged(series, t, end, steps_per_day), nan=0.0)


def last_week(series: np.ndarray, t: int, end: int, steps_per_day: int) -> np.ndarray:
    """Same time a week earlier, else a day earlier, else the last observed value."""
    out = _lagged(series, t, end, 7 * steps_per_day)
    missing = np.isnan(out)
    if missing.any():
        out[missing] = _lagged(series, t, end, steps_per_day)[missing]
    fallback = float(series[t - 1]) if t > 0 else 0.0
    return np.nan_to_num(out, nan=fallback)


def _envelope(series: np.ndarray, steps: np.ndarray, t: int, steps_per_day: int) -> np.ndarray:
    """Highest value at the same time of day over the 14 latest days observed before ``t``."""
    first = (np.maximum(steps - t, -1) // steps_per_day) + 1  # first lag (days) before t
    env = np.zeros(len(steps))
    for j in range(14):
        back = steps - steps_per_day * (first + j)
        ok = back >= 0
        env[ok] = np.maximum(env[ok], series[back[ok]])
    return env


def clear_sky_scaled(series: np.ndarray, t: int, end: int, steps_per_day: int) -> np.ndarray:
    """Empirical clear-sky envelope × current clearness, blending into the last day's."""
    if t < steps_per_day:
        return persistence(series, t, end, steps_per_day)
    future = np.arange(t, end)
    envelope = _envelope(series, future, t, steps_per_day)
    day_steps = np.arange(t - steps_per_day, t)
    day_env = _envelope(series, day_steps, t - steps_per_day, steps_per_day)
    # the past day's envelope uses days before that day, so it never sees its own output
    day_ratio = float(series[day_steps].sum() / day_env.sum()) if day_env.sum() > 0 else 1.0
    hour = max(1, steps_per_day // 24)
    recent_env = day_env[-hour:].sum()
    now_ratio = float(series[t - hour : t].sum() / recent_env) if recent_env > 1e-9 else day_ratio
    lead_h = (future - t) * 24.0 / steps_per_day
    weight = np.exp(-lead_h / 3.0)
    ratio = np.clip(weight * now_ratio + (1 - weight) * day_ratio, 0.0, 1.0)
    return envelope * ratio


def perfect(series: np.ndarray, t: int, end: int, steps_per_day: int) -> np.ndarray:
    """The actual values (an oracle: for analysis, not a forecast)."""
    return np.asarray(series[t:end], dtype=float).copy()


PV_FORECASTS: dict[str, Forecaster] = {
    "persistence": persistence,
    "clear_sky_scaled": clear_sky_scaled,
    "perfect": perfect,
}
LOAD_FORECASTS: dict[str, Forecaster] = {
    "last_week": last_week,
    "persistence": persistence,
    "perfect": perfect,
}
