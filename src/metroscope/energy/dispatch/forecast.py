"""Forecasts for the rolling-horizon strategy: each looks only at data before step ``t``.

A forecaster is a factory ``(series, steps_per_day) -> forecast`` where ``forecast(t, end)``
returns a forecast of ``series[t:end]`` made from ``series[:t]`` (the ``perfect`` oracle aside, which exists to separate
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

Forecaster = Callable[[np.ndarray, int], Callable[[int, int], np.ndarray]]

__all__ = ["LOAD_FORECASTS", "PV_FORECASTS", "Forecaster"]


def _lagged(series: np.ndarray, t: int, end: int, period: int) -> np.ndarray:
    """``series[s − period·j]`` with the smallest ``j ≥ 1`` that lands before ``t``; NaN if none."""
    s = np.arange(t, end)
    back = s - period * ((s - t) // period + 1)
    out = np.full(len(s), np.nan)
    ok = back >= 0
    out[ok] = series[back[ok]]
    return out


def persistence(series: np.ndarray, steps_per_day: int) -> Callable[[int, int], np.ndarray]:
    """Same time of the latest observed day; 0 before one day has been observed."""

    def forecast(t: int, end: int) -> np.ndarray:
        return np.nan_to_num(_lagged(series, t, end, steps_per_day), nan=0.0)

    return forecast


def last_week(series: np.ndarray, steps_per_day: int) -> Callable[[int, int], np.ndarray]:
    """Same time a week earlier, else a day earlier, else the last observed value."""

    def forecast(t: int, end: int) -> np.ndarray:
        out = _lagged(series, t, end, 7 * steps_per_day)
        missing = np.isnan(out)
        if missing.any():
            out[missing] = _lagged(series, t, end, steps_per_day)[missing]
        fallback = float(series[t - 1]) if t > 0 else 0.0
        return np.nan_to_num(out, nan=fallback)

    return forecast


class _Envelopes:
    """Empirical clear-sky envelopes: ``table(k)[s]`` = max of ``series[s − day·j]``, j = k…k+13."""

    def __init__(self, series: np.ndarray, steps_per_day: int) -> None:
        self.series = np.asarray(series, dtype=float)
        self.day = steps_per_day
        self.tables: dict[int, np.ndarray] = {}

    def table(self, k: int) -> np.ndarray:
        if k not in self.tables:
            n = len(self.series)
            env = np.zeros(n)
            for j in range(k, k + 14):
                lag = self.day * j
                if lag < n:
                    env[lag:] = np.maximum(env[lag:], self.series[: n - lag])
            self.tables[k] = env
        return self.tables[k]

    def at(self, steps: np.ndarray, t: int) -> np.ndarray:
        """Envelope of ``steps`` (all ≥ t) from days observed before ``t`` only."""
        k = (steps - t) // self.day + 1
        out = np.empty(len(steps))
        for kk in np.unique(k):
            sel = k == kk
            out[sel] = self.table(int(kk))[steps[sel]]
        return out


def clear_sky_scaled(series: np.ndarray, steps_per_day: int) -> Callable[[int, int], np.ndarray]:
    """Empirical clear-sky envelope × current clearness, blending into the last day's."""
    env = _Envelopes(series, steps_per_day)
    fallback = persistence(series, steps_per_day)
    hour = max(1, steps_per_day // 24)

    def forecast(t: int, end: int) -> np.ndarray:
        if t < steps_per_day:
            return fallback(t, end)
        future = np.arange(t, end)
        envelope = env.at(future, t)
        day_env = env.table(1)[t - steps_per_day : t]  # from days before the past day
        day_out = series[t - steps_per_day : t]
        day_ratio = float(day_out.sum() / day_env.sum()) if day_env.sum() > 0 else 1.0
        recent_env = day_env[-hour:].sum()
        now_ratio = (
            float(series[t - hour : t].sum() / recent_env) if recent_env > 1e-9 else day_ratio
        )
        lead_h = (future - t) * 24.0 / steps_per_day
        weight = np.exp(-lead_h / 3.0)
        ratio = np.clip(weight * now_ratio + (1 - weight) * day_ratio, 0.0, 1.0)
        return envelope * ratio

    return forecast


def perfect(series: np.ndarray, steps_per_day: int) -> Callable[[int, int], np.ndarray]:
    """The actual values (an oracle: for analysis, not a forecast)."""

    def forecast(t: int, end: int) -> np.ndarray:
        return np.asarray(series[t:end], dtype=float).copy()

    return forecast


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
