"""Benchmark: Monte Carlo uncertainty + Sobol sensitivity of a composite index.

SYNTHETIC data (log-normal values, seed 0; not real cities): 1,000 units × 50 indicators in
5 dimensions, 10,000 replications. Each contender runs in its own subprocess so its wall
time and peak resident memory (``ru_maxrss``) are its own; all run in the same invocation.

* ``metroscope`` — :mod:`metroscope.index.uncertainty`, four uncertain factors (weights ±25 %,
  normaliser {min-max 1–100, rank}, aggregator {arithmetic, geometric}, exclusion of one
  indicator) with first/total Sobol indices (Saltelli design, SALib estimator);
* ``loop`` — the straightforward way (how COINr runs): one full IndexBuilder pipeline per
  replication. Only ``--loop-sample`` replications are timed and the figure is
  **extrapolated** linearly to the full count (printed as such);
* ``metroscope_pair`` vs ``promcda`` — one normaliser/aggregator pair (min-max, weighted
  sum), every weight drawn uniformly in [0, 1] then normalised, on a flat 50-indicator
  index: what ProMCDA 1.0.8 (``robustness_on``, ``on_all_weights``) does. ProMCDA runs from
  its sdist in its own venv under benchmarks/.work/ (its 1.0.8 wheel omits subpackages):

      python -m venv benchmarks/.work/promcda-venv
      benchmarks/.work/promcda-venv/bin/pip install numpy pandas plotly scikit-learn scipy Pillow kaleido
      cd benchmarks/.work && pip download --no-binary :all: --no-deps promcda==1.0.8 && tar xzf ProMCDA-1.0.8.tar.gz

Run: ``python benchmarks/index_mc.py`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _machine import machine  # benchmarks/ is the script's folder

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "index_mc"
PROMCDA_DIR = HERE / ".work" / "ProMCDA-1.0.8"
PROMCDA_PY = HERE / ".work" / "promcda-venv" / "bin" / "python"


def synthetic(units: int, indicators: int, seed: int = 0) -> pd.DataFrame:
    """SYNTHETIC indicator matrix (log-normal, one in three indicators 'less is better')."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.lognormal(mean=1.0, sigma=0.6, size=(units, indicators)),
        index=pd.Index([f"unit{i:04d}" for i in range(units)], name="unit"),
        columns=[f"ind{j:02d}" for j in range(indicators)],
    )


def direction(j: int) -> int:
    return -1 if j % 3 == 0 else 1


def tree_config(indicators: int, dims: int = 5, flat: bool = False) -> dict[str, Any]:
    cols = [f"ind{j:02d}" for j in range(indicators)]
    groups = [cols] if flat else [list(a) for a in np.array_split(cols, dims)]
    return {
        "name": "SYNTHETIC benchmark index",
        "dimensions": [
            {
                "id": f"dim{k}",
                "indicators": [{"id": c, "direction": direction(int(c[3:]))} for c in g],
            }
            for k, g in enumerate(groups)
        ],
        "pipeline": {
            "normalise": {"method": "minmax", "params": {"low": 1, "high": 100}},
            "treat": {"enabled": False},
        },
    }


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    """CPU time [s] of this process and its waited-for workers (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _children_rss_mb() -> float:
    """Peak RSS of the largest worker process this contender spawned (ProMCDA's pool)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def _builder(args: argparse.Namespace, flat: bool) -> Any:
    from metroscope.index import IndexBuilder, load_config
    from metroscope.index.data import from_frames

    values = pd.read_csv(WORK / "values.csv", index_col=0)
    return IndexBuilder(load_config(tree_config(values.shape[1], flat=flat)), from_frames(values))


def _factors(pair: bool) -> list[Any]:
    from metroscope.index.uncertainty import ChoiceFactor, ExcludeFactor, WeightsFactor

    if pair:
        return [WeightsFactor(low=0.0, high=1.0)]
    return [
        WeightsFactor(pct=0.25),
        ChoiceFactor(
            "normalise", [{"method": "minmax", "params": {"low": 1, "high": 100}}, "rank"]
        ),
        ChoiceFactor("aggregate", ["arithmetic", "geometric"]),
        ExcludeFactor(),
    ]


def child_metroscope(args: argparse.Namespace, pair: bool) -> dict[str, Any]:
    b = _builder(args, flat=pair)
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    b.run()
    mc = b.uncertainty(n=args.reps, factors=_factors(pair), seed=0, sensitivity=True)
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "cpu_s": _cpu_s() - c0,
        "peak_rss_mb": _rss_mb(),
        "rss_after_imports_mb": base,
        "replications": mc.n,
        "failed": mc.n_failed,
        "timings": mc.timings,
        "sobol": mc.sobol.round(3).to_dict(orient="records") if mc.sobol is not None else None,
    }


def child_loop(args: argparse.Namespace) -> dict[str, Any]:
    """One full pipeline per replication, same factors and design as ``metroscope``."""
    import copy

    from metroscope.index import IndexBuilder, load_config
    from metroscope.index.uncertainty import ChoiceFactor, build_plan, sobol_design, sobol_problem

    b = _builder(args, flat=False)
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    nominal = b.run()
    factors = _factors(False)
    cols = list(nominal.stages["normalised"].columns)
    _, slots, w0 = build_plan(b, cols)
    dims = [len(slots), 1, 1, 1]
    problem = sobol_problem([f.name for f in factors], dims)
    n_base = int(np.ceil(args.reps / (len(factors) + 2)))
    U = sobol_design(problem, n_base, seed=0)[: args.loop_sample]
    norm = factors[1]
    agg = factors[2]
    assert isinstance(norm, ChoiceFactor) and isinstance(agg, ChoiceFactor)
    raw0 = tree_config(len(cols))
    ranks = []
    for u in U:
        w = w0 * (1 + 0.25 * (2 * u[: len(slots)] - 1))
        wmap = dict(zip(slots, w, strict=True))
        k = len(slots)
        raw = copy.deepcopy(raw0)
        raw["pipeline"]["normalise"] = norm.specs[min(int(u[k] * 2), 1)].model_dump()
        raw["pipeline"]["aggregate"] = {"method": agg.specs[min(int(u[k + 1] * 2), 1)].method}
        opts = ["", *cols]
        excluded = opts[min(int(u[k + 2] * len(opts)), len(opts) - 1)]
        for d in raw["dimensions"]:
            d["weight"] = wmap[d["id"]]
            d["indicators"] = [
                {**i, "weight": wmap[i["id"]]} for i in d["indicators"] if i["id"] != excluded
            ]
        res = IndexBuilder(load_config(raw), b.data).run(analyse=False)
        ranks.append(res.ranks["index"].to_numpy())
    wall = time.perf_counter() - t0
    return {
        "wall_s_sample": wall,
        "sample": len(U),
        "wall_s_extrapolated": wall / len(U) * args.reps,
        "cpu_s_sample": _cpu_s() - c0,
        "peak_rss_mb": _rss_mb(),
        "rss_after_imports_mb": base,
    }


def child_promcda(args: argparse.Namespace) -> dict[str, Any]:
    """Runs inside ProMCDA's venv: its main() on the same matrix, all weights random."""
    sys.path.insert(0, str(PROMCDA_DIR))
    import logging

    from mcda.mcda_run import main as promcda_main  # type: ignore[import-not-found]

    logging.disable(logging.INFO)
    values = pd.read_csv(WORK / "values.csv", index_col=0)
    matrix = WORK / "promcda_matrix.csv"
    values.reset_index().rename(columns={"unit": "Alternatives"}).to_csv(matrix, index=False)
    cfg = {
        "input_matrix_path": str(matrix),
        "polarity_for_each_indicator": [
            "+" if direction(j) > 0 else "-" for j in range(values.shape[1])
        ],
        "sensitivity": {
            "sensitivity_on": "no",
            "normalization": "minmax",
            "aggregation": "weighted_sum",
        },
        "robustness": {
            "robustness_on": "yes",
            "on_single_weights": "no",
            "on_all_weights": "yes",
            "given_weights": [1.0] * values.shape[1],
            "on_indicators": "no",
        },
        "monte_carlo_sampling": {
            "monte_carlo_runs": args.reps,
            "num_cores": os.cpu_count() or 1,
            "marginal_distribution_for_each_indicator": ["exact"] * values.shape[1],
        },
        "output_path": str(WORK / "promcda_out"),
    }
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    error = ""
    try:
        promcda_main(cfg)
    except Exception as exc:  # report, never hide: e.g. plot export needing Chrome
        error = f"{type(exc).__name__}: {exc}"
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "cpu_s": _cpu_s() - c0,
        "peak_rss_mb": _rss_mb(),
        "peak_rss_largest_worker_mb": _children_rss_mb(),
        "rss_after_imports_mb": base,
        "error": error,
    }


CHILDREN = {
    "metroscope": lambda a: child_metroscope(a, pair=False),
    "metroscope_pair": lambda a: child_metroscope(a, pair=True),
    "loop": child_loop,
    "promcda": child_promcda,
}


def run_child(name: str, args: argparse.Namespace) -> dict[str, Any]:
    py = str(PROMCDA_PY) if name == "promcda" else sys.executable
    if name == "promcda" and not (PROMCDA_PY.exists() and PROMCDA_DIR.exists()):
        return {"error": "ProMCDA not installed under benchmarks/.work (see module docstring)"}
    cmd = [
        py,
        __file__,
        "--child",
        name,
        "--reps",
        str(args.reps),
        "--loop-sample",
        str(args.loop_sample),
    ]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: {proc.stderr[-800:]}"}
    return {**json.loads(lines[-1]), "load_avg_1min_at_start": round(load, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--reps", type=int, default=10_000)
    ap.add_argument("--loop-sample", type=int, default=50, help="replications timed in the loop")
    ap.add_argument("--only", nargs="*", default=list(CHILDREN), choices=list(CHILDREN))
    ap.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args), default=float))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    synthetic(args.units, args.indicators).to_csv(WORK / "values.csv")
    print(
        f"# index MC benchmark — SYNTHETIC data {args.units} units × {args.indicators} indicators, "
        f"{args.reps} replications\n# {machine()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    results = {}
    for name in args.only:
        results[name] = r = run_child(name, args)
        print(f"{name:16s} {json.dumps(r, default=float)}", flush=True)
    ours, loop = results.get("metroscope", {}), results.get("loop", {})
    pair, pro = results.get("metroscope_pair", {}), results.get("promcda", {})
    if "wall_s" in ours and "wall_s_extrapolated" in loop:
        print(
            f"speed-up vs loop (loop extrapolated from {loop['sample']} replications): "
            f"{loop['wall_s_extrapolated'] / ours['wall_s']:.0f}×"
        )
    if "cpu_s" in ours and "cpu_s_sample" in loop:
        cpu_loop = loop["cpu_s_sample"] / loop["sample"] * args.reps
        print(
            f"CPU time vs loop (extrapolated): {cpu_loop:.0f} s vs {ours['cpu_s']:.1f} s = "
            f"{cpu_loop / ours['cpu_s']:.0f}×"
        )
    if "cpu_s" in pair and "cpu_s" in pro:
        print(
            f"CPU time vs ProMCDA: {pro['cpu_s']:.1f} s vs {pair['cpu_s']:.1f} s = "
            f"{pro['cpu_s'] / pair['cpu_s']:.1f}×"
        )
    if "wall_s" in pair and "wall_s" in pro:
        print(
            f"speed-up vs ProMCDA (one normaliser/aggregator pair): {pro['wall_s'] / pair['wall_s']:.1f}×, "
            f"memory {pro['peak_rss_mb']:.0f} MB vs {pair['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
