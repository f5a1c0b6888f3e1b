"""KPIs checked by hand on a four-hour scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_scenarios import tiny

from metroscope.energy.kpis import KPI_KEYS
from metroscope.energy.simulate import simulate


@pytest.fixture
def four_hours(tmp_path: Path):  # type: ignore[no-untyped-def]
    """4 h at 60 min: load 2 kW, PV 0/5/5/0 kW, one car asking 6 kWh from a 4 kW charger."""
    (tmp_path / "pv.csv").write_text(
        "timestamp,pv_kw\n2025-06-02 00:00,0\n2025-06-02 01:00,5\n2025-06-02 02:00,5\n2025-06-02 03:00,0\n"
    )
    (tmp_path / "sessions.csv").write_text(
        "session_id,vehicle_id,arrival,departure,energy_requested_kwh,capacity_kwh,soc_arrival_kwh,max_charge_kw\n"
        "s1,car,2025-06-02 00:00,2025-06-02 04:00,6,40,10,7\n"
    )
    return tiny(
        period={"start": "2025-06-02 00:00", "end": "2025-06-02 04:00", "step_minutes": 60},
        pv={"kind": "profile", "path": str(tmp_path / "pv.csv")},
        load={"kind": "constant", "load_kw": 2.0},
        chargers=[{"power_kw": 4.0, "efficiency": 1.0}],
        sessions={"csv": [str(tmp_path / "sessions.csv")]},
        grid={"import_limit_kw": 20, "export_limit_kw": 10},
        tariff={"kind": "flat", "price_eur_per_kwh": 0.2},
        export_price={"kind": "flat", "price_eur_per_kwh": 0.05},
        co2={"kg_per_kwh": 0.1},
    )


def test_uncontrolled_kpis_by_hand(four_hours) -> None:  # type: ignore[no-untyped-def]
    k = simulate(four_hours, "uncontrolled").kpis
    assert set(KPI_KEYS) <= set(k)
    # charge 4 kW then 2 kW; net per hour: +6, −1, −3, +2 kW
    assert k["import_kwh"] == pytest.approx(8)
    assert k["export_kwh"] == pytest.approx(4)
    assert k["energy_cost_eur"] == pytest.approx(8 * 0.2 - 4 * 0.05)
    assert k["pv_kwh"] == pytest.approx(10)
    assert k["self_consumption"] == pytest.approx(0.6)
    assert k["self_sufficiency"] == pytest.approx(6 / 14)
    assert k["peak_import_kw"] == pytest.approx(6)
    assert k["co2_kg"] == pytest.approx(0.8)
    assert k["ev_requested_kwh"] == pytest.approx(6)
    assert k["ev_delivered_kwh"] == pytest.approx(6)
    assert k["unmet_kwh"] == pytest.approx(0)
    assert k["v2g_discharged_kwh"] == 0 and k["ev_to_building_kwh"] == 0
    assert k["steps"] == 4 and k["sessions"] == 1 and k["sessions_refused"] == 0


def test_pv_surplus_kpis_by_hand(four_hours) -> None:  # type: ignore[no-untyped-def]
    r = simulate(four_hours, "pv_surplus")
    k = r.kpis
    # waits for the 3 kW surplus of hours 1 and 2; imports only the 2 kW load in hours 0 and 3
    assert list(r.timeseries["ev_charge_kw"]) == pytest.approx([0, 3, 3, 0])
    assert k["import_kwh"] == pytest.approx(4)
    assert k["export_kwh"] == pytest.approx(0)
    assert k["energy_cost_eur"] == pytest.approx(0.8)
    assert k["self_consumption"] == pytest.approx(1.0)
    assert k["self_sufficiency"] == pytest.approx(10 / 14)
    row = r.sessions.iloc[0]
    assert (row["requested_kwh"], row["delivered_kwh"], row["unmet_kwh"]) == pytest.approx(
        (6, 6, 0)
    )


def test_timeseries_costs_add_up_to_the_cost_kpi(four_hours) -> None:  # type: ignore[no-untyped-def]
    r = simulate(four_hours, "uncontrolled")
    assert r.timeseries["cost_eur"].sum() == pytest.approx(r.kpis["energy_cost_eur"])
    assert r.timeseries.index.tz is not None
