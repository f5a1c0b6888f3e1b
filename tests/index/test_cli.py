"""``metroscope index build`` and ``metroscope index demos`` end to end (real engine)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from metroscope.cli import app
from metroscope.index.demos import DEMOS

runner = CliRunner()


def _build(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["index", "build", *args])
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def metros_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("metros") / "out"
    code, text = _build("metros", "--out", str(out), "--mc", "64", "--sensitivity", "--seed", "3")
    assert code == 0, text
    return out


@pytest.fixture(scope="module")
def amb_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("amb") / "out"
    code, text = _build("amb", "--out", str(out), "--mc", "64")
    assert code == 0, text
    return out


def test_demos_lists_every_shipped_demo() -> None:
    res = runner.invoke(app, ["index", "demos"])
    assert res.exit_code == 0
    for name in ("metros", "amb"):
        assert name in res.output


def test_metros_build_writes_every_output(metros_out: Path) -> None:
    names = {p.name for p in metros_out.iterdir()}
    assert names == {
        "results.csv",
        "rank_intervals.csv",
        "sensitivity.csv",
        "report.html",
        "index.xlsx",
        "log.json",
    }


def test_results_have_the_interface_columns_one_row_per_unit(metros_out: Path) -> None:
    res = pd.read_csv(metros_out / "results.csv")
    assert list(res.columns[:3]) == ["unit", "score", "rank"]
    assert list(res.columns[3:]) == ["environment", "mobility", "digital", "economy"]
    assert len(res) == 16 and res["unit"].is_unique
    ranked = res.dropna(subset=["rank"])
    assert sorted(ranked["rank"].astype(int)) == list(range(1, len(ranked) + 1))
    # Ramallah has 1 of 4 screened indicators: kept in the table, not ranked
    assert pd.isna(res.set_index("unit").loc["Ramallah", "rank"])


def test_rank_intervals_bracket_the_median(metros_out: Path) -> None:
    ri = pd.read_csv(metros_out / "rank_intervals.csv")
    assert list(ri.columns) == ["unit", "rank_nominal", "rank_median", "rank_q05", "rank_q95"]
    assert (ri["rank_q05"] <= ri["rank_median"]).all() and (
        ri["rank_median"] <= ri["rank_q95"]
    ).all()
    assert ri["rank_q95"].max() <= len(ri)


def test_sensitivity_has_one_row_per_uncertain_choice(metros_out: Path) -> None:
    s = pd.read_csv(metros_out / "sensitivity.csv")
    assert set(s["factor"]) == {"weights", "normalise", "aggregate", "exclusion"}
    assert (s["ST"] >= -0.05).all()
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(s.columns)


def test_metros_report_shows_imputation_validation_and_flags(metros_out: Path) -> None:
    page = (metros_out / "report.html").read_text(encoding="utf-8")
    assert 'title="imputed"' in page
    assert "IMD Smart City Index 2019" in page and "IESE Cities in Motion 2019" in page
    assert "Data-quality flags" in page and "DOUBT" in page


def test_amb_build_has_a_core_periphery_section(amb_out: Path) -> None:
    res = pd.read_csv(amb_out / "results.csv")
    assert len(res) == 36
    page = (amb_out / "report.html").read_text(encoding="utf-8")
    assert 'id="disparity"' in page
    assert "Barcelona" in page


def _bad_config(tmp_path: Path, **change: object) -> Path:
    raw = yaml.safe_load(DEMOS["metros"].config.read_text(encoding="utf-8"))
    ind = raw["dimensions"][0]["indicators"][0]
    ind.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_a_bad_config_fails_naming_the_indicator_and_writes_nothing(tmp_path: Path) -> None:
    cfg = _bad_config(tmp_path, weight=-1)
    out = tmp_path / "out"
    code, text = _build(
        str(cfg),
        "--data",
        str(DEMOS["metros"].data),
        "--units",
        str(DEMOS["metros"].units),
        "--out",
        str(out),
    )
    assert code != 0
    assert "renewable_electricity_share_pct" in text and "weight" in text
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]  # no temporary folder left


def test_an_unknown_method_is_named_with_what_is_accepted(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEMOS["amb"].config.read_text(encoding="utf-8"))
    raw["pipeline"]["normalise"]["method"] = "minimax"
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, text = _build(str(cfg), "--data", str(DEMOS["amb"].data), "--out", str(tmp_path / "out"))
    assert code != 0
    assert "minimax" in text and "minmax" in text
    assert not (tmp_path / "out").exists()


def test_bad_data_fails_naming_unit_and_indicator(tmp_path: Path) -> None:
    data = pd.read_csv(DEMOS["amb"].data, dtype=str)
    i = data.index[(data["unit"] == "Gavà") & (data["indicator"] == "population_density_per_km2")][
        0
    ]
    data.loc[i, "value"] = "lots"
    bad = tmp_path / "bad.csv"
    data.to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, text = _build(str(DEMOS["amb"].config), "--data", str(bad), "--out", str(out))
    assert code != 0
    assert "Gavà" in text and "population_density_per_km2" in text and "lots" in text
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_unknown_name_lists_the_demos(tmp_path: Path) -> None:
    code, text = _build("paris", "--out", str(tmp_path / "o"))
    assert code != 0 and "metros" in text and "amb" in text


def test_a_config_without_data_is_refused(tmp_path: Path) -> None:
    code, text = _build(str(DEMOS["amb"].config), "--out", str(tmp_path / "o"))
    assert code != 0 and "--data" in text


def test_sensitivity_needs_monte_carlo(tmp_path: Path) -> None:
    code, text = _build("amb", "--out", str(tmp_path / "o"), "--sensitivity")
    assert code != 0 and "--mc" in text
    assert not (tmp_path / "o").exists()


def test_a_user_config_with_a_wide_csv_builds(tmp_path: Path) -> None:
    cfg = {
        "name": "Three towns (ILLUSTRATIVE)",
        "dimensions": [
            {
                "id": "green",
                "indicators": [
                    {"id": "trees_pct", "direction": "+"},
                    {"id": "no2_ugm3", "direction": "-"},
                ],
            },
            {"id": "social", "indicators": [{"id": "poverty_pct", "direction": "-"}]},
        ],
        "data": {
            "units": {"population": "population", "area": None, "is_core": None, "parent": None}
        },
    }
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D"],
            "trees_pct": [10, 20, 30, 40],
            "no2_ugm3": [40, 30, 20, 10],
            "poverty_pct": [30, 20, 10, 5],
            "population": [1000, 2000, 3000, 4000],
        }
    ).to_csv(tmp_path / "towns.csv", index=False)
    out = tmp_path / "out"
    code, text = _build(
        str(tmp_path / "cfg.yaml"),
        "--data",
        str(tmp_path / "towns.csv"),
        "--out",
        str(out),
        "--mc",
        "32",
    )
    assert code == 0, text
    res = pd.read_csv(out / "results.csv")
    assert res["unit"].tolist() == ["D", "C", "B", "A"]  # D is best on every indicator
    assert res["rank"].tolist() == [1, 2, 3, 4]
    assert list(res.columns) == ["unit", "score", "rank", "green", "social"]


@pytest.mark.browser
def test_the_metros_report_opens_offline_and_its_drop_downs_work(metros_out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((metros_out / "report.html").as_uri())
        page.wait_for_selector("#profiles .js-plotly-plot")
        radar = page.locator("#profiles .js-plotly-plot").first
        first_title = radar.locator(".gtitle").text_content()
        radar.locator(".updatemenu-header-group").click()
        radar.locator(".updatemenu-item-text", has_text="Seoul").click()
        page.wait_for_timeout(300)
        second_title = radar.locator(".gtitle").text_content()
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file:")] == []  # nothing fetched online
    assert first_title != second_title and "Seoul" in (second_title or "")


def test_the_written_log_replays_to_the_same_scores(metros_out: Path) -> None:
    import json

    from metroscope.index import IndexBuilder, load_config, load_data

    demo = DEMOS["metros"]
    cfg = load_config(demo.config)
    data = load_data(demo.data, cfg, units=demo.units)
    log = json.loads((metros_out / "log.json").read_text(encoding="utf-8"))["log"]
    again = IndexBuilder.replay(cfg, data, log)
    res = pd.read_csv(metros_out / "results.csv").dropna(subset=["rank"]).set_index("unit")
    assert again.scores["index"].reindex(res.index).round(4).tolist() == res["score"].tolist()


def test_an_out_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    code, text = _build("amb", "--out", str(target))
    assert code != 0 and "not a directory" in text
    assert target.read_text() == "not a folder"
