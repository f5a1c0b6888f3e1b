"""Report inputs from the engine: disparity table, data-quality flags, published ranks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.main import get_command

from metroscope.commands.index import app as index_app
from metroscope.index import IndexBuilder, load_config, load_data
from metroscope.index.demos import get_demo
from metroscope.index.report_inputs import (
    data_flags,
    disparity_table,
    external_comparison,
    report_data,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "index.md"


@pytest.fixture(scope="module")
def amb() -> tuple[object, object]:
    demo = get_demo("amb")
    cfg = load_config(demo.config)
    data = load_data(demo.data, cfg, units=demo.units)
    return IndexBuilder(cfg, data).run(), data


def test_density_core_ratio_is_barcelona_over_the_population_weighted_periphery(amb) -> None:
    res, data = amb
    table, note = disparity_table(res, data)
    row = table.set_index("variable").loc["population_density_per_km2"]
    units = pd.read_csv(get_demo("amb").units).set_index("unit")
    dens = units["population"] / units["area_km2"]
    peri = units.index != "Barcelona"
    expected_peri = (dens[peri] * units.loc[peri, "population"]).sum() / units.loc[
        peri, "population"
    ].sum()
    assert row["periphery_mean"] == pytest.approx(expected_peri, rel=1e-3)
    assert row["core_periphery_ratio"] == pytest.approx(dens["Barcelona"] / expected_peri, rel=1e-3)
    assert row["better_off"] == "core"  # density is a '+' indicator (the labelled assumption)
    assert "Core: Barcelona" in note and "population" in note


def test_better_off_reads_the_ratio_with_the_indicator_direction(amb) -> None:
    res, data = amb
    table = disparity_table(res, data)[0].set_index("variable")
    # poverty shares are '-' indicators within 5 % of parity
    for v in (
        "share_pop_income_below_60pct_median_men",
        "share_pop_income_below_60pct_median_women",
    ):
        assert table.loc[v, "direction"] == "−"
        assert table.loc[v, "better_off"].startswith("≈ parity")
    # RFDB: core 21,500 < periphery mean of the 6 listed (rich) municipalities, '+': periphery
    assert table.loc["rfdb_per_capita_idescat", "better_off"] == "periphery"
    assert "low coverage (7 of 36)" in table.loc["rfdb_per_capita_idescat", "note"]
    # Barcelona has no registered unemployment rate in the notes: no ratio, no verdict
    assert pd.isna(table.loc["registered_unemployment_rate", "core_periphery_ratio"])
    assert table.loc["registered_unemployment_rate", "better_off"] == ""


def test_data_flags_pick_the_rows_whose_notes_carry_a_doubt() -> None:
    demo = get_demo("metros")
    flags = data_flags(demo.data, ["co2_per_capita_t", "internet_users_pct"])
    pairs = set(zip(flags["unit"], flags["indicator"], strict=True))
    assert ("Johannesburg", "co2_per_capita_t") in pairs  # DOUBT: implausibly low
    assert ("La Paz", "internet_users_pct") in pairs  # household measure
    assert ("Madrid", "co2_per_capita_t") not in pairs


def test_external_ranks_join_on_the_unit_and_keep_only_ranked_units() -> None:
    demo = get_demo("metros")
    ranks = pd.Series({"Berlin": 3.0, "Seoul": 6.0, "Lisbon": 1.0})
    cmp = external_comparison(demo.external, ranks)
    assert set(cmp["unit"]) == {"Berlin", "Seoul", "Lisbon"}
    berlin = cmp[(cmp["unit"] == "Berlin") & (cmp["ranking"] == "IESE Cities in Motion 2019")]
    assert berlin["external_rank"].item() == 9 and berlin["rank"].item() == 3


def test_report_data_counts_imputed_values_and_names_screened_indicators() -> None:
    demo = get_demo("metros")
    cfg = load_config(demo.config)
    data = load_data(demo.data, cfg, units=demo.units)
    res = IndexBuilder(cfg, data).run()
    rd = report_data(res, data)
    cov = rd.coverage.set_index("indicator")
    assert (
        cov.loc["pm25_annual_ugm3", "screened_out"] and cov.loc["co2_per_capita_t", "screened_out"]
    )
    assert cov.loc["renewable_electricity_share_pct", "n_observed"] == 16
    assert cov["n_imputed"].sum() == int(res.imputed_mask.to_numpy().sum())
    assert rd.excluded_units is not None and rd.excluded_units["unit"].tolist() == ["Ramallah"]
    assert any("imputed" in n for n in rd.notes)


def test_every_build_option_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    build = get_command(index_app).commands["build"]  # type: ignore[attr-defined]
    for param in build.params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in text, f"{opt} is not documented in docs/index.md"
    for name in ("metros", "amb"):
        assert f"`{name}`" in text
