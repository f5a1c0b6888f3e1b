"""Portfolios: the YAML format, aggregation, and runs in process, on processes and on Dask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from metroscope.energy.portfolio import (
    SUMMED_KPIS,
    Portfolio,
    PortfolioResult,
    load_portfolio,
    portfolio_json_schema,
    run_portfolio,
    write_portfolio_outputs,
)
from metroscope.energy.scenario import ScenarioError

SCHEMA = Path(__file__).parents[2] / "docs" / "schemas" / "energy-portfolio.schema.json"
WEEK = {"period.start": "2025-06-02", "period.end": "2025-06-09"}


def small_portfolio(strategy: str = "uncontrolled", period: dict | None = None) -> Portfolio:
    """Three one-week sites in two municipalities (sizes are test values)."""
    week = period or WEEK
    return Portfolio.model_validate(
        {
            "name": "test-portfolio",
            "scenario": "molins-de-rei",
            "strategy": strategy,
            "sites": [
                {"id": "a", "municipality": "Molins de Rei", "set": week},
                {
                    "id": "b",
                    "municipality": "Badalona",
                    "overrides": {"latitude_deg": 41.447, "longitude_deg": 2.245, "pv_kw": 20},
                    "set": {**week, "sessions.seed": 7},
                },
                {
                    "id": "c",
                    "municipality": "Badalona",
                    "overrides": {"chargers": 2, "fleet_size": 2, "building_annual_kwh": 90000},
                    "set": {**week, "sessions.seed": 8},
                },
            ],
        }
    )


@pytest.fixture(scope="module")
def serial_result() -> PortfolioResult:
    return run_portfolio(small_portfolio(), workers=1, show_progress=False)


def test_metro_totals_are_the_sum_of_the_sites(serial_result: PortfolioResult) -> None:
    sites, metro = serial_result.sites, serial_result.metro
    assert metro["sites"] == 3
    for key in SUMMED_KPIS:
        assert metro[key] == pytest.approx(sites[key].sum(), rel=1e-12, abs=1e-9), key
    assert metro["peak_import_kw_sum"] == pytest.approx(sites["peak_import_kw"].sum())
    assert metro["pv_kwp"] == 10 + 20 + 10
    assert metro["chargers"] == 1 + 1 + 2


def test_municipality_rows_add_up_to_the_metro(serial_result: PortfolioResult) -> None:
    m = serial_result.municipalities.set_index("municipality")
    assert m.loc["Badalona", "sites"] == 2 and m.loc["Molins de Rei", "sites"] == 1
    sites = serial_result.sites
    bad = sites[sites["municipality"] == "Badalona"]
    assert m.loc["Badalona", "import_kwh"] == pytest.approx(bad["import_kwh"].sum())
    for key in ("energy_cost_eur", "co2_kg", "pv_kwh", "ev_delivered_kwh"):
        assert m[key].sum() == pytest.approx(serial_result.metro[key])


def test_ratios_are_recomputed_from_summed_parts(serial_result: PortfolioResult) -> None:
    sites, metro = serial_result.sites, serial_result.metro
    local = sites["pv_used_kwh"] - sites["export_kwh"]
    assert metro["self_sufficiency"] == pytest.approx(
        local.sum() / (local.sum() + sites["import_kwh"].sum())
    )
    # each site's own ratio is what the KPI module computed
    assert (sites["local_pv_kwh"] / sites["consumption_kwh"]).tolist() == pytest.approx(
        sites["self_sufficiency"].tolist()
    )


def test_overrides_reach_the_simulated_sites(serial_result: PortfolioResult) -> None:
    s = serial_result.sites.set_index("site")
    assert s.loc["b", "pv_kwh"] == pytest.approx(
        2 * s.loc["a", "pv_kwh"], rel=0.02
    )  # other place, same yield target
    assert s.loc["b", "lat_deg"] == 41.447
    assert s.loc["c", "chargers"] == 2


def test_local_processes_give_the_same_rows(serial_result: PortfolioResult) -> None:
    result = run_portfolio(small_portfolio(), workers=2, show_progress=False)
    assert result.backend == "processes"
    cols = ["site", "energy_cost_eur", "import_kwh", "co2_kg"]
    assert result.sites[cols].equals(serial_result.sites[cols])


@pytest.mark.slow
def test_a_dask_cluster_named_by_dask_scheduler_address_gives_the_same_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dask.distributed import Client, LocalCluster

    days = {"period.start": "2025-06-02", "period.end": "2025-06-04"}
    serial = run_portfolio(small_portfolio(period=days), show_progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        result = run_portfolio(small_portfolio(period=days), workers=1, show_progress=False)
    assert result.backend == "dask"
    cols = ["site", "municipality", "energy_cost_eur", "import_kwh", "co2_kg"]
    assert result.sites[cols].equals(serial.sites[cols])


def test_outputs_are_written(serial_result: PortfolioResult, tmp_path: Path) -> None:
    paths = write_portfolio_outputs(serial_result, tmp_path)
    meta = json.loads(paths["metro"].read_text())
    assert meta["metro"]["sites"] == 3
    assert "Badalona" in paths["municipalities"].read_text()
    page = paths["html"].read_text()
    assert "Portfolio test-portfolio" in page and "Illustrative." in page


def test_the_shipped_amb_portfolio_is_valid_and_labelled(tmp_path: Path) -> None:
    portfolio, folder = load_portfolio("amb-portfolio")
    assert portfolio.illustrative
    assert len({s.municipality for s in portfolio.sites}) >= 8
    assert any("ICGC" in s for s in portfolio.sources)
    assert all(s.assumptions for s in portfolio.sites)
    assert (folder / "amb-portfolio.yaml").is_file()


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "x", "scenario": "molins-de-rei", "sites": []}, "field sites"),
        (
            {
                "name": "x",
                "scenario": "molins-de-rei",
                "sites": [{"id": "a", "municipality": "M"}, {"id": "a", "municipality": "N"}],
            },
            "used twice",
        ),
        ({"name": "x", "sites": [{"id": "a", "municipality": "M"}]}, "no scenario"),
        (
            {
                "name": "x",
                "scenario": "molins-de-rei",
                "sites": [{"id": "a", "municipality": "M", "overrides": {"pv_kwp": 3}}],
            },
            "sites.0.overrides.pv_kwp: unknown field",
        ),
        (
            {
                "name": "x",
                "scenario": "molins-de-rei",
                "sites": [{"id": "a", "municipality": "M", "overrides": {"chargers": -1}}],
            },
            "sites.0.overrides.chargers",
        ),
    ],
)
def test_bad_portfolio_files_name_the_field(tmp_path: Path, data: dict, fragment: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_portfolio(_write(tmp_path, data))
    assert "p.yaml" in str(err.value) and fragment in str(err.value)


def test_unknown_scenario_or_strategy_names_the_site(tmp_path: Path) -> None:
    bad_scenario = Portfolio.model_validate(
        {"name": "x", "sites": [{"id": "s1", "municipality": "M", "scenario": "nowhere"}]}
    )
    with pytest.raises(ScenarioError, match=r"sites\[0\] \(s1\): scenario 'nowhere'"):
        run_portfolio(bad_scenario, tmp_path, show_progress=False)
    bad_strategy = small_portfolio(strategy="fastest")
    with pytest.raises(ScenarioError, match="unknown strategy 'fastest'"):
        run_portfolio(bad_strategy, show_progress=False)
    with pytest.raises(ScenarioError, match="no such portfolio"):
        load_portfolio("no-such-portfolio")


def test_json_schema_in_docs_is_current() -> None:
    assert json.loads(SCHEMA.read_text()) == json.loads(
        json.dumps(portfolio_json_schema(), sort_keys=True)
    ), (
        "regenerate with: python -c 'from metroscope.energy.portfolio import write_json_schema as w; w(\"docs/schemas/energy-portfolio.schema.json\")'"
    )
