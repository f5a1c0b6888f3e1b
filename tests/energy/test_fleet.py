"""EV sessions: CSV validation with file/line/field errors, generation, charger assignment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tiny_scenarios import tiny

from metroscope.energy.fleet import (
    Charger,
    assign_chargers,
    expand_chargers,
    plan_fleet,
    read_sessions_csv,
)
from metroscope.energy.scenario import ChargerGroup, ScenarioError
from metroscope.energy.timeseries import scenario_index, step_index

HEADER = "session_id,vehicle_id,arrival,departure,energy_requested_kwh,capacity_kwh,soc_arrival_kwh,max_charge_kw,max_discharge_kw,v2g\n"


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def test_it_reads_valid_rows_in_local_time(tmp_path: Path) -> None:
    path = _csv(tmp_path, "a,car1,2025-06-02 08:00,2025-06-02 12:00,10,40,20,7.4,7.4,true")
    frame = read_sessions_csv(path, "Europe/Madrid")
    assert frame.loc[0, "arrival"] == pd.Timestamp("2025-06-02 08:00", tz="Europe/Madrid")
    assert bool(frame.loc[0, "v2g"]) is True
    assert frame.loc[0, "source"] == "sessions.csv"


@pytest.mark.parametrize(
    ("row", "field", "hint"),
    [
        (
            "a,car1,2025-06-02 08:00,2025-06-02 07:00,10,40,20,7.4,0,false",
            "row",
            "departure must be after arrival",
        ),
        ("a,car1,not-a-date,2025-06-02 12:00,10,40,20,7.4,0,false", "arrival", "datetime"),
        (
            "a,car1,2025-06-02 08:00,2025-06-02 12:00,-1,40,20,7.4,0,false",
            "energy_requested_kwh",
            "greater than or equal to 0",
        ),
        (
            "a,car1,2025-06-02 08:00,2025-06-02 12:00,10,40,50,7.4,0,false",
            "row",
            "soc_arrival_kwh must not exceed capacity_kwh",
        ),
        ("a,car1,2025-06-02 08:00,2025-06-02 12:00,10,40,20,7.4,0,perhaps", "v2g", "boolean"),
    ],
)
def test_a_bad_row_names_file_line_and_field(
    tmp_path: Path, row: str, field: str, hint: str
) -> None:
    good = "ok,car0,2025-06-02 08:00,2025-06-02 12:00,10,40,20,7.4,0,false"
    path = _csv(tmp_path, good, row)
    with pytest.raises(ScenarioError) as err:
        read_sessions_csv(path, "Europe/Madrid")
    msg = str(err.value)
    assert "sessions.csv: line 3" in msg
    assert f"field '{field}'" in msg
    assert hint in msg


def test_an_unknown_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("vehicle_id,arival\ncar,2025-01-01\n")
    with pytest.raises(ScenarioError, match=r"s\.csv: line 1: unknown column\(s\) \['arival'\]"):
        read_sessions_csv(path, "Europe/Madrid")


def test_a_vehicle_cannot_be_in_two_places(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "a,car1,2025-06-02 08:00,2025-06-02 12:00,10,40,20,7.4,0,false",
        "b,car1,2025-06-02 11:00,2025-06-02 13:00,10,40,20,7.4,0,false",
    )
    with pytest.raises(
        ScenarioError,
        match=r"line 3, field 'arrival': vehicle 'car1' arrives before leaving its session on line 2",
    ):
        read_sessions_csv(path, "Europe/Madrid")


def _sessions(*spans: tuple[str, str, bool]) -> pd.DataFrame:
    rows = []
    for i, (a, d, v2g) in enumerate(spans):
        rows.append(
            {
                "session_id": f"s{i}", "vehicle_id": f"v{i}", "source": "t",
                "arrival": pd.Timestamp(a, tz="UTC"), "departure": pd.Timestamp(d, tz="UTC"),
                "energy_requested_kwh": 5.0, "capacity_kwh": 40.0, "soc_arrival_kwh": 10.0,
                "min_soc_kwh": 0.0, "max_charge_kw": 7.0, "max_discharge_kw": 7.0, "v2g": v2g,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_a_session_gets_a_free_charger_or_is_refused_with_a_reason() -> None:
    idx = step_index("2025-01-01", "2025-01-02", 15, "UTC")
    chargers = [Charger("c1", 7.0, 0.9, False), Charger("c2", 7.0, 0.9, True)]
    out = assign_chargers(
        _sessions(
            ("2025-01-01 08:00", "2025-01-01 10:00", True),  # → bidirectional c2
            ("2025-01-01 08:05", "2025-01-01 09:00", False),  # → c1, steps 33..36
            ("2025-01-01 08:30", "2025-01-01 09:30", False),  # both busy → refused
            ("2025-01-01 09:00", "2025-01-01 11:00", False),  # c1 free again at step 36
            ("2025-01-01 12:00", "2025-01-01 12:10", False),  # no whole step
            ("2024-12-31 23:00", "2025-01-01 01:00", False),  # starts before the period
        ),
        chargers,
        idx,
    ).set_index("session_id")
    assert out.loc["s0", "charger"] == "c2"
    assert (
        out.loc["s1", "charger"],
        out.loc["s1", "arrival_step"],
        out.loc["s1", "departure_step"],
    ) == ("c1", 33, 36)
    assert out.loc["s2", "status"] == "refused: no free charger"
    assert out.loc["s3", "charger"] == "c1"
    assert out.loc["s4", "status"] == "refused: shorter than one step"
    assert out.loc["s5", "status"] == "refused: outside the period"


def test_charger_groups_expand_to_numbered_units() -> None:
    units = expand_chargers([ChargerGroup(name="depot", count=3, power_kw=11, bidirectional=True)])
    assert [u.charger_id for u in units] == ["depot-1", "depot-2", "depot-3"]


def test_generated_sessions_are_reproducible_and_respect_the_profile() -> None:
    sc = tiny()
    idx = scenario_index(sc)
    a = plan_fleet(sc, idx).sessions
    b = plan_fleet(sc, idx).sessions
    pd.testing.assert_frame_equal(a, b)
    assert not a.empty
    fleet = a[a["source"] == "municipal_fleet"]
    # overnight fleet: back in the afternoon, out the next working morning
    assert (fleet["departure"].dt.date > fleet["arrival"].dt.date).all()
    assert (a["energy_requested_kwh"] <= a["capacity_kwh"] - a["soc_arrival_kwh"] + 1e-9).all()
    other = plan_fleet(tiny(sessions={**sc.sessions.model_dump(), "seed": 4}), idx).sessions
    assert not other["arrival"].equals(a["arrival"])


def test_a_fleet_vehicle_never_overlaps_itself() -> None:
    sc = tiny(period={"start": "2025-01-01", "end": "2025-03-01", "step_minutes": 15})
    frame = plan_fleet(sc, scenario_index(sc)).sessions.sort_values(["vehicle_id", "arrival"])
    prev = frame.groupby("vehicle_id")["departure"].shift(1)
    assert ((frame["arrival"] >= prev) | prev.isna()).all()


def _ev2gym_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("ev2gym") is not None


@pytest.mark.skipif(not _ev2gym_installed(), reason="ev2gym not installed: pip install ev2gym")
def test_ev2gym_profiles_draw_from_its_shipped_distributions() -> None:
    import json

    from metroscope.energy.ev2gym_data import ev2gym_data_dir
    from metroscope.energy.scenario import SessionProfile

    profile = {"kind": "ev2gym", "segment": "workplace", "sessions_per_day": 8, "days": "weekdays"}
    sc = tiny(
        period={"start": "2025-03-03", "end": "2025-03-31", "step_minutes": 15},
        sessions={"seed": 5, "profiles": [profile]},
        chargers=[{"count": 40, "power_kw": 11, "bidirectional": True}],
    )
    frame = plan_fleet(sc, scenario_index(sc)).sessions
    again = plan_fleet(sc, scenario_index(sc)).sessions
    pd.testing.assert_frame_equal(frame, again)
    assert (frame["arrival"].dt.day_of_week < 5).all()
    data = ev2gym_data_dir(SessionProfile(**profile))
    specs = json.loads((data / "ev_specs_v2g_enabled2024.json").read_text())
    assert set(frame["capacity_kwh"]) <= {float(s["battery_capacity"]) for s in specs.values()}
    # workplace arrivals: the shipped weights put most of the mass in the morning
    weights = pd.read_csv(data / "distribution-of-arrival.csv", encoding="utf-8-sig")["workplace"]
    expected_mean_h = float((weights.index * 0.25 + 0.125) @ weights / weights.sum())
    arrival_h = frame["arrival"].dt.hour + frame["arrival"].dt.minute / 60
    assert abs(arrival_h.mean() - expected_mean_h) < 0.5


def test_an_ev2gym_profile_without_its_data_says_how_to_get_it(tmp_path: Path) -> None:
    profile = {"kind": "ev2gym", "data_dir": str(tmp_path)}
    sc = tiny(sessions={"profiles": [profile]})
    with pytest.raises(ScenarioError, match="holds no EV2Gym data files"):
        plan_fleet(sc, scenario_index(sc))
