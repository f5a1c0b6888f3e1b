"""IndexBuilder: the one orchestrator of the index pipeline.

``IndexBuilder(cfg, data).run()`` reads as the list of its steps — screen, denominate,
impute, treat, normalise, aggregate (weights chosen per node on the way), rank, analyse —
each a small method that records what it did in the log. The log holds every step's
resolved settings, so :meth:`IndexBuilder.replay` rebuilds the same index from a log alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from metroscope.index import aggregate as agg_mod
from metroscope.index import impute as imp_mod
from metroscope.index import normalise as norm_mod
from metroscope.index import treat as treat_mod
from metroscope.index import weights as w_mod
from metroscope.index.data import IndexData
from metroscope.index.framework import IndexConfig, Indicator, MethodSpec, Node, load_config

if TYPE_CHECKING:
    from metroscope.index.uncertainty import Factor, MCResult


class PipelineError(ValueError):
    """A pipeline step failed; the message names the step, indicator/node and unit."""


@dataclass
class StepRecord:
    """One logged step: its name, resolved settings and what it changed."""

    name: str
    params: dict[str, Any]
    changed: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "params": self.params,
            "changed": self.changed,
            "seconds": self.seconds,
        }


@dataclass
class IndexResult:
    """Everything a run produced (see the index contract)."""

    scores: pd.DataFrame
    ranks: pd.DataFrame
    stages: dict[str, pd.DataFrame]
    weights: dict[str, float]
    log: list[StepRecord]
    imputed_mask: pd.DataFrame
    analysis: dict[str, Any]
    treatment: dict[str, dict[str, Any]]
    config: IndexConfig


def rank_desc(scores: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Ranks with 1 = best (highest score); ties share the best rank; NaN stays NaN."""
    return scores.rank(ascending=False, method="min")


def _spec_key(spec: MethodSpec) -> str:
    return spec.model_dump_json()


class IndexBuilder:
    """Build a composite index from a config and data.

    Parameters
    ----------
    cfg
        The validated index configuration (or anything :func:`load_config` accepts).
    data
        The indicator values and unit metadata.
    """

    def __init__(self, cfg: IndexConfig | Any, data: IndexData) -> None:
        self.cfg = cfg if isinstance(cfg, IndexConfig) else load_config(cfg)
        self.data = data
        self.log: list[StepRecord] = []
        self.stages: dict[str, pd.DataFrame] = {}
        self.active: list[str] = list(self.cfg.indicator_ids)
        self.treatment: dict[str, dict[str, Any]] = {}
        self.node_weights: dict[str, float] = {}
        self.last: IndexResult | None = None

    # --- the pipeline -----------------------------------------------------------------
    def run(self, analyse: bool = True) -> IndexResult:
        """Run every step in order and return the :class:`IndexResult`.

        Parameters
        ----------
        analyse
            Also compute the statistical analysis (correlations, alpha, PCA); a Monte Carlo
            loop that only needs scores can skip it.
        """
        self.log = []
        x = self.data.values.copy()
        self.stages = {"raw": x.copy()}
        x = self._step("screen", self.screen, x)
        x = self._step("denominate", self.denominate, x)
        x = self._step("impute", self.impute, x)
        x = self._step("treat", self.treat, x)
        x = self._step("normalise", self.normalise, x)
        scores = self._step("aggregate", self.aggregate, x)
        ranks = rank_desc(scores)
        assert isinstance(ranks, pd.DataFrame)
        imputed = self.stages["imputed"].notna() & self.stages["screened"].isna()
        result = IndexResult(
            scores=scores,
            ranks=ranks,
            stages=self.stages,
            weights=dict(self.node_weights),
            log=self.log,
            imputed_mask=imputed,
            analysis={},
            treatment=self.treatment,
            config=self.cfg,
        )
        if analyse:
            result.analysis = self._analyse(result)
        self.last = result
        return result

    def _step(self, name: str, fn: Any, x: pd.DataFrame) -> pd.DataFrame:
        t0 = time.perf_counter()
        params, changed, out = fn(x)
        self.log.append(StepRecord(name, params, changed, round(time.perf_counter() - t0, 4)))
        return out  # type: ignore[no-any-return]

    def screen(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Drop indicators and units below the availability thresholds."""
        s = self.cfg.pipeline.screen
        params = s.model_dump()
        dropped_ind: list[str] = []
        dropped_units: list[str] = []
        if s.enabled:
            avail_i = x.notna().mean(axis=0)
            dropped_ind = [c for c in x.columns if avail_i[c] < s.min_indicator_availability]
            x = x.drop(columns=dropped_ind)
            avail_u = x.notna().mean(axis=1)
            dropped_units = [str(u) for u in x.index[avail_u < s.min_unit_availability]]
            x = x.drop(index=dropped_units)
        if x.shape[1] == 0:
            raise PipelineError(
                "screen: every indicator was dropped; lower min_indicator_availability"
            )
        if x.shape[0] < 2:
            raise PipelineError("screen: fewer than two units left; lower min_unit_availability")
        self.active = [c for c in self.cfg.indicator_ids if c in x.columns]
        self.stages["screened"] = x.copy()
        return params, {"dropped_indicators": dropped_ind, "dropped_units": dropped_units}, x

    def denominate(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Divide indicators by their denominator (per capita, per km²) times ``scale``."""
        params: dict[str, Any] = {"enabled": self.cfg.pipeline.denominate.enabled, "indicators": {}}
        self.stages["denominated"] = x.copy()
        if not params["enabled"]:
            return params, {}, x
        x = x.copy()
        for ind in self._active_indicators():
            if ind.denominator is None:
                continue
            den = self.data.column(ind.denominator).reindex(x.index)
            bad = den.index[~(den.abs() > 0)].tolist()
            if bad:
                raise PipelineError(
                    f"denominate: indicator '{ind.id}': denominator '{ind.denominator}' is "
                    f"missing or zero for unit(s) {bad[:10]}"
                )
            x[ind.id] = x[ind.id] / den * ind.scale
            params["indicators"][ind.id] = {"denominator": ind.denominator, "scale": ind.scale}
        self.stages["denominated"] = x.copy()
        return params, {"denominated": list(params["indicators"])}, x

    def impute(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Fill missing values with each indicator's imputation method."""
        step = self.cfg.pipeline.impute
        per_ind = {i.id: self.cfg.step_spec("impute", i) for i in self._active_indicators()}
        out = self.impute_with(x, per_ind if step.enabled else {})
        self.stages["imputed"] = out.copy()
        n = int((x.isna() & out.notna()).sum().sum())
        left = int(out.isna().sum().sum())
        params = {
            "enabled": step.enabled,
            "indicators": {k: v.model_dump() for k, v in per_ind.items()},
        }
        return params, {"cells_imputed": n, "cells_still_missing": left}, out

    def impute_with(self, x: pd.DataFrame, specs: dict[str, MethodSpec]) -> pd.DataFrame:
        """Impute ``x`` with one method spec per indicator (no logging)."""
        out = x.copy()
        out.attrs["year"] = self.data.year
        by_spec: dict[str, list[str]] = {}
        for ind_id, spec in specs.items():
            by_spec.setdefault(_spec_key(spec), []).append(ind_id)
        for key, cols in by_spec.items():
            spec = MethodSpec.model_validate_json(key)
            if spec.method == "none" or not x[cols].isna().any().any():
                continue
            try:
                filled = imp_mod.impute(
                    x, spec.method, units=self.data.units, panel=self.data.panel, **spec.params
                )
            except (ValueError, TypeError) as exc:
                raise PipelineError(f"impute: indicator(s) {cols}: {exc}") from exc
            out[cols] = filled[cols]
        return out

    def treat(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Treat outliers per indicator and report what was treated."""
        step = self.cfg.pipeline.treat
        specs: dict[str, Any] = {}
        if step.enabled:
            specs = {
                i.id: self.cfg.step_spec("treat", i).model_dump() for i in self._active_indicators()
            }
        x, self.treatment = self.treat_with(x)
        self.stages["treated"] = x.copy()
        treated = {k: v["action"] for k, v in self.treatment.items() if v.get("action") != "none"}
        return {"enabled": step.enabled, "indicators": specs}, {"treated": treated}, x

    def treat_with(self, x: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
        """Treat ``x`` with each indicator's treatment (no logging); returns the reports."""
        x = x.copy()
        reports: dict[str, dict[str, Any]] = {}
        if not self.cfg.pipeline.treat.enabled:
            return x, reports
        for ind in self._active_indicators():
            spec = self.cfg.step_spec("treat", ind)
            try:
                x[ind.id], rep = treat_mod.treat(x[ind.id], spec.method, **spec.params)
            except (ValueError, TypeError) as exc:
                raise PipelineError(f"treat: indicator '{ind.id}': {exc}") from exc
            reports[ind.id] = rep
        return x, reports

    def normalise(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Normalise each indicator with its method; higher is always better afterwards."""
        specs = {i.id: self.cfg.step_spec("normalise", i) for i in self._active_indicators()}
        out = self.normalise_with(x, specs)
        self.stages["normalised"] = out.copy()
        return {"indicators": {k: v.model_dump() for k, v in specs.items()}}, {}, out

    def normalise_with(self, x: pd.DataFrame, specs: dict[str, MethodSpec]) -> pd.DataFrame:
        """Normalise ``x`` with one method spec per indicator (no logging)."""
        out = pd.DataFrame(np.nan, index=x.index, columns=x.columns)
        by_spec: dict[str, list[str]] = {}
        for ind_id, spec in specs.items():
            by_spec.setdefault(_spec_key(spec), []).append(ind_id)
        for key, cols in by_spec.items():
            spec = MethodSpec.model_validate_json(key)
            inds = [self.cfg.indicator(c) for c in cols]
            params = dict(spec.params)
            if spec.method == "goalposts" and "goalposts" not in params:
                gp = [i.goalposts for i in inds]
                missing = [i.id for i in inds if i.goalposts is None]
                if missing:
                    raise PipelineError(f"normalise: indicator(s) {missing}: goalposts not set")
                params["goalposts"] = np.array(gp, dtype=float)
            if spec.method == "distance_to_target" and "target" not in params:
                missing = [i.id for i in inds if i.target is None]
                if missing:
                    raise PipelineError(f"normalise: indicator(s) {missing}: target not set")
                params["target"] = np.array([i.target for i in inds], dtype=float)
            if spec.method == "distance_to_reference" and "reference_unit" in params:
                ref = str(params.pop("reference_unit"))
                if ref not in x.index:
                    raise PipelineError(f"normalise: reference unit '{ref}' is not in the data")
                params["reference"] = int(x.index.get_loc(ref))  # type: ignore[arg-type]
            direction = np.array([i.direction for i in inds], dtype=float)
            try:
                out[cols] = norm_mod.normalise(
                    x[cols].to_numpy(float), direction, spec.method, **params
                )
            except norm_mod.NormaliseError as exc:
                names = [cols[j] for j in exc.columns]
                raise PipelineError(
                    f"normalise ({spec.method}): indicator(s) {names}: {exc}"
                ) from exc
        return out

    def aggregate(self, x: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
        """Weigh and aggregate bottom-up, each node with its level's method."""
        scores: dict[str, pd.Series] = {}
        self.node_weights = {}
        methods: dict[str, Any] = {}
        wstep = self.cfg.pipeline.weights
        for depth, node in self.cfg.nodes():
            kids, names, w0 = self._children(node, x, scores)
            if not names:
                continue
            mat = np.column_stack([k.to_numpy(float) for k in kids])
            try:
                w = w_mod.weigh(mat, np.array(w0), names, wstep.method, **wstep.params)
            except (ValueError, TypeError) as exc:
                raise PipelineError(f"weights ({wstep.method}): node '{node.id}': {exc}") from exc
            spec = self.cfg.aggregation_for(node, depth)
            try:
                s = agg_mod.aggregate(mat, w, spec.method, **spec.params)
            except agg_mod.AggregateError as exc:
                units = [str(x.index[r]) for r in exc.rows][:10]
                raise PipelineError(
                    f"aggregate ({spec.method}): node '{node.id}': {exc}; unit(s) {units}"
                ) from exc
            except TypeError as exc:
                raise PipelineError(
                    f"aggregate ({spec.method}): node '{node.id}': bad params {spec.params}: {exc}"
                ) from exc
            scores[node.id] = pd.Series(s, index=x.index)
            self.node_weights.update(dict(zip(names, map(float, w), strict=True)))
            methods[node.id] = {"depth": depth, **spec.model_dump()}
        order = [self.cfg.id] + [
            n.id
            for _, n in sorted(self.cfg.nodes(), key=lambda t: t[0])
            if n.id in scores and n.id != self.cfg.id
        ]
        out = pd.DataFrame({k: scores[k] for k in order})
        out = out.rename(columns={self.cfg.id: "index"})
        out.index.name = "unit"
        params = {"weights": wstep.model_dump(), "nodes": methods}
        return params, {"weights": dict(self.node_weights)}, out

    def _children(
        self, node: Node, x: pd.DataFrame, scores: dict[str, pd.Series]
    ) -> tuple[list[pd.Series], list[str], list[float]]:
        kids: list[pd.Series] = []
        names: list[str] = []
        w0: list[float] = []
        for ind in node.indicators:
            if ind.id in x.columns:
                kids.append(x[ind.id])
                names.append(ind.id)
                w0.append(ind.weight)
        for child in node.children:
            if child.id in scores:
                kids.append(scores[child.id])
                names.append(child.id)
                w0.append(child.weight)
        return kids, names, w0

    def _active_indicators(self) -> list[Indicator]:
        return [self.cfg.indicator(i) for i in self.active]

    def _analyse(self, result: IndexResult) -> dict[str, Any]:
        from metroscope.index import analysis

        return analysis.analyse(result)

    # --- re-running and uncertainty --------------------------------------------------
    @classmethod
    def replay(
        cls, cfg: IndexConfig, data: IndexData, log: list[StepRecord] | list[dict[str, Any]]
    ) -> IndexResult:
        """Re-run an index from a log: the logged settings replace the config's pipeline."""
        recs = [r if isinstance(r, StepRecord) else StepRecord(**r) for r in log]
        raw = cfg.model_dump()
        by = {r.name: r.params for r in recs}
        pipe = raw["pipeline"]
        if "screen" in by:
            pipe["screen"] = by["screen"]
        for step in ("impute", "treat", "normalise"):
            specs = by.get(step, {}).get("indicators", {})
            if step in ("impute", "treat") and step in by:
                pipe[step]["enabled"] = by[step]["enabled"]
            _set_overrides(raw, step, specs)
        if "aggregate" in by:
            pipe["weights"] = by["aggregate"]["weights"]
            _set_node_aggregation(raw, cfg.id, by["aggregate"]["nodes"])
        return cls(IndexConfig.model_validate(raw), data).run()

    def uncertainty(
        self,
        n: int = 1000,
        factors: list[Factor] | None = None,
        seed: int = 0,
        sensitivity: bool = False,
        progress: Callable[[int, int], None] | None = None,
        **kwargs: Any,
    ) -> MCResult:
        """Monte Carlo uncertainty (and Sobol sensitivity) analysis; see uncertainty.py.

        ``progress(done, total)`` is called as chunks of replications finish.
        """
        from metroscope.index.uncertainty import run_uncertainty

        return run_uncertainty(
            self,
            n=n,
            factors=factors,
            seed=seed,
            sensitivity=sensitivity,
            progress=progress,
            **kwargs,
        )


def _set_overrides(raw: dict[str, Any], step: str, specs: dict[str, Any]) -> None:
    def rec(node: dict[str, Any]) -> None:
        for ind in node.get("indicators", []):
            if ind["id"] in specs:
                ind.setdefault("overrides", {})[step] = specs[ind["id"]]
        for c in node.get("children", []):
            rec(c)

    for d in raw["dimensions"]:
        rec(d)


def _set_node_aggregation(raw: dict[str, Any], root_id: str, nodes: dict[str, Any]) -> None:
    def spec(node_id: str) -> dict[str, Any] | None:
        s = nodes.get(node_id)
        return None if s is None else {"method": s["method"], "params": s["params"]}

    raw["aggregation"] = spec(root_id)

    def rec(node: dict[str, Any]) -> None:
        node["aggregation"] = spec(node["id"])
        for c in node.get("children", []):
            rec(c)

    for d in raw["dimensions"]:
        rec(d)
