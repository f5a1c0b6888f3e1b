"""``metroscope energy run | compare | demos`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from tiny_scenarios import tiny_dict, write_yaml
from typer.testing import CliRunner

from metroscope.cli import app

runner = CliRunner()


def test_run_writes_kpis_timeseries_and_sessions(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny_dict())
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["energy", "run", str(scenario), "--strategy", "pv_surplus", "--out", str(out), "-q"]
    )
    assert res.exit_code == 0, res.output
    kpis = json.loads((out / "kpis.json").read_text())
    for key in ("energy_cost_eur", "import_kwh", "export_kwh", "pv_kwh", "self_consumption",
                "self_sufficiency", "peak_import_kw", "co2_kg", "ev_requested_kwh",
                "ev_delivered_kwh", "unmet_kwh", "v2g_discharged_kwh", "steps", "solve_seconds"):  # fmt: skip
        assert key in kpis
    assert kpis["strategy"] == "pv_surplus" and kpis["steps"] == 288
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 288 and "ev_to_building_kw" in ts
    assert len(pd.read_csv(out / "timeseries.csv")) == 288
    assert "delivered_kwh" in pd.read_csv(out / "sessions.csv").columns


def test_compare_prints_every_strategy(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny_dict())
    res = runner.invoke(
        app, ["energy", "compare", str(scenario), "-q", "--out", str(tmp_path / "cmp")]
    )
    assert res.exit_code == 0, res.output
    assert "uncontrolled" in res.output and "pv_surplus" in res.output
    assert "cheapest:" in res.output
    data = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert {"uncontrolled", "pv_surplus"} <= set(data)


def test_demos_lists_the_shipped_scenarios() -> None:
    res = runner.invoke(app, ["energy", "demos"])
    assert res.exit_code == 0
    assert "molins-de-rei" in res.output


def test_a_bad_field_exits_with_a_clear_message(tmp_path: Path) -> None:
    data = tiny_dict()
    data["pv"]["peak_kw"] = -3
    scenario = write_yaml(tmp_path / "bad.yaml", data)
    res = runner.invoke(app, ["energy", "run", str(scenario), "-q", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "field pv.peak_kw" in res.output and "greater than or equal to 0" in res.output


def test_an_unknown_strategy_lists_the_available_ones(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny_dict())
    res = runner.invoke(app, ["energy", "run", str(scenario), "--strategy", "greedy", "-q"])
    assert res.exit_code == 2
    assert "uncontrolled" in res.output


def test_the_documented_example_runs_every_strategy_within_the_model() -> None:
    from metroscope.energy.dispatch import STRATEGIES
    from metroscope.energy.dispatch.problem import check_dispatch
    from metroscope.energy.simulate import build_inputs, load_scenario, simulate

    example = Path(__file__).resolve().parents[2] / "docs/examples/energy/hub-with-csv.yaml"
    sc = load_scenario(str(example))
    inputs = build_inputs(sc)
    problem, plan = inputs
    assert problem.n_sessions == 4
    # the last van leaves after the period ends: refused, and said so
    assert list(plan.sessions["status"]).count("refused: outside the period") == 1
    for name in STRATEGIES:
        result = simulate(sc, name, inputs=inputs)
        assert check_dispatch(inputs[0], result.dispatch) == [], name
        assert result.kpis["unmet_kwh"] < 1e-6
