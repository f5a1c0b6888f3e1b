"""Sizing sweeps: pricing of a point by hand, and a real sweep on a week of the demo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from metroscope.energy.finance import CostAssumptions, pareto_front
from metroscope.energy.scenario import ScenarioError
from metroscope.energy.simulate import load_scenario
from metroscope.energy.sizing import SweepResult, evaluate_point, sweep, write_sweep
from metroscope.energy.variants import apply_overrides


def test_a_point_is_priced_as_worked_out_by_hand() -> None:
    # a tenth of a year simulated: every figure scales by 10
    kpis = {"energy_cost_eur": 100.0, "co2_kg": 50.0, "unmet_kwh": 0.5, "period_h": 876.0}
    base = {"energy_cost_eur": 300.0, "co2_kg": 80.0, "period_h": 876.0}
    row = evaluate_point(10.0, 1, kpis, base, CostAssumptions())
    assert row["capex_eur"] == pytest.approx(17078.05)
    assert row["opex_eur_per_year"] == pytest.approx(256.17075)  # 1.5 % of capex
    assert row["energy_cost_eur_per_year"] == pytest.approx(1000.0)
    assert row["baseline_cost_eur_per_year"] == pytest.approx(3000.0)
    assert row["saving_eur_per_year"] == pytest.approx(2000.0)
    assert row["net_eur_per_year"] == pytest.approx(1743.82925)
    # NPV = -17078.05 + 1743.82925 * 13.590326 (4 %, 20 years)
    assert row["npv_eur"] == pytest.approx(-17078.05 + 1743.82925 * 13.590326, abs=0.01)
    assert row["simple_payback_years"] == pytest.approx(17078.05 / 1743.82925)
    assert row["co2_kg_per_year"] == pytest.approx(500.0)
    assert row["co2_saving_kg_per_year"] == pytest.approx(300.0)
    assert row["unmet_kwh_per_year"] == pytest.approx(5.0)
    # annualised cost = capex / 13.590326 + opex + energy
    assert row["annualised_cost_eur_per_year"] == pytest.approx(
        17078.05 / 13.590326 + 256.17075 + 1000.0, abs=0.01
    )


def test_a_point_that_never_pays_back_has_nan_paybacks() -> None:
    kpis = {"energy_cost_eur": 300.0, "co2_kg": 80.0, "period_h": 8760.0}
    row = evaluate_point(10.0, 1, kpis, dict(kpis), CostAssumptions())
    assert np.isnan(row["simple_payback_years"]) and np.isnan(row["discounted_payback_years"])
    assert row["npv_eur"] < -17078.05


@pytest.fixture(scope="module")
def week_sweep() -> SweepResult:
    scenario = apply_overrides(
        load_scenario("molins-de-rei"),
        paths={"period.start": "2025-06-02", "period.end": "2025-06-09"},
    )
    return sweep(scenario, [0.0, 20.0], [1, 2], show_progress=False)


def test_sweep_has_one_row_per_point_and_a_correct_pareto_column(week_sweep: SweepResult) -> None:
    t = week_sweep.table
    assert list(zip(t["pv_kwp"], t["chargers"], strict=True)) == [
        (0.0, 1),
        (20.0, 1),
        (0.0, 2),
        (20.0, 2),
    ]
    expected = pareto_front(
        t["annualised_cost_eur_per_year"].to_numpy(), t["co2_kg_per_year"].to_numpy()
    )
    assert t["pareto"].tolist() == expected.tolist()
    assert t["pareto"].any()


def test_sweep_points_behave_physically(week_sweep: SweepResult) -> None:
    t = week_sweep.table.set_index(["pv_kwp", "chargers"])
    for c in (1, 2):
        # optimal dispatch without PV costs no more than the uncontrolled baseline
        assert t.loc[(0.0, c), "saving_eur_per_year"] >= -1e-6
        # PV lowers grid CO2 and raises the saving
        assert t.loc[(20.0, c), "co2_kg_per_year"] < t.loc[(0.0, c), "co2_kg_per_year"]
        assert t.loc[(20.0, c), "saving_eur_per_year"] > t.loc[(0.0, c), "saving_eur_per_year"]
    assert (week_sweep.baselines["pv_kwh"] == 0).all()
    assert week_sweep.best()["pv_kwp"] == 20.0


def test_write_sweep_writes_csv_json_and_pareto_page(
    week_sweep: SweepResult, tmp_path: Path
) -> None:
    paths = write_sweep(week_sweep, tmp_path)
    data = json.loads(paths["json"].read_text())
    assert len(data["points"]) == 4 and data["costs"]["lifetime_years"] == 20
    assert any("interregeurope" in n for n in data["notes"])
    page = paths["html"].read_text()
    assert "Pareto front" in page and "ASSUMPTION" in page
    assert paths["csv"].read_text().startswith("pv_kwp,chargers,capex_eur")


def test_sweep_rejects_a_scenario_it_cannot_resize() -> None:
    scenario = load_scenario("molins-de-rei")
    with pytest.raises(ScenarioError, match="fleet_size: the base scenario has no municipal_fleet"):
        apply_overrides(
            apply_overrides(scenario, paths={"sessions.profiles": []}), {"fleet_size": 3}
        )
    with pytest.raises(ScenarioError, match="unknown override 'pv_kwp'"):
        apply_overrides(scenario, {"pv_kwp": 3})
    with pytest.raises(ScenarioError, match=r"'grid\.nope' does not exist"):
        apply_overrides(scenario, paths={"grid.nope.x": 1})
    with pytest.raises(ValueError, match="at least one PV size"):
        sweep(scenario, [], [1], show_progress=False)
