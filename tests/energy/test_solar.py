"""PV model: pvlib numbers against values derived independently in the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
from numpy.testing import assert_allclose
from tiny_scenarios import tiny

from metroscope.energy.scenario import PvlibPV
from metroscope.energy.solar import annual_yield_kwh_per_kwp, pv_power_kw, pvwatts_power_kw
from metroscope.energy.timeseries import scenario_index


def test_horizontal_array_power_follows_pvwatts_by_hand() -> None:
    # A horizontal array sees GHI exactly (isotropic sky, tilt 0: no ground reflection).
    times = pd.date_range("2025-06-21 10:00", periods=3, freq="1h", tz="Europe/Madrid")
    loc = pvlib.location.Location(41.414, 2.016, tz="Europe/Madrid")
    zen = loc.get_solarposition(times)["apparent_zenith"].to_numpy()
    dni = np.array([800.0, 850.0, 900.0])
    dhi = np.array([100.0, 110.0, 120.0])
    ghi = dni * np.cos(np.radians(zen)) + dhi
    weather = pd.DataFrame(
        {"ghi": ghi, "dni": dni, "dhi": dhi, "temp_air": 30.0, "wind_speed": 2.0}, index=times
    )
    pv = PvlibPV(peak_kw=10, tilt_deg=0, azimuth_deg=180, losses_pct=14, gamma_pdc_per_c=-0.004)
    got = pvwatts_power_kw(pv, loc, weather).to_numpy()
    # Faiman: Tc = Ta + E / (u0 + u1·ws), u0 = 25, u1 = 6.84; PVWatts: P = P0·E/1000·(1+γ(Tc−25))
    t_cell = 30.0 + ghi / (25.0 + 6.84 * 2.0)
    expected = 10.0 * ghi / 1000.0 * (1 - 0.004 * (t_cell - 25.0)) * (1 - 0.14)
    assert_allclose(got, expected, rtol=1e-9)


def test_calibration_hits_the_target_yield_over_the_calendar_year() -> None:
    sc = tiny(
        period={"start": "2025-01-01", "end": "2026-01-01", "step_minutes": 60},
        pv={
            "kind": "pvlib",
            "peak_kw": 10,
            "tilt_deg": 10,
            "target_yield_kwh_per_kwp": 1410,
            "target_yield_source": "test",
        },
    )
    power = pv_power_kw(sc, scenario_index(sc))
    assert_allclose(power.sum() * 1.0, 1410 * 10, rtol=1e-9)


def test_a_short_period_is_scaled_like_its_year() -> None:
    pv = {"kind": "pvlib", "peak_kw": 10, "tilt_deg": 10}
    target = {"target_yield_kwh_per_kwp": 1000, "target_yield_source": "test"}
    sc_raw = tiny(pv=pv)
    sc_cal = tiny(pv={**pv, **target})
    idx = scenario_index(sc_raw)
    raw = pv_power_kw(sc_raw, idx)
    cal = pv_power_kw(sc_cal, idx)
    year_yield = annual_yield_kwh_per_kwp(sc_raw, sc_raw.pv, 2025)  # type: ignore[arg-type]
    assert_allclose(cal.to_numpy(), raw.to_numpy() * 1000 / year_yield, rtol=1e-9)


def test_clear_sky_overstates_catalan_measured_yield() -> None:
    sc = tiny(pv={"kind": "pvlib", "peak_kw": 1, "tilt_deg": 30})
    assert annual_yield_kwh_per_kwp(sc, sc.pv, 2025) > 1550  # type: ignore[arg-type]


def test_power_is_zero_at_night_and_peaks_at_solar_noon() -> None:
    sc = tiny(period={"start": "2025-06-21", "end": "2025-06-22", "step_minutes": 5})
    power = pv_power_kw(sc, scenario_index(sc))
    assert power.between_time("23:00", "04:00").max() == 0.0
    # Solar noon by hand: 12:00 UTC − longitude/15 h − equation of time (≈ −1.7 min on
    # 21 June, so noon is later), +2 h CEST ≈ 13:53:40 local; the 5-min step containing it peaks.
    eot_min = pvlib.solarposition.equation_of_time_spencer71(172)
    noon = pd.Timestamp("2025-06-21 12:00", tz="UTC") + pd.Timedelta(
        minutes=-2.016 * 4 - float(eot_min)
    )
    peak = power.idxmax()
    assert (
        abs((peak + pd.Timedelta(minutes=2.5) - noon.tz_convert("Europe/Madrid")).total_seconds())
        <= 300
    )


def test_southern_sites_face_north() -> None:
    base = {"lat_deg": -34.9, "lon_deg": -56.16, "tz": "America/Montevideo", "country": "UY"}
    north = tiny(
        location=base, pv={"kind": "pvlib", "peak_kw": 1, "tilt_deg": 30, "azimuth_deg": 0}
    )
    south = tiny(
        location=base, pv={"kind": "pvlib", "peak_kw": 1, "tilt_deg": 30, "azimuth_deg": 180}
    )
    assert annual_yield_kwh_per_kwp(north, north.pv, 2025) > 1.2 * annual_yield_kwh_per_kwp(
        south, south.pv, 2025
    )  # type: ignore[arg-type]


def test_a_profile_csv_is_averaged_to_the_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    times = pd.date_range(
        "2025-06-02", "2025-06-05", freq="5min", tz="Europe/Madrid", inclusive="left"
    )
    values = np.tile([0.0, 3.0, 6.0], len(times) // 3)
    pd.DataFrame({"timestamp": times, "pv_kw": values}).to_csv(tmp_path / "pv.csv", index=False)
    sc = tiny(pv={"kind": "profile", "path": str(tmp_path / "pv.csv")})
    power = pv_power_kw(sc, scenario_index(sc))
    assert_allclose(power.to_numpy(), 3.0)


def _write_epw(path, lat: float, lon: float) -> None:  # type: ignore[no-untyped-def]
    """An EPW file whose irradiance is pvlib's clear sky at the middle of each hour."""
    tz = "Etc/GMT-1"  # EPW files use local standard time
    starts = pd.date_range("2025-01-01", periods=8760, freq="1h", tz=tz)
    cs = pvlib.location.Location(lat, lon, tz=tz).get_clearsky(starts + pd.Timedelta(minutes=30))
    header = [
        f"LOCATION,Test,CT,ESP,synthetic,000000,{lat},{lon},1.0,30.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,synthetic clear sky for a test",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Wednesday, 1/ 1,12/31",
    ]
    lines = []
    for t, row in zip(starts, cs.itertuples(), strict=True):
        end = t + pd.Timedelta(hours=1)  # EPW stamps the end of the hour, 1-24
        hour = 24 if end.hour == 0 else end.hour
        day = t if end.hour == 0 else end
        values = [2025, day.month, day.day, hour, 0, "?", 20.0, 10.0, 50, 101325, 0, 0, 300,
                  row.ghi, row.dni, row.dhi, 0, 0, 0, 0, 180, 1.0, 0, 0, 9999, 99999, 9, 999999999,
                  10, 0.1, 0, 88, 0.2, 0, 1.0]  # fmt: skip
        lines.append(",".join(str(v) for v in values))
    path.write_text("\n".join(header + lines) + "\n")


def test_an_epw_file_gives_the_clear_sky_power_it_was_made_from(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _write_epw(tmp_path / "site.epw", 41.414, 2.016)
    period = {"start": "2025-06-01", "end": "2025-06-08", "step_minutes": 60}
    weather_epw = {"kind": "epw", "path": str(tmp_path / "site.epw")}
    base = {"kind": "pvlib", "peak_kw": 10, "tilt_deg": 20}
    via_epw = tiny(period=period, pv={**base, "weather": weather_epw})
    via_cs = tiny(period=period, pv=base)
    idx = scenario_index(via_cs)
    got = pv_power_kw(via_epw, idx).to_numpy()
    want = pv_power_kw(via_cs, idx).to_numpy()
    assert got.max() > 5
    assert_allclose(got, want, rtol=1e-6, atol=1e-6)
