"""The index report: tables, HTML page, Excel/CSV files, drawn from hand-made frames."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from metroscope.index import charts
from metroscope.index.report import (
    IMPUTED_MARK,
    ReportData,
    build_html,
    coverage_status,
    results_table,
    write_outputs,
)

UNITS = ["Athens", "Berlin", "Lisbon", "Madrid", "Seoul"]


def _data(with_mc: bool = True) -> ReportData:
    raw = pd.DataFrame(
        {
            "a": [1.0, np.nan, 3.0, 4.0, 5.0],
            "b": [10.0, 20.0, np.nan, 40.0, 50.0],
            "c": [np.nan] * 4 + [1.0],
        },
        index=pd.Index(UNITS, name="unit"),
    )
    mask = raw[["a", "b"]].isna()
    imputed = raw[["a", "b"]].fillna({"a": 3.5, "b": 30.0})
    dims = pd.DataFrame({"d1": imputed["a"] * 20, "d2": imputed["b"] * 2}, index=raw.index)
    scores = pd.concat([dims.mean(axis=1).rename("index"), dims], axis=1)
    scores = scores.drop(index="Seoul")  # screened out
    ranks = scores.rank(ascending=False, method="min")
    cov = pd.DataFrame(
        {
            "indicator": ["a", "b", "c"],
            "n_observed": [4, 4, 1],
            "n_units": 5,
            "share_observed": [0.8, 0.8, 0.2],
            "screened_out": [False, False, True],
        }
    )
    ri = pd.DataFrame(
        {
            "unit": list(scores.index),
            "rank_nominal": ranks["index"].to_numpy(),
            "rank_median": ranks["index"].to_numpy(),
            "rank_q05": 1.0,
            "rank_q95": 4.0,
        }
    )
    sob = pd.DataFrame(
        {
            "factor": ["weights", "exclusion"],
            "S1": [0.1, 0.5],
            "S1_conf": [0.02, 0.1],
            "ST": [0.2, 0.7],
            "ST_conf": [0.03, 0.1],
        }
    )
    disp = pd.DataFrame(
        {
            "variable": ["a", "index"],
            "gini": [0.2, 0.1],
            "theil": [0.1, 0.05],
            "cv": [0.4, 0.2],
            "core_periphery_ratio": [1.5, 0.8],
        }
    )
    return ReportData(
        title="Hand-made index (ILLUSTRATIVE)",
        description="Numbers made up for the test.",
        scores=scores,
        ranks=ranks,
        dimensions=["d1", "d2"],
        labels={
            "a": "Alpha",
            "b": "Beta",
            "c": "Gamma",
            "d1": "Dim one",
            "d2": "Dim two",
            "index": "Index",
        },
        raw=raw,
        imputed=imputed.drop(index="Seoul"),
        imputed_mask=mask.drop(index="Seoul"),
        indicators=pd.DataFrame({"indicator": ["a", "b", "c"], "name": ["Alpha", "Beta", "Gamma"]}),
        coverage=cov,
        correlations=pd.concat([imputed, scores], axis=1).corr(),
        rank_intervals=ri if with_mc else None,
        sobol=sob if with_mc else None,
        failures=[(7, "geometric mean of a zero")] if with_mc else [],
        log=[
            {
                "name": "screen",
                "params": {"min_indicator_availability": 0.5},
                "changed": {"dropped_indicators": ["c"]},
            }
        ],
        disparity=disp,
        disparity_note="Core = Athens (ILLUSTRATIVE)",
        sources=pd.DataFrame({"source_url": ["https://example.org/x"], "supports": ["a"]}),
        notes=["All values are made up."],
    )


def test_results_table_has_the_interface_columns_in_rank_order() -> None:
    d = _data()
    res = results_table(d.scores, d.ranks, d.dimensions, d.raw.index)
    assert list(res.columns) == ["unit", "score", "rank", "d1", "d2"]
    ranked = res.dropna(subset=["rank"])
    assert ranked["rank"].tolist() == sorted(ranked["rank"].tolist())
    assert ranked.iloc[0]["unit"] == d.scores["index"].idxmax()


def test_results_table_keeps_a_screened_out_unit_unranked_and_last() -> None:
    d = _data()
    res = results_table(d.scores, d.ranks, d.dimensions, d.raw.index)
    assert len(res) == len(UNITS)
    last = res.iloc[-1]
    assert last["unit"] == "Seoul" and pd.isna(last["rank"]) and pd.isna(last["score"])


def test_coverage_status_marks_observed_imputed_and_screened_cells() -> None:
    st = coverage_status(_data())
    assert st.loc["Berlin", "a"] == "imputed"
    assert st.loc["Lisbon", "b"] == "imputed"
    assert st.loc["Athens", "a"] == "observed"
    assert st.loc["Athens", "c"] == "screened out"
    assert st.loc["Seoul", "c"] == "observed"


def test_the_page_embeds_plotly_once_and_has_every_section() -> None:
    page = build_html(_data())
    assert page.count("Plotly.newPlot") >= 8
    # plotly.js itself is inlined once (no CDN), so the page works offline
    assert "<script src=" not in page
    assert page.count("* plotly.js v") == 1
    for sid in (
        "results",
        "uncertainty",
        "sensitivity",
        "correlations",
        "profiles",
        "coverage",
        "disparity",
        "log",
        "sources",
    ):
        assert f'id="{sid}"' in page


def test_the_page_marks_each_imputed_value() -> None:
    d = _data()
    page = build_html(d)
    assert page.count('<td class="imp" title="imputed">') == int(d.imputed_mask.to_numpy().sum())
    assert f"{IMPUTED_MARK} 1 of 2" in page  # Berlin and Lisbon each have one imputed value


def test_the_page_reports_failed_replications_and_notes() -> None:
    page = build_html(_data())
    assert "1 Monte Carlo replication(s) failed" in page
    assert "All values are made up." in page


def test_without_monte_carlo_there_are_no_interval_or_sensitivity_sections() -> None:
    page = build_html(_data(with_mc=False))
    assert 'id="uncertainty"' not in page and 'id="sensitivity"' not in page


def test_write_outputs_writes_csv_excel_html_and_log(tmp_path: Path) -> None:
    d = _data()
    written = write_outputs(d, tmp_path)
    names = sorted(p.name for p in written)
    assert names == [
        "index.xlsx",
        "log.json",
        "rank_intervals.csv",
        "report.html",
        "results.csv",
        "sensitivity.csv",
    ]
    ri = pd.read_csv(tmp_path / "rank_intervals.csv")
    assert list(ri.columns) == ["unit", "rank_nominal", "rank_median", "rank_q05", "rank_q95"]
    sens = pd.read_csv(tmp_path / "sensitivity.csv")
    assert list(sens.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf"]
    wb = load_workbook(tmp_path / "index.xlsx", read_only=True)
    for sheet in (
        "results",
        "scores",
        "ranks",
        "raw_data",
        "imputed_mask",
        "coverage",
        "rank_intervals",
        "sensitivity",
        "disparity",
        "log",
        "sources",
    ):
        assert sheet in wb.sheetnames
    ws = wb["results"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == ["unit", "score", "rank", "d1", "d2"]
    log = json.loads((tmp_path / "log.json").read_text())
    assert log["log"][0]["name"] == "screen" and log["failures"] == [
        [7, "geometric mean of a zero"]
    ]


def test_rank_interval_chart_spans_q05_to_q95() -> None:
    ri = pd.DataFrame(
        {
            "unit": ["A", "B"],
            "rank_nominal": [1, 2],
            "rank_median": [1, 2],
            "rank_q05": [1, 1],
            "rank_q95": [2, 2],
        }
    )
    fig = charts.rank_intervals(ri)
    bar = fig.data[0]
    # bars span Q5 − pad … Q95 + pad (ranks are integers; a fixed rank still shows)
    assert list(bar.base + charts.RANK_PAD) == [1, 1]
    assert list(bar.base + bar.x - charts.RANK_PAD) == pytest.approx([2, 2])
    assert {t.name for t in fig.data} == {"Q5–Q95", "median", "nominal"}


def test_radar_drop_down_shows_one_unit_at_a_time() -> None:
    d = _data()
    fig = charts.unit_radar(d.scores, d.dimensions, d.labels)
    buttons = fig.layout.updatemenus[0].buttons
    assert len(buttons) == len(d.scores)
    for b in buttons:
        vis = b.args[0]["visible"]
        assert vis[0] is True and sum(vis[1:]) == 1


@pytest.mark.browser
def test_the_report_renders_in_chromium_without_script_errors(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    (tmp_path / "report.html").write_text(build_html(_data()), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "report.html").as_uri())
        page.wait_for_selector(".js-plotly-plot")
        n_plots = page.locator(".js-plotly-plot").count()
        browser.close()
    assert errors == []
    assert n_plots >= 8
