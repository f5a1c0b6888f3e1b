"""The HTML report: the numbers behind its charts, its content, and how it renders."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from metroscope.energy.report import write_comparison_report, write_report
from metroscope.energy.report_data import (
    cost_components_eur,
    daily_cumulative_cost_eur,
    monthly_energy_kwh,
    scenario_assumptions,
    scenario_is_illustrative,
    select_week,
    typical_day_kw,
)
from metroscope.energy.simulate import SimulationResult, load_scenario, simulate
from metroscope.energy.variants import apply_overrides


@pytest.fixture(scope="module")
def two_weeks() -> dict[str, SimulationResult]:
    """The Molins de Rei demo cut to two June weeks, under two strategies."""
    scenario = apply_overrides(
        load_scenario("molins-de-rei"),
        paths={"period.start": "2025-06-02", "period.end": "2025-06-16"},
    )
    return {s: simulate(scenario, s) for s in ("uncontrolled", "optimal")}


def test_typical_day_has_one_row_per_step_of_the_day_and_keeps_the_mean(
    two_weeks: dict[str, SimulationResult],
) -> None:
    r = two_weeks["optimal"]
    day = typical_day_kw(r.timeseries)
    assert len(day) == 96 and day.index[0] == "00:00" and day.index[-1] == "23:45"
    assert day["pv_kw"].mean() == pytest.approx(r.timeseries["pv_kw"].mean())


def test_monthly_energy_adds_up_to_the_kpis(two_weeks: dict[str, SimulationResult]) -> None:
    r = two_weeks["optimal"]
    months = monthly_energy_kwh(r.timeseries, r.problem.dt_h)
    assert months.index.tolist() == ["2025-06"]
    assert months["import_kw"].sum() == pytest.approx(r.kpis["import_kwh"])
    assert months["pv_kw"].sum() == pytest.approx(r.kpis["pv_kwh"])


def test_cost_components_add_up_to_the_energy_cost(two_weeks: dict[str, SimulationResult]) -> None:
    for r in two_weeks.values():
        parts = cost_components_eur(r.problem, r.timeseries)
        assert parts["total"] == pytest.approx(r.kpis["energy_cost_eur"], rel=1e-9, abs=1e-6)
        assert parts["export revenue"] <= 0
        cum = daily_cumulative_cost_eur(r.timeseries)
        assert cum.iloc[-1] == pytest.approx(r.timeseries["cost_eur"].sum())


def test_selected_week_is_seven_days_from_a_monday(two_weeks: dict[str, SimulationResult]) -> None:
    r = two_weeks["optimal"]
    week = select_week(r.timeseries, r.problem.dt_h)
    assert len(week) == 7 * 96
    assert week.index[0].day_of_week == 0 and week.index[0].hour == 0
    chosen = select_week(r.timeseries, r.problem.dt_h, pd.Timestamp("2025-06-09"))
    assert chosen.index[0] == pd.Timestamp("2025-06-09", tz="Europe/Madrid")
    with pytest.raises(ValueError, match="week_start"):
        select_week(r.timeseries, r.problem.dt_h, pd.Timestamp("2030-01-01"))


def test_every_assumption_and_source_of_the_scenario_is_found(
    two_weeks: dict[str, SimulationResult],
) -> None:
    scenario = two_weeks["optimal"].scenario
    found = [text for _, text in scenario_assumptions(scenario)]
    for text in [*scenario.assumptions, *scenario.sources]:
        assert text in found
    assert scenario_is_illustrative(scenario)


def test_report_is_self_contained_with_plotly_once_and_lists_assumptions(
    two_weeks: dict[str, SimulationResult], tmp_path: Path
) -> None:
    r = two_weeks["optimal"]
    page = write_report(r, tmp_path / "sub" / "report.html").read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()[:200]) == 1
    assert "<script src=" not in page  # nothing fetched from a network
    assert page.count("Plotly.newPlot") == 6
    assert "Illustrative." in page
    for text in r.scenario.assumptions:
        assert html.escape(text.split(":")[0]) in page
    for label in (
        "Typical day",
        "Selected week",
        "Energy per month",
        "State of charge",
        "Cumulative cost",
        "Cost by component",
    ):
        assert label in page
    assert f"{r.kpis['energy_cost_eur']:,.0f} EUR" in page


def test_comparison_report_has_every_strategy(
    two_weeks: dict[str, SimulationResult], tmp_path: Path
) -> None:
    page = write_comparison_report(two_weeks, tmp_path / "compare.html").read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()[:200]) == 1
    for name, r in two_weeks.items():
        assert f"<th>{name}</th>" in page
        assert f"{r.kpis['energy_cost_eur']:,.0f} EUR" in page
    with pytest.raises(ValueError, match="no results"):
        write_comparison_report({}, tmp_path / "empty.html")


@pytest.mark.browser
def test_report_renders_every_chart_in_chromium(
    two_weeks: dict[str, SimulationResult], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    path = write_report(two_weeks["optimal"], tmp_path / "report.html")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        plots = page.locator(".js-plotly-plot").count()
        traces = page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.data.length)"
        )
        browser.close()
    assert errors == []
    assert plots == 6
    assert all(n >= 1 for n in traces)
    assert np.sum(traces) >= 15
