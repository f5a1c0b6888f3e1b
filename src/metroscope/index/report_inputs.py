"""Inputs of the index report, assembled from the engine's objects.

:func:`report_data` turns an ``IndexResult`` (and optional ``MCResult``, disparity table,
published ranks) into the :class:`~metroscope.index.report.ReportData` the report draws;
:func:`data_flags` lists source rows whose notes carry a doubt; :func:`external_comparison`
joins published rankings kept apart for validation; :func:`disparity_table` computes the
core–periphery disparity of a metropolitan index.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from metroscope.index.report import IMPUTED_MARK, ReportData

#: Words in a source row's notes that mark a doubt or a comparability warning.
FLAG_PATTERN = (
    r"(?i)doubt|not comparable|non-comparable|lower bound|selection bias|household measure"
    r"|low confidence|cable car|low-authority|verify|\bnot rail\b|not rapid transit"
)


def data_flags(tidy_csv: Path, indicators: list[str]) -> pd.DataFrame:
    """Rows of a tidy data CSV whose ``notes`` carry a doubt or comparability warning."""
    df = pd.read_csv(tidy_csv, dtype=str, keep_default_na=False)
    if "notes" not in df.columns or "indicator" not in df.columns:
        return pd.DataFrame()
    unit_col = next((c for c in ("unit", "municipality", "city", "metro") if c in df.columns), None)
    hit = df[df["indicator"].isin(indicators) & df["notes"].str.contains(FLAG_PATTERN, regex=True)]
    cols = [c for c in (unit_col, "indicator", "value", "year", "notes") if c and c in hit.columns]
    return hit[cols].rename(columns={unit_col: "unit"} if unit_col else {}).reset_index(drop=True)


def external_comparison(ext_csv: Path, ranks: pd.Series) -> pd.DataFrame:
    """Join published ranks (``unit, indicator, value`` rows) with this index's ranks."""
    ext = pd.read_csv(ext_csv)
    names = {
        "imd_smart_city_index_2019": "IMD Smart City Index 2019",
        "cities_in_motion_2019_rank": "IESE Cities in Motion 2019",
    }
    out = pd.DataFrame(
        {
            "ranking": ext["indicator"].map(lambda s: names.get(s, s)),
            "unit": ext["unit"],
            "external_rank": ext["value"].astype(float),
            "rank": ext["unit"].map(ranks).astype(float),
        }
    )
    return out.dropna(subset=["rank"]).reset_index(drop=True)


def _labels(cfg: Any) -> dict[str, str]:
    labels = {"index": "Index", cfg.id: "Index"}
    for _, item in cfg.walk():
        labels[item.id] = item.name or item.id
    return labels


def _indicator_table(cfg: Any, weights: Mapping[str, float]) -> pd.DataFrame:
    rows = []

    def rec(node: Any, dim: str) -> None:
        for ind in node.indicators:
            rows.append(
                {
                    "indicator": ind.id,
                    "name": ind.name,
                    "dimension": dim,
                    "unit": ind.unit,
                    "direction": "+" if ind.direction > 0 else "−",
                    "weight (effective)": weights.get(ind.id, float("nan")),
                    "source": ind.source,
                }
            )
        for child in node.children:
            rec(child, dim)

    for d in cfg.dimensions:
        rec(d, d.name or d.id)
    return pd.DataFrame(rows)


def _log_dicts(log: list[Any]) -> list[dict[str, Any]]:
    return [r.as_dict() if hasattr(r, "as_dict") else dict(r) for r in log]


def report_data(
    res: Any,
    data: Any,
    *,
    mc: Any = None,
    mc_description: str = "",
    disparity: pd.DataFrame | None = None,
    disparity_note: str = "",
    external: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    notes: list[str] | None = None,
) -> ReportData:
    """Assemble a :class:`ReportData` from an ``IndexResult`` (and ``MCResult``)."""
    cfg = res.config
    log = _log_dicts(res.log)
    screen: dict[str, Any] = next((r for r in log if r["name"] == "screen"), {"changed": {}})
    dropped_ind = list(screen["changed"].get("dropped_indicators", []))
    dropped_units = list(screen["changed"].get("dropped_units", []))
    raw = res.stages["raw"]
    cov = pd.DataFrame(
        {
            "indicator": raw.columns,
            "n_observed": raw.notna().sum().to_numpy(),
            "n_units": len(raw),
        }
    )
    cov["share_observed"] = cov["n_observed"] / cov["n_units"]
    cov["screened_out"] = cov["indicator"].isin(dropped_ind)
    imputed = res.stages["imputed"]
    cov["n_imputed"] = [
        int(res.imputed_mask[c].sum()) if c in res.imputed_mask else 0 for c in cov["indicator"]
    ]
    excluded = None
    if dropped_units:
        kept = [c for c in raw.columns if c not in dropped_ind]
        excluded = pd.DataFrame(
            {
                "unit": dropped_units,
                "reason": [
                    f"{int(raw.loc[u, kept].notna().sum())} of {len(kept)} indicators observed "
                    f"(minimum {cfg.pipeline.screen.min_unit_availability:.0%})"
                    for u in dropped_units
                ],
            }
        )
    dims = [d.id for d in cfg.dimensions if d.id in res.scores.columns]
    # a dimension with a single indicator correlates 1.0 with it: show the indicator only
    single = [
        d.id
        for d in cfg.dimensions
        if not d.children and sum(i.id in res.stages["normalised"] for i in d.indicators) == 1
    ]
    corr = pd.concat([res.stages["normalised"], res.scores.drop(columns=single)], axis=1).corr()
    units_tbl = (
        data.units.reset_index() if data.units is not None and len(data.units.columns) else None
    )
    extra_notes = list(notes or [])
    n_imp = int(res.imputed_mask.to_numpy().sum())
    if n_imp:
        extra_notes.append(
            f"{n_imp} of {res.imputed_mask.size} values used were imputed (marked {IMPUTED_MARK}); "
            "see 'Data coverage and imputation'."
        )
    if dropped_ind:
        extra_notes.append(
            "Screened out for low coverage (not in the index): "
            + ", ".join(
                f"{_labels(cfg).get(i, i)} ({int(raw[i].notna().sum())}/{len(raw)})"
                for i in dropped_ind
            )
            + "."
        )
    return ReportData(
        title=cfg.name,
        description=cfg.description,
        scores=res.scores,
        ranks=res.ranks,
        dimensions=dims,
        labels=_labels(cfg),
        raw=raw,
        imputed=imputed,
        imputed_mask=res.imputed_mask,
        indicators=_indicator_table(cfg, res.weights),
        coverage=cov,
        correlations=corr,
        rank_intervals=getattr(mc, "rank_intervals", None),
        sobol=getattr(mc, "sobol", None),
        failures=list(getattr(mc, "failures", []) or []),
        log=log,
        disparity=disparity,
        disparity_note=disparity_note,
        external=external,
        excluded_units=excluded,
        units=units_tbl,
        sources=sources,
        notes=extra_notes,
        flags=flags,
        mc_description=mc_description,
        normalised=res.stages["normalised"],
    )


#: Core/periphery ratios closer to 1 than this are read as parity [-].
PARITY_BAND = 0.05


def disparity_table(res: Any, data: Any, weighted: bool = True) -> tuple[pd.DataFrame, str]:
    """Gini, Theil, CV and core/periphery ratio per indicator, dimension and the index.

    Indicators are taken as **observed** (raw, before screening and imputation, so the
    screened-out ones appear too, on the units that report them); dimension and index
    scores on the ranked units. Statistics come from :func:`metroscope.index.disparity.
    disparity`, population-weighted by default.

    Returns
    -------
    The table (one row per variable, with its direction and whether the core fares
    better) and a sentence saying how core, periphery and weights were defined.
    """
    from metroscope.index.disparity import disparity

    cfg = res.config
    raw = res.stages["raw"]
    kinds = {c: "indicator (observed)" for c in raw.columns}
    kinds.update({c: "index" if c == "index" else "dimension" for c in res.scores.columns})
    values = pd.concat([raw, res.scores.reindex(raw.index)], axis=1)
    table = disparity(values, data.units, weighted=weighted, kinds=kinds)
    if table["metro"].nunique() == 1:
        table = table.drop(columns="metro")
    direction = {i.id: i.direction for i in cfg.indicators}
    table.insert(
        2, "direction", [("+" if direction.get(v, 1) > 0 else "−") for v in table["variable"]]
    )
    ratio = table["core_periphery_ratio"]
    better = [
        ""
        if pd.isna(r)
        else "≈ parity (within 5 %)"
        if abs(r - 1) < PARITY_BAND
        else ("core" if (r > 1) == (d == "+") else "periphery")
        for r, d in zip(ratio, table["direction"], strict=True)
    ]
    table.insert(len(table.columns) - 1, "better_off", better)
    n_all = len(raw)
    low = table["kind"].str.startswith("indicator") & (table["n_units"] < n_all / 2)
    table.loc[low, "note"] = [
        f"low coverage ({k} of {n_all}): means cover only the units that report it"
        + (f"; {old}" if old else "")
        for k, old in zip(table.loc[low, "n_units"], table.loc[low, "note"], strict=True)
    ]
    core_units = data.units.index[data.units.get("is_core", pd.Series(False)).astype(bool)]
    n = len(data.units)
    note = (
        f"Core: {', '.join(map(str, core_units))}; periphery: the other {n - len(core_units)} "
        "units. "
        + (
            "Statistics weighted by population (a person-based view). "
            if weighted
            else "Statistics unweighted (one municipality, one vote). "
        )
        + "Indicators on observed values only (n_units says how many); ratio = core mean / "
        "periphery mean; 'better off' reads the ratio with the indicator's direction (within 5 % = parity)."
    )
    return table, note
