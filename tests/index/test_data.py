"""Index data: tidy and wide CSV, panels, unit metadata, and errors naming line/unit/indicator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metroscope.index import load_config, load_data
from metroscope.index.data import DataError

CFG = load_config(
    {
        "name": "t",
        "data": {"units": {"groups": ["region"]}},
        "dimensions": [{"id": "d", "indicators": [{"id": "gdp"}, {"id": "co2", "direction": "-"}]}],
    }
)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_tidy_panel_takes_the_latest_year_per_unit_and_indicator(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "unit,indicator,value,year,source_url\n"
        "A,gdp,10,2019,https://a\nA,gdp,12,2021,https://b\nA,co2,5,2020,https://c\n"
        "B,gdp,20,2020,https://d\nB,co2,,2021,\nB,co2,7,2018,https://e\n",
    )
    d = load_data(p, CFG)
    assert d.values.loc["A", "gdp"] == 12
    assert d.values.loc["B", "co2"] == 7  # the blank 2021 value does not hide 2018
    assert d.sources.loc["A", "gdp"] == "https://b"
    assert d.panel is not None and len(d.panel) == 6


def test_a_chosen_year_leaves_other_years_missing_for_locf(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "unit,indicator,value,year\nA,gdp,10,2019\nA,co2,5,2020\nB,gdp,20,2020\nB,co2,7,2020\n",
    )
    cfg = CFG.model_copy(update={"data": CFG.data.model_copy(update={"year": 2020})})
    d = load_data(p, cfg)
    assert np.isnan(d.values.loc["A", "gdp"])
    from metroscope.index.impute import impute

    filled = impute(d.values, "locf", d.units, d.panel)
    assert filled.loc["A", "gdp"] == 10


def test_a_wide_csv_splits_indicators_from_unit_metadata(tmp_path: Path) -> None:
    p = write(
        tmp_path, "unit,region,population,gdp,co2,other\nA,north,100,1,2,3\nB,south,200,3,4,5\n"
    )
    d = load_data(p, CFG)
    assert list(d.values.columns) == ["gdp", "co2"]
    assert d.units.loc["B", "region"] == "south"
    assert d.units.loc["A", "population"] == 100
    assert list(d.extra.columns) == ["other"]


def test_a_separate_units_file_adds_metadata(tmp_path: Path) -> None:
    p = write(tmp_path, "municipality,gdp,co2\nA,1,2\nB,3,4\n")
    u = write(tmp_path, "unit,region,is_core,parent\nA,n,true,M\nB,s,false,M\n", "units.csv")
    d = load_data(p, CFG, units=u)
    assert d.units.loc["A", "is_core"] and not d.units.loc["B", "is_core"]
    assert d.units.loc["B", "parent"] == "M"


def test_a_non_numeric_value_names_line_unit_and_indicator(tmp_path: Path) -> None:
    p = write(tmp_path, "unit,indicator,value\nA,gdp,10\nB,co2,lots\n")
    with pytest.raises(
        DataError, match=r"line 3: unit 'B', indicator 'co2': value 'lots' is not a number"
    ):
        load_data(p, CFG)


def test_a_non_numeric_wide_cell_names_the_column(tmp_path: Path) -> None:
    p = write(tmp_path, "unit,gdp,co2\nA,1,2\nB,3,x\n")
    with pytest.raises(DataError, match=r"line 3: unit 'B', indicator 'co2'"):
        load_data(p, CFG)


def test_an_indicator_missing_from_the_data_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, "unit,indicator,value\nA,gdp,10\n")
    with pytest.raises(DataError, match=r"indicator\(s\) \['co2'\] of the config have no values"):
        load_data(p, CFG)


def test_a_duplicate_value_names_both_lines(tmp_path: Path) -> None:
    p = write(tmp_path, "unit,indicator,value\nA,gdp,10\nA,co2,1\nA,gdp,11\n")
    with pytest.raises(DataError, match=r"lines \[2, 4\]: unit 'A', indicator 'gdp'"):
        load_data(p, CFG)


def test_a_file_without_unit_column_lists_the_accepted_names(tmp_path: Path) -> None:
    p = write(tmp_path, "place,gdp,co2\nA,1,2\n")
    with pytest.raises(DataError, match="accepted names: unit, municipality"):
        load_data(p, CFG)


def test_a_bad_year_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "unit,indicator,value,year\nA,gdp,10,2020\nA,co2,1,soon\n")
    with pytest.raises(DataError, match=r"line 3: .*year 'soon'"):
        load_data(p, CFG)


def test_population_given_as_tidy_rows_fills_the_unit_metadata(tmp_path: Path) -> None:
    cfg = load_config(
        {
            "name": "t",
            "data": {"units": {"population": "population_metro"}},
            "dimensions": [{"id": "d", "indicators": [{"id": "gdp"}, {"id": "co2"}]}],
        }
    )
    p = write(
        tmp_path,
        "unit,indicator,value\nA,gdp,1\nA,co2,2\nA,population_metro,1000\n"
        "B,gdp,3\nB,co2,4\nB,population_metro,2500\n",
    )
    d = load_data(p, cfg)
    assert list(d.units["population"]) == [1000, 2500]
