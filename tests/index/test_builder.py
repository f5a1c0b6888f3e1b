"""IndexBuilder: the pipeline steps, per-level and per-indicator choices, the log, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from index_synthetic import builder_for, synthetic_values, two_level_config
from numpy.testing import assert_allclose

from metroscope.index import IndexBuilder, PipelineError, load_config
from metroscope.index.data import from_frames


def test_run_reads_as_the_list_of_steps_and_logs_each() -> None:
    res = builder_for(synthetic_values(), two_level_config()).run()
    assert [r.name for r in res.log] == [
        "screen",
        "denominate",
        "impute",
        "treat",
        "normalise",
        "aggregate",
    ]
    assert list(res.scores.columns) == ["index", "d0", "d1"]
    assert res.ranks["index"].min() == 1
    assert set(res.stages) >= {"raw", "screened", "imputed", "treated", "normalised"}


def test_a_two_level_arithmetic_index_matches_a_hand_computation() -> None:
    x = pd.DataFrame(
        {"a": [0.0, 10.0, 5.0], "b": [2.0, 0.0, 1.0], "c": [1.0, 2.0, 3.0]}, index=list("PQR")
    )
    cfg = {
        "name": "hand",
        "dimensions": [
            {
                "id": "d1",
                "weight": 3,
                "indicators": [{"id": "a", "weight": 1}, {"id": "b", "weight": 3, "direction": -1}],
            },
            {"id": "d2", "weight": 1, "indicators": [{"id": "c"}]},
        ],
    }
    res = IndexBuilder(load_config(cfg), from_frames(x)).run()
    # min-max 0-100: a -> 0,100,50 ; b (less is better) -> 0,100,50 ; c -> 0,50,100
    d1 = np.array([0, 100, 50]) * 0.25 + np.array([0, 100, 50]) * 0.75
    assert_allclose(res.scores["d1"], d1)
    assert_allclose(res.scores["index"], 0.75 * d1 + 0.25 * np.array([0, 50, 100]))
    assert list(res.ranks["index"]) == [3, 1, 2]


def test_each_level_can_aggregate_differently() -> None:
    x = synthetic_values(12, 4)
    raw = two_level_config(
        4,
        2,
        normalise={"method": "minmax", "params": {"low": 1, "high": 100}},
        aggregate={"method": "arithmetic", "levels": {0: {"method": "geometric"}}},
    )
    res = builder_for(x, raw).run()
    w = res.weights
    expect = np.exp(
        (w["d0"] * np.log(res.scores["d0"]) + w["d1"] * np.log(res.scores["d1"]))
        / (w["d0"] + w["d1"])
    )
    assert_allclose(res.scores["index"], expect)


def test_an_indicator_can_override_the_normaliser() -> None:
    x = synthetic_values(10, 4)
    raw = two_level_config(4, 2)
    raw["dimensions"][0]["indicators"][0]["overrides"] = {"normalise": {"method": "rank"}}
    res = builder_for(x, raw).run()
    assert sorted(res.stages["normalised"]["i0"]) == list(range(1, 11))
    assert res.stages["normalised"]["i1"].max() == pytest.approx(100)


def test_the_log_alone_rebuilds_the_same_index() -> None:
    x = synthetic_values(20, 6, missing=0.1)
    b = builder_for(x, two_level_config(impute={"method": "median"}, treat={"method": "coinr"}))
    res = b.run()
    again = IndexBuilder.replay(b.cfg, b.data, [r.as_dict() for r in res.log])
    pd.testing.assert_frame_equal(again.scores, res.scores)


def test_imputed_cells_are_flagged() -> None:
    x = synthetic_values(20, 6, missing=0.1)
    res = builder_for(x, two_level_config(impute={"method": "mean"})).run()
    assert res.imputed_mask.equals(x.isna())
    assert res.stages["imputed"].notna().all().all()


def test_screening_drops_sparse_indicators_and_units_and_says_which() -> None:
    x = synthetic_values(10, 4)
    x.loc[x.index[:6], "i3"] = np.nan
    x.loc["u009", ["i0", "i1", "i2"]] = np.nan
    raw = two_level_config(
        4, 2, screen={"min_indicator_availability": 0.5, "min_unit_availability": 0.5}
    )
    res = builder_for(x, raw).run()
    changed = res.log[0].changed
    assert changed == {"dropped_indicators": ["i3"], "dropped_units": ["u009"]}
    assert "u009" not in res.scores.index


def test_denomination_divides_by_population_times_scale() -> None:
    x = pd.DataFrame({"cars": [100.0, 300.0], "b": [1.0, 2.0]}, index=["A", "B"])
    units = pd.DataFrame({"population": [1000.0, 2000.0]}, index=["A", "B"])
    cfg = load_config(
        {
            "name": "t",
            "dimensions": [
                {
                    "id": "d",
                    "indicators": [
                        {"id": "cars", "denominator": "population", "scale": 1000},
                        {"id": "b"},
                    ],
                }
            ],
        }
    )
    res = IndexBuilder(cfg, from_frames(x, units)).run()
    assert_allclose(res.stages["treated"]["cars"], [100.0, 150.0])


def test_a_zero_denominator_names_the_indicator_and_unit() -> None:
    x = pd.DataFrame({"cars": [100.0, 300.0], "b": [1.0, 2.0]}, index=["A", "B"])
    units = pd.DataFrame({"population": [1000.0, 0.0]}, index=["A", "B"])
    cfg = load_config(
        {
            "name": "t",
            "dimensions": [
                {
                    "id": "d",
                    "indicators": [{"id": "cars", "denominator": "population"}, {"id": "b"}],
                }
            ],
        }
    )
    with pytest.raises(PipelineError, match=r"indicator 'cars'.*unit\(s\) \['B'\]"):
        IndexBuilder(cfg, from_frames(x, units)).run()


def test_a_constant_indicator_is_named_when_normalising() -> None:
    x = synthetic_values(5, 4)
    x["i2"] = 3.0
    with pytest.raises(PipelineError, match=r"normalise \(minmax\): indicator\(s\) \['i2'\]"):
        builder_for(x, two_level_config(4, 2)).run()


def test_goalposts_without_values_name_the_indicators() -> None:
    raw = two_level_config(4, 2, normalise={"method": "goalposts"})
    raw["dimensions"][0]["indicators"][0]["goalposts"] = [0, 10]
    with pytest.raises(PipelineError, match=r"\['i1', 'i2', 'i3'\]: goalposts not set"):
        builder_for(synthetic_values(5, 4), raw).run()


def test_a_geometric_mean_over_zeros_names_the_node_and_units() -> None:
    raw = two_level_config(4, 2, aggregate={"method": "geometric"})
    with pytest.raises(PipelineError, match=r"aggregate \(geometric\): node 'd0'.*unit\(s\)"):
        builder_for(synthetic_values(8, 4), raw).run()


def test_statistical_weights_are_computed_per_node() -> None:
    x = synthetic_values(30, 6)
    for method in ("equal", "pca", "optimised"):
        res = builder_for(x, two_level_config(weights={"method": method})).run()
        w = res.weights
        assert_allclose(w["i0"] + w["i1"] + w["i2"], 1.0)
        assert_allclose(w["d0"] + w["d1"], 1.0)
    eq = builder_for(x, two_level_config(weights={"method": "equal"})).run().weights
    assert_allclose([eq["i0"], eq["d1"]], [1 / 3, 0.5])


def test_the_analysis_reports_correlations_alpha_and_pca() -> None:
    res = builder_for(synthetic_values(30, 6), two_level_config()).run()
    a = res.analysis
    assert set(a["descriptive"].index) == {f"i{j}" for j in range(6)}
    assert set(a["cronbach_alpha"]) == {"d0", "d1", "index"}
    assert {"node", "a", "b", "r", "flag"} <= set(a["correlation_within"].columns)
    assert len(a["pca"]["d0"]["explained_variance_ratio"]) == 3


def test_the_log_survives_a_json_round_trip_and_still_rebuilds_the_index() -> None:
    import json

    x = synthetic_values(25, 6, missing=0.05)
    raw = two_level_config(
        impute={"method": "knn", "params": {"n_neighbors": 3}},
        treat={"method": "coinr"},
        aggregate={
            "method": "arithmetic",
            "levels": {0: {"method": "generalised", "params": {"p": 2}}},
        },
    )
    b = builder_for(x, raw)
    res = b.run()
    text = json.dumps([r.as_dict() for r in res.log])
    again = IndexBuilder.replay(b.cfg, b.data, json.loads(text))
    pd.testing.assert_frame_equal(again.scores, res.scores)
