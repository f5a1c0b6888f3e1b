"""``metroscope energy portfolio``: a real run of a small portfolio file, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from metroscope.cli import app

runner = CliRunner()


def test_portfolio_command_runs_a_file_and_writes_metro_results(tmp_path: Path) -> None:
    days = {"period.start": "2025-06-02", "period.end": "2025-06-04"}
    spec = {
        "name": "two-towns",
        "scenario": "molins-de-rei",
        "strategy": "uncontrolled",
        "sites": [
            {"id": "m", "municipality": "Molins de Rei", "set": days},
            {"id": "g", "municipality": "Gavà", "overrides": {"pv_kw": 15}, "set": days},
        ],
    }
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["energy", "portfolio", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "metro.json").read_text())
    assert meta["metro"]["sites"] == 2 and meta["backend"] == "serial"
    assert "METRO" in result.output and "Gavà" in result.output
    assert (out / "portfolio.html").is_file()


def test_portfolio_command_errors_name_the_problem(tmp_path: Path) -> None:
    result = runner.invoke(app, ["energy", "portfolio", "amb-portfolio", "--workers", "0"])
    assert result.exit_code == 2 and "--workers: must be >= 1" in result.output
    result = runner.invoke(app, ["energy", "portfolio", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "no such portfolio" in result.output
