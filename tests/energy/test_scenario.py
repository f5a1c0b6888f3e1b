"""Scenario YAML: validation errors name the field; the JSON Schemas in docs/ are current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_scenarios import tiny_dict, write_yaml

from metroscope.energy.fleet import sessions_json_schema
from metroscope.energy.scenario import ScenarioError, read_scenario, scenario_json_schema
from metroscope.energy.simulate import list_demos, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_it_reads_a_valid_scenario_file(tmp_path: Path) -> None:
    sc = read_scenario(write_yaml(tmp_path / "s.yaml", tiny_dict()))
    assert sc.name == "tiny"
    assert sc.base_dir == tmp_path
    assert sc.period.step_minutes == 15


def test_it_names_an_unknown_field(tmp_path: Path) -> None:
    data = tiny_dict()
    data["grid"]["import_limt_kw"] = 5
    with pytest.raises(ScenarioError) as err:
        read_scenario(write_yaml(tmp_path / "bad.yaml", data))
    msg = str(err.value)
    assert "bad.yaml" in msg and "grid.import_limt_kw" in msg and "unknown field" in msg


def test_it_names_a_missing_field(tmp_path: Path) -> None:
    data = tiny_dict()
    del data["grid"]["export_limit_kw"]
    with pytest.raises(ScenarioError, match=r"grid\.export_limit_kw: required field is missing"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_it_rejects_a_bad_step_and_says_what_is_accepted(tmp_path: Path) -> None:
    data = tiny_dict(period={"start": "2025-01-01", "end": "2025-01-02", "step_minutes": 10})
    with pytest.raises(ScenarioError, match=r"period\.step_minutes: Input should be 5, 15 or 60"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_errors_inside_a_kind_name_the_plain_field_path(tmp_path: Path) -> None:
    data = tiny_dict()
    data["pv"]["weather"] = {"kind": "epw"}
    with pytest.raises(ScenarioError, match=r"field pv\.weather\.path: required field is missing"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_it_rejects_an_unknown_time_zone(tmp_path: Path) -> None:
    data = tiny_dict()
    data["location"]["tz"] = "Europe/Molins"
    with pytest.raises(ScenarioError, match=r"location\.tz: .*unknown time zone 'Europe/Molins'"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_it_rejects_a_period_that_ends_before_it_starts(tmp_path: Path) -> None:
    data = tiny_dict(period={"start": "2025-01-02", "end": "2025-01-01"})
    with pytest.raises(ScenarioError, match=r"must be after period\.start"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_it_rejects_an_unknown_tariff_kind(tmp_path: Path) -> None:
    data = tiny_dict(tariff={"kind": "es-9.9td"})
    with pytest.raises(ScenarioError, match=r"field tariff: .*es-2\.0td"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_a_yield_target_needs_a_source(tmp_path: Path) -> None:
    data = tiny_dict()
    data["pv"]["target_yield_kwh_per_kwp"] = 1400
    with pytest.raises(ScenarioError, match="target_yield_source is required"):
        read_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_it_reports_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"broken\.yaml: not valid YAML"):
        read_scenario(path)


def test_it_says_which_demos_exist_for_an_unknown_name() -> None:
    with pytest.raises(ScenarioError, match="molins-de-rei"):
        load_scenario("no-such-demo")


def test_a_portfolio_demo_is_not_loaded_as_one_scenario() -> None:
    portfolios = [n for n, _ in list_demos("portfolio")]
    if not portfolios:
        pytest.skip("no portfolio demo shipped")
    with pytest.raises(ScenarioError, match="metroscope energy portfolio"):
        load_scenario(portfolios[0])


def test_the_scenario_schema_in_docs_is_current() -> None:
    saved = json.loads((ROOT / "docs/schemas/energy-scenario.schema.json").read_text())
    assert saved == json.loads(json.dumps(scenario_json_schema())), (
        "regenerate with: python -m metroscope.energy.scenario"
    )


def test_the_sessions_schema_in_docs_is_current() -> None:
    saved = json.loads((ROOT / "docs/schemas/energy-sessions.schema.json").read_text())
    assert saved == json.loads(json.dumps(sessions_json_schema()))


@pytest.mark.parametrize("name", [n for n, _ in list_demos("scenario")])
def test_every_demo_validates_and_labels_its_assumptions(name: str) -> None:
    sc = load_scenario(name)
    assert sc.sources, f"{name}: no sources"
    assert sc.assumptions, f"{name}: assumptions must be listed"
    if sc.pv is not None and getattr(sc.pv, "target_yield_kwh_per_kwp", None):
        assert sc.pv.target_yield_source
