"""Tariff period tables (Spain 2.0TD and 3.0TD), generic time-of-use and price CSV files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from tiny_scenarios import tiny

from metroscope.energy.scenario import ScenarioError, TouPeriod
from metroscope.energy.tariffs import (
    SPAIN_20TD_DEFAULT_PRICES,
    SPAIN_30TD_DEFAULT_PRICES,
    import_price_eur_per_kwh,
    spain_20td_period,
    spain_30td_period,
    tou_price,
)
from metroscope.energy.timeseries import scenario_index


def _at(*stamps: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(s, tz="Europe/Madrid") for s in stamps])


# 2025-03-12 is a Wednesday, 2025-03-15 a Saturday, 2025-12-25 a Thursday (holiday).
@pytest.mark.parametrize(
    ("stamp", "period"),
    [
        ("2025-03-12 03:00", 3),
        ("2025-03-12 07:45", 3),
        ("2025-03-12 08:00", 2),
        ("2025-03-12 09:59", 2),
        ("2025-03-12 10:00", 1),
        ("2025-03-12 13:45", 1),
        ("2025-03-12 14:00", 2),
        ("2025-03-12 18:00", 1),
        ("2025-03-12 21:45", 1),
        ("2025-03-12 22:00", 2),
        ("2025-03-12 23:45", 2),
        ("2025-03-15 11:00", 3),
        ("2025-12-25 11:00", 3),
        ("2025-01-06 19:00", 3),
        ("2025-04-18 11:00", 1),  # Good Friday: not a fixed-date national holiday
    ],
)
def test_spain_20td_periods(stamp: str, period: int) -> None:
    assert spain_20td_period(_at(stamp))[0] == period


@pytest.mark.parametrize(
    ("stamp", "period"),
    [
        ("2025-01-15 07:00", 6),  # high season
        ("2025-01-15 08:30", 2),
        ("2025-01-15 10:00", 1),
        ("2025-01-15 15:00", 2),
        ("2025-01-15 19:00", 1),
        ("2025-01-15 23:00", 2),
        ("2025-07-16 12:00", 1),
        ("2025-12-10 20:00", 1),
        ("2025-03-12 10:00", 2),  # medium-high
        ("2025-03-12 16:00", 3),
        ("2025-11-12 19:00", 2),
        ("2025-06-11 10:00", 3),  # medium
        ("2025-06-11 16:00", 4),
        ("2025-09-10 21:00", 3),
        ("2025-04-16 10:00", 4),  # low
        ("2025-04-16 16:00", 5),
        ("2025-10-15 08:15", 5),
        ("2025-10-15 07:59", 6),
        ("2025-01-18 12:00", 6),  # Saturday
        ("2025-08-15 12:00", 6),  # national holiday
    ],
)
def test_spain_30td_periods(stamp: str, period: int) -> None:
    assert spain_30td_period(_at(stamp))[0] == period


def test_spain_30td_weekday_hours_add_up() -> None:
    # On every weekday there are 8 h of P6 and 8 h of the season's peak period (9-14, 18-22).
    day = pd.date_range("2025-02-05", periods=96, freq="15min", tz="Europe/Madrid")
    counts = np.bincount(spain_30td_period(day), minlength=7) / 4
    assert counts[6] == 8 and counts[1] == 9 and counts[2] == 7


def test_spain_tariffs_use_their_default_prices() -> None:
    sc = tiny(tariff={"kind": "es-3.0td"})
    idx = scenario_index(sc)
    price = import_price_eur_per_kwh(sc, idx)
    table = {SPAIN_30TD_DEFAULT_PRICES[f"P{p}"] for p in spain_30td_period(idx)}
    assert set(np.unique(price)) == table


def test_configured_period_prices_override_the_defaults() -> None:
    sc = tiny(tariff={"kind": "es-2.0td", "prices_eur_per_kwh": {"P1": 0.5}})
    idx = scenario_index(sc)
    price = import_price_eur_per_kwh(sc, idx)
    period = spain_20td_period(idx)
    assert_allclose(price[period == 1], 0.5)
    assert_allclose(price[period == 3], SPAIN_20TD_DEFAULT_PRICES["P3"])


def test_generic_time_of_use_first_match_wins_and_knows_holidays() -> None:
    periods = [
        TouPeriod(name="holiday", price_eur_per_kwh=0.05, days="holidays"),
        TouPeriod(name="peak", price_eur_per_kwh=0.30, hours=[(17, 23)], days="all"),
        TouPeriod(name="valley", price_eur_per_kwh=0.10, hours=[(0, 7)]),
    ]
    idx = pd.DatetimeIndex(
        [pd.Timestamp(s, tz="America/Montevideo") for s in
         ("2025-03-12 18:00", "2025-03-12 03:00", "2025-03-12 12:00", "2025-05-01 18:00")]
    )  # fmt: skip
    assert_allclose(tou_price(periods, 0.2, idx, "UY"), [0.30, 0.10, 0.20, 0.05])


def test_a_price_csv_is_held_until_the_next_row(tmp_path: Path) -> None:
    hours = pd.date_range(
        "2025-06-02", "2025-06-05", freq="1h", tz="Europe/Madrid", inclusive="left"
    )
    pd.DataFrame({"timestamp": hours, "eur_per_mwh": np.arange(len(hours), dtype=float)}).to_csv(
        tmp_path / "prices.csv", index=False
    )
    sc = tiny(
        tariff={
            "kind": "csv",
            "path": str(tmp_path / "prices.csv"),
            "column": "eur_per_mwh",
            "scale": 0.001,
        }
    )
    price = import_price_eur_per_kwh(sc, scenario_index(sc))
    assert_allclose(price[:8], [0, 0, 0, 0, 0.001, 0.001, 0.001, 0.001])


def test_a_price_csv_names_its_bad_line(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "timestamp,price_eur_per_kwh\n2025-06-02 00:00,0.1\n2025-06-02 01:00,cheap\n"
    )
    sc = tiny(tariff={"kind": "csv", "path": str(tmp_path / "p.csv")})
    with pytest.raises(
        ScenarioError, match=r"p\.csv: line 3, field 'price_eur_per_kwh': 'cheap' is not a number"
    ):
        import_price_eur_per_kwh(sc, scenario_index(sc))


def test_a_price_csv_must_cover_the_period(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "timestamp,price_eur_per_kwh\n2025-06-02 00:00,0.1\n2025-06-02 01:00,0.2\n"
    )
    sc = tiny(tariff={"kind": "csv", "path": str(tmp_path / "p.csv")})
    with pytest.raises(ScenarioError, match="does not cover the scenario period"):
        import_price_eur_per_kwh(sc, scenario_index(sc))


def test_a_co2_series_is_read_from_csv(tmp_path: Path) -> None:
    from metroscope.energy.tariffs import co2_kg_per_kwh

    hours = pd.date_range(
        "2025-06-02", "2025-06-05", freq="1h", tz="Europe/Madrid", inclusive="left"
    )
    pd.DataFrame({"timestamp": hours, "g_per_kwh": np.linspace(100, 300, len(hours))}).assign(
        co2_kg_per_kwh=lambda f: f["g_per_kwh"] / 1000
    ).to_csv(tmp_path / "co2.csv", index=False)
    sc = tiny(co2={"path": str(tmp_path / "co2.csv"), "source": "test"})
    co2 = co2_kg_per_kwh(sc, scenario_index(sc))
    assert_allclose(co2[:4], 0.1)
    assert co2.max() == pytest.approx(0.3)


def test_co2_takes_a_constant_or_a_series_not_both() -> None:
    with pytest.raises(ScenarioError, match="exactly one of kg_per_kwh or path"):
        tiny(co2={"kg_per_kwh": 0.2, "path": "co2.csv"})
