"""Monte Carlo uncertainty and Sobol sensitivity: Ishigami, failures, equivalence with a loop."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from index_synthetic import builder_for, synthetic_values, two_level_config
from numpy.testing import assert_allclose
from scipy.stats import rankdata

from metroscope.index import IndexBuilder, load_config
from metroscope.index.mc_kernel import rank_quantiles, rank_rows
from metroscope.index.uncertainty import (
    ChoiceFactor,
    ExcludeFactor,
    WeightsFactor,
    sobol_design,
    sobol_indices,
)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values() -> None:
    """Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008,
    *Global Sensitivity Analysis: The Primer*): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244."""
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sobol_design(problem, 2**14, seed=1)
    assert X.shape == (2**14 * 5, 3)
    table, used = sobol_indices(problem, ishigami(X), seed=1)
    assert used == 2**14
    assert_allclose(table["S1"], [0.314, 0.442, 0.0], atol=0.03)
    assert_allclose(table["ST"], [0.558, 0.442, 0.244], atol=0.03)
    assert (table["S1_conf"] > 0).all() and (table["S1_conf"] < 0.1).all()


def test_sobol_indices_skip_blocks_with_a_failed_run_and_say_how_many_were_used() -> None:
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sobol_design(problem, 1024, seed=0)
    y = ishigami(X)
    y[[7, 12, 5000]] = np.nan  # blocks 1, 2 and 1000
    _, used = sobol_indices(problem, y)
    assert used == 1024 - 3


def test_rank_rows_matches_scipy_min_ranks_with_ties() -> None:
    rng = np.random.default_rng(3)
    s = rng.integers(0, 6, size=(50, 40)).astype(float)
    s[4] = np.nan
    got = rank_rows(s)
    assert np.isnan(got[4]).all()
    keep = np.arange(50) != 4
    assert_allclose(got[keep], rankdata(-s[keep], axis=1, method="min"))


def test_rank_quantiles_by_counting_equal_numpy_quantiles() -> None:
    rng = np.random.default_rng(4)
    r = rng.integers(1, 30, size=(997, 25)).astype(np.float32)
    assert_allclose(rank_quantiles(r, [0.05, 0.5, 0.95]), np.quantile(r, [0.05, 0.5, 0.95], axis=0))


FACTORS = [
    WeightsFactor(pct=0.3),
    ChoiceFactor("normalise", [{"method": "minmax", "params": {"low": 1, "high": 100}}, "rank"]),
    ChoiceFactor("aggregate", ["arithmetic", "geometric", "harmonic"]),
    ExcludeFactor(),
]


def _one_pipeline(cfg_raw: dict, values, rep: dict) -> np.ndarray:
    """The replication rebuilt the slow way: one full IndexBuilder run."""
    raw = copy.deepcopy(cfg_raw)
    w = rep["weights"]
    raw["pipeline"]["weights"] = {"method": "manual"}
    raw["pipeline"]["normalise"] = rep["normalise"]
    raw["pipeline"]["aggregate"] = {"method": rep["aggregate"]}
    for d in raw["dimensions"]:
        d["weight"] = w[d["id"]]
        d["indicators"] = [
            {**i, "weight": w[i["id"]]} for i in d["indicators"] if i["id"] != rep["excluded"]
        ]
    raw["dimensions"] = [d for d in raw["dimensions"] if d["indicators"]]
    res = builder_for(values, raw).run()
    return res.scores["index"].to_numpy()


def test_every_vectorised_replication_equals_a_full_pipeline_run() -> None:
    values = synthetic_values(25, 6, seed=2)
    raw = two_level_config(6, 2)
    b = builder_for(values, raw)
    b.run()
    mc = b.uncertainty(n=64, factors=FACTORS, seed=5)
    assert mc.n_failed == 0
    from metroscope.index.uncertainty import build_plan

    _, slots, w0 = build_plan(b, list(values.columns))
    specs = {
        "minmax": {"method": "minmax", "params": {"low": 1, "high": 100}},
        "rank": {"method": "rank"},
    }
    # recover each replication's weights the way the engine drew them
    from scipy.stats import qmc

    U = qmc.Sobol(d=len(slots) + 3, scramble=True, seed=5).random(64)
    for r in range(0, 64, 7):
        W = w0 * (1 + 0.3 * (2 * U[r, : len(slots)] - 1))
        rep = {
            "weights": dict(zip(slots, W, strict=True)),
            "normalise": specs[mc.design.loc[r, "normalise"]],
            "aggregate": mc.design.loc[r, "aggregate"],
            "excluded": mc.design.loc[r, "excluded"],
        }
        assert_allclose(mc.scores[r], _one_pipeline(raw, values, rep), rtol=2e-5)


def test_failed_replications_are_listed_with_their_reason_never_skipped() -> None:
    values = synthetic_values(20, 4, seed=1)
    b = builder_for(values, two_level_config(4, 2))
    b.run()
    mc = b.uncertainty(
        n=64,
        factors=[
            ChoiceFactor(
                "normalise", ["zscore", {"method": "minmax", "params": {"low": 1, "high": 100}}]
            ),
            ChoiceFactor("aggregate", ["arithmetic", "geometric"]),
        ],
    )
    doomed = (mc.design["normalise"] == "zscore") & (mc.design["aggregate"] == "geometric")
    assert doomed.any()
    assert [r for r, _ in mc.failures] == list(np.flatnonzero(doomed))
    assert all("geometric" in why and "positive" in why for _, why in mc.failures)
    assert np.isnan(mc.ranks[doomed.to_numpy()]).all()
    assert not np.isnan(mc.ranks[~doomed.to_numpy()]).any()
    assert mc.rank_intervals["rank_median"].notna().all()


def test_a_failing_imputation_option_fails_its_replications_with_the_reason() -> None:
    values = synthetic_values(20, 4, seed=1, missing=0.1)
    b = builder_for(values, two_level_config(4, 2, impute={"method": "mean"}))
    b.run()
    mc = b.uncertainty(
        n=32,
        factors=[
            ChoiceFactor(
                "impute", ["mean", {"method": "group_mean", "params": {"group": "region"}}]
            )
        ],
    )
    assert mc.n_failed == int((mc.design["impute"] == "group_mean").sum()) > 0
    assert all("region" in why for _, why in mc.failures)


def test_rank_intervals_bracket_the_median_and_have_the_interface_columns() -> None:
    b = builder_for(synthetic_values(40, 6), two_level_config(6, 2))
    mc = b.uncertainty(n=256, factors=[WeightsFactor(0.5), ExcludeFactor()], sensitivity=True)
    ri = mc.rank_intervals
    assert list(ri.columns[:5]) == ["unit", "rank_nominal", "rank_median", "rank_q05", "rank_q95"]
    assert (ri.rank_q05 <= ri.rank_median).all() and (ri.rank_median <= ri.rank_q95).all()
    assert list(mc.sobol["factor"]) == ["weights", "exclusion"]
    assert (mc.sobol["ST"] >= -0.05).all()


def test_weights_alone_cannot_move_anything_when_there_is_one_indicator_per_dimension_and_one_dimension() -> (
    None
):
    values = synthetic_values(15, 1)
    b = IndexBuilder(
        load_config({"name": "one", "dimensions": [{"id": "d", "indicators": [{"id": "i0"}]}]}),
        builder_for(
            values, {"name": "x", "dimensions": [{"id": "d", "indicators": [{"id": "i0"}]}]}
        ).data,
    )
    mc = b.uncertainty(n=32, factors=[WeightsFactor(0.5)])
    assert_allclose(mc.rank_intervals.rank_q05, mc.rank_intervals.rank_nominal)
    assert_allclose(mc.rank_intervals.rank_q95, mc.rank_intervals.rank_nominal)


def test_bad_factors_are_rejected_with_a_clear_message() -> None:
    b = builder_for(synthetic_values(10, 4), two_level_config(4, 2))
    with pytest.raises(ValueError, match="not one of"):
        ChoiceFactor("weights", ["equal"])
    with pytest.raises(ValueError, match=r"indicator\(s\) \['nope'\] not in the index"):
        b.uncertainty(n=8, factors=[ExcludeFactor(["nope"])])


@pytest.mark.slow
def test_replications_run_on_a_dask_cluster_when_one_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dask.distributed import LocalCluster

    b = builder_for(synthetic_values(30, 4), two_level_config(4, 2))
    local = b.uncertainty(n=64, factors=[WeightsFactor(0.3)], seed=2, chunk=16)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        remote = b.uncertainty(n=64, factors=[WeightsFactor(0.3)], seed=2, chunk=16)
    assert_allclose(remote.ranks, local.ranks)


def test_progress_is_reported_up_to_the_number_of_replications() -> None:
    b = builder_for(synthetic_values(20, 4), two_level_config(4, 2))
    seen: list[tuple[int, int]] = []
    mc = b.uncertainty(
        n=40, factors=[WeightsFactor(0.2)], chunk=8, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (mc.n, mc.n) and len(seen) == 5


def test_non_compensatory_aggregators_chosen_for_one_level_match_full_runs() -> None:
    """Copeland and benefit of the doubt fall back to one call per replication."""
    values = synthetic_values(12, 4, seed=7)
    raw = two_level_config(4, 2)
    b = builder_for(values, raw)
    b.run()
    factor = ChoiceFactor("aggregate", ["copeland", "benefit_of_doubt"], depth=1)
    mc = b.uncertainty(n=8, factors=[factor], seed=1)
    assert mc.n_failed == 0
    for r in range(8):
        method = mc.design.loc[r, "aggregate"]
        again = copy.deepcopy(raw)
        again["pipeline"]["aggregate"] = {"method": "arithmetic", "levels": {1: {"method": method}}}
        expect = builder_for(values, again).run().scores["index"].to_numpy()
        assert_allclose(mc.scores[r], expect, rtol=1e-5, atol=1e-6)


def test_sensitivity_with_failed_replications_uses_only_complete_blocks() -> None:
    b = builder_for(synthetic_values(20, 4, seed=3), two_level_config(4, 2))
    b.run()
    mc = b.uncertainty(
        n=120,
        factors=[
            WeightsFactor(0.2),
            ChoiceFactor("normalise", ["zscore", "rank"]),
            ChoiceFactor("aggregate", ["arithmetic", "geometric"]),
        ],
        sensitivity=True,
    )
    assert mc.n_failed > 0
    assert 0 < mc.sobol_n_used < mc.n // 5
    assert mc.sobol is not None and list(mc.sobol["factor"]) == [
        "weights",
        "normalise",
        "aggregate",
    ]


def test_dimension_and_indicator_weights_can_be_separate_factors() -> None:
    b = builder_for(synthetic_values(30, 6), two_level_config(6, 2))
    mc = b.uncertainty(
        n=96,
        factors=[
            WeightsFactor(0.5, name="dimension weights", items=["d0", "d1"]),
            WeightsFactor(0.1, name="indicator weights", items=[f"i{j}" for j in range(6)]),
        ],
        sensitivity=True,
    )
    assert list(mc.sobol["factor"]) == ["dimension weights", "indicator weights"]
    with pytest.raises(ValueError, match=r"unknown or screened-out id\(s\) \['d9'\]"):
        b.uncertainty(n=8, factors=[WeightsFactor(0.1, items=["d9"])])


def test_excluding_the_only_indicator_of_a_dimension_drops_it_under_any_aggregator() -> None:
    values = synthetic_values(15, 3, seed=4)
    raw = {
        "name": "one per dimension",
        "dimensions": [{"id": f"d{j}", "indicators": [{"id": f"i{j}"}]} for j in range(3)],
        "pipeline": {"normalise": {"method": "minmax", "params": {"low": 1, "high": 100}}},
    }
    b = builder_for(values, raw)
    mc = b.uncertainty(
        n=32,
        factors=[ChoiceFactor("aggregate", ["arithmetic", "geometric"]), ExcludeFactor()],
        seed=2,
    )
    assert mc.n_failed == 0
    for r in range(32):
        gone = mc.design.loc[r, "excluded"]
        again = copy.deepcopy(raw)
        again["dimensions"] = [d for d in raw["dimensions"] if d["indicators"][0]["id"] != gone]
        again["pipeline"]["aggregate"] = {"method": mc.design.loc[r, "aggregate"]}
        expect = builder_for(values, again).run().scores["index"].to_numpy()
        assert_allclose(mc.scores[r], expect, rtol=2e-5)
