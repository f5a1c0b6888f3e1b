"""``metroscope energy sweep``: a real small sweep, and errors naming the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from metroscope.cli import app
from metroscope.energy.simulate import load_scenario
from metroscope.energy.variants import apply_overrides

runner = CliRunner()


@pytest.fixture(scope="module")
def week_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = apply_overrides(
        load_scenario("molins-de-rei"),
        paths={"period.start": "2025-06-02", "period.end": "2025-06-09"},
    )
    path = tmp_path_factory.mktemp("scen") / "week.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json")), encoding="utf-8")
    return path


def test_sweep_writes_its_table_json_and_pareto_page(week_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "energy",
            "sweep",
            str(week_yaml),
            "--pv-kw",
            "0:20:10",
            "--chargers",
            "1:2",
            "--strategy",
            "pv_surplus",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "sweep.json").read_text())
    assert len(data["points"]) == 6
    assert {(p["pv_kwp"], p["chargers"]) for p in data["points"]} == {
        (pv, c) for pv in (0.0, 10.0, 20.0) for c in (1, 2)
    }
    assert (out / "pareto.html").is_file() and (out / "sweep.csv").is_file()
    assert "NPV" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--pv-kw", "10:5", "--chargers", "1"], "--pv-kw: the end 5 is below the start 10"),
        (["--pv-kw", "0:10:0", "--chargers", "1"], "--pv-kw: the step 0 must be > 0"),
        (["--pv-kw", "0:10", "--chargers", "1.5:2"], "--chargers: '1.5:2' must hold whole"),
        (["--pv-kw", "0:10", "--chargers", "x"], "--chargers: 'x' holds a non-number"),
        (["--pv-kw", "0:10", "--chargers", "1", "--discount-rate", "2"], "--discount-rate"),
        (["--pv-kw", "0:10", "--chargers", "1", "--workers", "0"], "--workers: must be >= 1"),
    ],
)
def test_bad_ranges_name_the_option(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["energy", "sweep", "molins-de-rei", *args])
    assert result.exit_code == 2
    assert fragment in " ".join(result.output.split())


def test_unknown_scenario_is_a_clear_error() -> None:
    result = runner.invoke(app, ["energy", "sweep", "atlantis", "--pv-kw", "0", "--chargers", "1"])
    assert result.exit_code == 2
    assert "atlantis" in result.output
