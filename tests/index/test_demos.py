"""The shipped index demos: every value sourced, derived values reproducible, coverage honest."""

from __future__ import annotations

import pandas as pd
import pytest

from metroscope.index import IndexBuilder, load_config, load_data
from metroscope.index.demos import DEMOS, get_demo


@pytest.fixture(params=sorted(DEMOS))
def demo_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_every_data_row_has_a_web_source(demo_name: str) -> None:
    data = pd.read_csv(DEMOS[demo_name].data, dtype=str, keep_default_na=False)
    assert len(data) > 0
    assert data["source_url"].str.match(r"https?://").all()
    derived = data[data["derived"] == "yes"]
    assert derived["source_url_2"].str.match(r"https?://").all()
    assert derived["notes"].str.contains("=").all()  # the formula is written out


def test_every_source_address_is_listed_in_sources_csv(demo_name: str) -> None:
    demo = DEMOS[demo_name]
    data = pd.read_csv(demo.data, dtype=str, keep_default_na=False)
    listed = set(pd.read_csv(demo.sources, dtype=str)["source_url"])
    used = set(data["source_url"]) | set(data["source_url_2"]) - {""}
    assert used <= listed


def test_the_config_loads_and_its_indicators_are_in_the_data(demo_name: str) -> None:
    demo = DEMOS[demo_name]
    cfg = load_config(demo.config)
    data = pd.read_csv(demo.data)
    assert set(cfg.indicator_ids) <= set(data["indicator"])


def test_the_demo_builds_and_flags_what_it_imputed(demo_name: str) -> None:
    demo = DEMOS[demo_name]
    cfg = load_config(demo.config)
    res = IndexBuilder(cfg, load_data(demo.data, cfg, units=demo.units)).run()
    raw = res.stages["raw"]
    imputed = res.imputed_mask
    # a cell is flagged imputed exactly when it was missing and now has a value
    for col in imputed.columns:
        missing = raw.loc[imputed.index, col].isna()
        assert (imputed[col] == (missing & res.stages["imputed"][col].notna())).all()
    assert res.scores["index"].notna().all()


def test_metros_has_the_16_metropolises_and_keeps_rankings_out_of_the_index() -> None:
    demo = get_demo("metros")
    units = pd.read_csv(demo.units)
    assert len(units) == 16 and units["unit"].is_unique
    cfg = load_config(demo.config)
    ext = pd.read_csv(demo.external)
    assert set(ext["indicator"]) == {"imd_smart_city_index_2019", "cities_in_motion_2019_rank"}
    assert not set(ext["indicator"]) & set(cfg.indicator_ids)
    assert ext["source_url"].str.match(r"https?://").all()


def test_metros_transit_per_million_is_km_over_the_same_level_population() -> None:
    demo = get_demo("metros")
    data = pd.read_csv(demo.data)
    units = pd.read_csv(demo.units).set_index("unit")
    km = data[data["indicator"] == "rapid_transit_km"].set_index("unit")
    per_m = data[data["indicator"] == "rapid_transit_km_per_million"].set_index("unit")
    assert len(per_m) == 13
    for unit, row in per_m.iterrows():
        pop = units.loc[unit, f"population_{row['level']}"]
        assert row["value"] == pytest.approx(km.loc[unit, "value"] / pop * 1e6, rel=1e-4)
    # La Paz's cable-car network is metro-level but the notes only hold its city population
    assert "La Paz" in km.index and "La Paz" not in per_m.index


def test_amb_has_the_36_members_with_barcelona_as_the_only_core() -> None:
    demo = get_demo("amb")
    units = pd.read_csv(demo.units)
    assert len(units) == 36 and units["unit"].is_unique
    assert units.loc[units["is_core"], "unit"].tolist() == ["Barcelona"]
    assert (units["population"] > 0).all() and (units["area_km2"] > 0).all()
    # the AMB's own total (3,303,927 in 2021) is within 2 % of the 2023 Idescat sum (3,347,881)
    assert units["population"].sum() == pytest.approx(3_303_927, rel=0.02)


def test_amb_density_is_population_over_area() -> None:
    demo = get_demo("amb")
    data = pd.read_csv(demo.data)
    units = pd.read_csv(demo.units).set_index("unit")
    dens = data[data["indicator"] == "population_density_per_km2"].set_index("unit")["value"]
    expected = units["population"] / units["area_km2"]
    pd.testing.assert_series_equal(
        dens.sort_index(), expected.sort_index().round(1), check_names=False
    )


def test_amb_coverage_is_what_the_notes_hold() -> None:
    data = pd.read_csv(get_demo("amb").data)
    n = data.groupby("indicator")["unit"].nunique()
    assert n["share_pop_income_below_60pct_median_men"] == 29
    assert n["registered_unemployment_rate"] == 10
    assert n["rfdb_per_capita_idescat"] == 7
    assert n["population_density_per_km2"] == 36
