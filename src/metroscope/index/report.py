"""Outputs of an index run: the HTML report (Plotly, offline), Excel workbook and CSV tables.

The report is drawn from a :class:`ReportData` of plain DataFrames, so it can be produced
for any result (and tested on hand-made frames); :func:`report_data` fills one from the
engine's objects. Plotly's JavaScript is embedded once in the page, so the file opens
offline.

Tables written (``write_outputs``): ``results.csv`` (``unit, score, rank`` then one column
per dimension score), ``rank_intervals.csv`` and ``sensitivity.csv`` when present,
``report.html``, ``index.xlsx`` (one sheet per table) and ``log.json``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from metroscope.index import charts

IMPUTED_MARK = "†"


@dataclass
class ReportData:
    """Everything the report shows, as plain pandas objects.

    Attributes
    ----------
    title, description
        Heading and lead paragraph of the report.
    scores, ranks
        Index ``unit``; columns ``index`` then one per dimension (and sub-dimension)
        [score; rank 1 = best].
    dimensions
        Dimension column ids, in tree order.
    labels
        Display name of every indicator, dimension and ``index`` id.
    raw
        Units × indicators before imputation (after denomination) [indicator units].
    imputed
        Units × indicators after imputation [indicator units].
    imputed_mask
        Units × indicators, True where the value was imputed.
    indicators
        One row per indicator: ``indicator, name, dimension, unit, direction, weight,
        source``.
    coverage
        One row per indicator: ``indicator, n_observed, n_units, share_observed,
        screened_out``.
    excluded_units
        Units screened out, with the reason.
    """

    title: str
    description: str
    scores: pd.DataFrame
    ranks: pd.DataFrame
    dimensions: list[str]
    labels: dict[str, str]
    raw: pd.DataFrame
    imputed: pd.DataFrame
    imputed_mask: pd.DataFrame
    indicators: pd.DataFrame
    coverage: pd.DataFrame
    correlations: pd.DataFrame | None = None
    rank_intervals: pd.DataFrame | None = None
    sobol: pd.DataFrame | None = None
    failures: list[tuple[int, str]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    disparity: pd.DataFrame | None = None
    disparity_note: str = ""
    external: pd.DataFrame | None = None
    excluded_units: pd.DataFrame | None = None
    units: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    flags: pd.DataFrame | None = None
    mc_description: str = ""
    normalised: pd.DataFrame | None = None


# --- tables -----------------------------------------------------------------------------


def results_table(
    scores: pd.DataFrame,
    ranks: pd.DataFrame,
    dimensions: list[str],
    units: pd.Index | list[str] | None = None,
) -> pd.DataFrame:
    """The interface table: ``unit, score, rank`` then one column per dimension score.

    Units are sorted by rank (1 = best). ``units`` lists every unit of the data: those
    screened out of the index get a row with empty score and rank, after the ranked ones.
    """
    if units is not None:
        extra = [u for u in units if u not in scores.index]
        scores = scores.reindex([*scores.index, *extra])
        ranks = ranks.reindex(scores.index)
    out = pd.DataFrame(
        {
            "unit": scores.index.astype(str),
            "score": scores["index"].to_numpy(dtype=float),
            "rank": ranks["index"].to_numpy(dtype=float),
        }
    )
    for d in dimensions:
        out[d] = scores[d].to_numpy(dtype=float)
    out = out.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    out["rank"] = out["rank"].astype("Int64")
    num = out.select_dtypes("float").columns
    out[num] = out[num].round(4)
    return out


def coverage_status(data: ReportData) -> pd.DataFrame:
    """Units × indicators: ``observed``, ``imputed``, ``missing`` or ``screened out``."""
    raw = data.raw
    status = pd.DataFrame("missing", index=raw.index, columns=raw.columns)
    status = status.mask(raw.notna(), "observed")
    mask = (
        data.imputed_mask.reindex(index=raw.index, columns=raw.columns).fillna(False).astype(bool)
    )
    status = status.mask(mask, "imputed")
    screened = set(data.coverage.loc[data.coverage["screened_out"].astype(bool), "indicator"])
    for c in status.columns:
        if c in screened:
            status[c] = status[c].where(status[c] == "observed", "screened out")
    return status


def _fmt(v: Any, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "–"
    if isinstance(v, float | np.floating):
        return f"{v:,.{digits}f}"
    return html.escape(str(v))


def _cell(v: Any, digits: int) -> str:
    is_text = isinstance(v, str) and not v.replace(".", "", 1).replace("-", "", 1).isdigit()
    return f'<td class="txt">{_fmt(v, digits)}</td>' if is_text else f"<td>{_fmt(v, digits)}</td>"


def _html_table(df: pd.DataFrame, cls: str = "tbl", digits: int = 1) -> str:
    head = "".join(
        f'<th class="num">{html.escape(str(c))}</th>'
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        else f"<th>{html.escape(str(c))}</th>"
        for c in df.columns
    )
    body = "".join(
        "<tr>" + "".join(_cell(v, digits) for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _results_html(data: ReportData) -> str:
    res = results_table(data.scores, data.ranks, data.dimensions, data.raw.index)
    n_imp = data.imputed_mask.sum(axis=1) if len(data.imputed_mask) else pd.Series(dtype=int)
    n_ind = max(len(data.imputed_mask.columns), 1)
    dims = data.dimensions
    scores = data.scores.reindex(res["unit"])
    ranks = data.ranks.reindex(res["unit"])
    head = (
        '<th>rank</th><th>unit</th><th class="num">index score</th>'
        + "".join(
            f'<th class="num">{html.escape(data.labels.get(d, d))}<br><span class="sub">score · rank</span></th>'
            for d in dims
        )
        + '<th class="num">imputed values</th>'
    )
    rows = []
    for r in res.itertuples(index=False):
        unit = r.unit
        k = int(n_imp.get(unit, 0)) if len(n_imp) else 0
        imp = f'<span class="imp">{IMPUTED_MARK} {k} of {n_ind}</span>' if k else "0"
        if pd.isna(r.rank):
            imp = "–"
        cells = "".join(
            f"<td>{_fmt(scores.loc[unit, d])} · {_fmt(ranks.loc[unit, d], 0)}</td>" for d in dims
        )
        rank = "not ranked" if pd.isna(r.rank) else str(int(r.rank))
        rows.append(
            f'<tr><td>{rank}</td><td class="txt">{html.escape(str(unit))}</td><td><b>{_fmt(r.score)}</b></td>{cells}<td>{imp}</td></tr>'
        )
    return (
        f'<table class="tbl"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _values_html(data: ReportData) -> str:
    """Units × indicators after imputation; imputed cells highlighted and marked."""
    cols = list(data.imputed.columns)
    head = "<th>unit</th>" + "".join(
        f'<th class="num">{html.escape(data.labels.get(c, c))}</th>' for c in cols
    )
    status = coverage_status(data)
    rows = []
    for u in data.imputed.index:
        cells = []
        for c in cols:
            st = status.loc[u, c] if u in status.index and c in status.columns else "observed"
            v = data.imputed.loc[u, c]
            if st == "imputed":
                cells.append(f'<td class="imp" title="imputed">{_fmt(v, 2)} {IMPUTED_MARK}</td>')
            elif st in ("missing", "screened out"):
                cells.append(f'<td class="miss" title="{st}">–</td>')
            else:
                cells.append(f"<td>{_fmt(v, 2)}</td>")
        rows.append(f"<tr><td>{html.escape(str(u))}</td>{''.join(cells)}</tr>")
    return (
        f'<table class="tbl"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _log_html(log: list[dict[str, Any]]) -> str:
    rows = []
    for i, step in enumerate(log, 1):
        name = html.escape(str(step.get("name", step.get("step", "?"))))
        params = html.escape(json.dumps(step.get("params", {}), ensure_ascii=False, default=str))
        rest = {k: v for k, v in step.items() if k not in ("name", "step", "params")}
        changed = html.escape(json.dumps(rest, ensure_ascii=False, default=str))
        if len(changed) > 600:
            changed = changed[:600] + " …"
        rows.append(
            f"<tr><td>{i}</td><td>{name}</td><td><code>{params}</code></td><td><code>{changed}</code></td></tr>"
        )
    return (
        '<table class="tbl log"><thead><tr><th>#</th><th>step</th><th>parameters</th><th>what changed</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --- page -------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#1e3a8a;color:#fff;padding:18px 28px}header h1{margin:0 0 6px;font-size:24px}
header p{margin:0;max-width:1000px;line-height:1.4;color:#dbeafe}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #e5e7eb;padding:8px 28px;z-index:5;font-size:14px}
nav a{margin-right:14px;color:#1d4ed8;text-decoration:none}
main{padding:10px 28px 40px;max-width:1300px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 18px;margin:16px 0}
section h2{margin:4px 0 10px;font-size:19px}
.tbl{border-collapse:collapse;font-size:13px;width:100%}.tbl th,.tbl td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right;vertical-align:top}
.tbl th{background:#f3f4f6;text-align:left}.tbl th.num{text-align:right}.scroll .tbl th{position:sticky;top:0;z-index:1}
.tbl td:first-child,.tbl th:first-child{text-align:left}
.tbl .sub{font-weight:normal;color:#6b7280;font-size:11px}
td.txt{text-align:left}.tbl.small{font-size:12px}td.imp,span.imp{background:#fef3c7;color:#92400e}td.miss{color:#9ca3af}
.log td{text-align:left;font-size:12px}.log code{white-space:pre-wrap;word-break:break-word}
.note{background:#eff6ff;border-left:4px solid #2563eb;padding:8px 12px;margin:8px 0;font-size:14px}
.warn{background:#fffbeb;border-left:4px solid #f59e0b;padding:8px 12px;margin:8px 0;font-size:14px}
.scroll{overflow-x:auto;max-height:640px;overflow-y:auto}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px}@media(max-width:1000px){.grid2{grid-template-columns:1fr}}
small{color:#6b7280}
"""


def _fig(fig: go.Figure) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True}
    )


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{html.escape(title)}</h2>{body}</section>'


def build_html(data: ReportData) -> str:
    """Render the whole report as one self-contained HTML page (Plotly embedded once)."""
    labels = {**data.labels}
    parts: list[tuple[str, str, str]] = []
    notes = "".join(f'<div class="warn">{html.escape(n)}</div>' for n in data.notes)
    excl = ""
    if data.excluded_units is not None and len(data.excluded_units):
        excl = "<p><b>Not ranked</b> (screened out):</p>" + _html_table(data.excluded_units)
    parts.append(
        (
            "results",
            "Results",
            notes
            + f'<p>Scores per dimension and for the index on the normalised scale (higher = better); rank 1 = best. <span class="imp">{IMPUTED_MARK}</span> '
            "counts how many of a unit's indicator values were imputed rather than observed.</p>"
            + f'<div class="scroll">{_results_html(data)}</div>'
            + excl,
        )
    )
    if data.rank_intervals is not None and len(data.rank_intervals):
        fail = ""
        if data.failures:
            fail = f'<div class="warn">{len(data.failures)} Monte Carlo replication(s) failed and are excluded; first: {html.escape(str(data.failures[0]))}</div>'
        parts.append(
            (
                "uncertainty",
                "Rank intervals",
                "<p>Bars span the 5th–95th percentile of each unit's rank over the Monte Carlo replications; "
                "the blue tick is the median, the red diamond the rank with the nominal choices.</p>"
                + (
                    f"<p><small>{html.escape(data.mc_description)}</small></p>"
                    if data.mc_description
                    else ""
                )
                + fail
                + _fig(charts.rank_intervals(data.rank_intervals)),
            )
        )
    if data.sobol is not None and len(data.sobol):
        parts.append(
            (
                "sensitivity",
                "Sensitivity",
                "<p>First-order (S1) and total-order (ST) Sobol indices of each uncertain choice, "
                "with 95 % bootstrap confidence intervals, for the mean absolute shift of the units' ranks "
                "from their nominal ranks. ST − S1 measures interactions.</p>"
                + (
                    f"<p><small>{html.escape(data.mc_description)}</small></p>"
                    if data.mc_description
                    else ""
                )
                + _fig(charts.sensitivity_bars(data.sobol))
                + _html_table(data.sobol, digits=3),
            )
        )
    if data.correlations is not None and len(data.correlations):
        parts.append(
            (
                "correlations",
                "Correlations",
                _fig(charts.correlation_heatmap(data.correlations, labels)),
            )
        )
    if len(data.dimensions) >= 1 and len(data.scores):
        sc = data.scores.dropna(subset=["index"])
        # a radar needs three axes: with fewer dimensions, profile the normalised indicators
        radar, axes = sc, list(data.dimensions)
        if len(axes) < 3 and data.normalised is not None and data.normalised.shape[1] >= 3:
            radar, axes = data.normalised.reindex(sc.index), list(data.normalised.columns)
        parts.append(
            (
                "profiles",
                "Unit profiles",
                '<div class="grid2"><div>'
                + _fig(charts.unit_radar(radar, axes, labels))
                + "</div><div>"
                + _fig(
                    charts.dimension_scatter(
                        sc,
                        data.dimensions
                        if len(data.dimensions) > 1
                        else ["index", data.dimensions[0]],
                        labels,
                    )
                )
                + "</div></div>",
            )
        )
    parts.append(
        (
            "coverage",
            "Data coverage and imputation",
            _fig(charts.coverage_bars(data.coverage, labels))
            + _fig(charts.coverage_matrix(coverage_status(data), labels))
            + "<h3>Values used (after imputation)</h3>"
            + f'<p><span class="imp">highlighted {IMPUTED_MARK}</span> = imputed; – = missing or screened out.</p>'
            + f'<div class="scroll">{_values_html(data)}</div>'
            + "<h3>Indicators</h3>"
            + f'<div class="scroll">{_html_table(data.indicators, digits=2)}</div>',
        )
    )
    if data.flags is not None and len(data.flags):
        parts.append(
            (
                "flags",
                "Data-quality flags",
                "<p>Source rows whose notes carry a doubt or a comparability warning. They are used as published; "
                "read the ranks with these in mind.</p>"
                + f'<div class="scroll">{_html_table(data.flags, digits=2)}</div>',
            )
        )
    if data.disparity is not None and len(data.disparity):
        body = (
            f'<div class="note">{html.escape(data.disparity_note)}</div>'
            if data.disparity_note
            else ""
        ) + (
            '<div class="grid2"><div>'
            + _fig(charts.disparity_bars(data.disparity, labels))
            + "</div><div>"
        )
        if (
            "core_periphery_ratio" in data.disparity.columns
            and data.disparity["core_periphery_ratio"].notna().any()
        ):
            body += _fig(charts.core_periphery_bars(data.disparity, labels))
        body += (
            "</div></div>"
            + f'<div class="scroll">{_html_table(_disparity_display(data), "tbl small", digits=3)}</div>'
        )
        parts.append(("disparity", "Core–periphery disparity", body))
    if data.external is not None and len(data.external):
        parts.append(
            (
                "validation",
                "Comparison with published rankings",
                "<p>Published ranks are <b>not</b> inputs of this index; they are shown only to compare. Spearman ρ "
                "is computed on the units present in both.</p>"
                + _fig(charts.external_comparison(data.external))
                + _html_table(_external_summary(data.external), digits=2),
            )
        )
    parts.append(
        (
            "log",
            "Processing log",
            "<p>Every step with its parameters, in the order it ran.</p>" + _log_html(data.log),
        )
    )
    if data.sources is not None and len(data.sources):
        src = data.sources.copy()
        parts.append(("sources", "Sources", f'<div class="scroll">{_sources_html(src)}</div>'))
    nav = "".join(f'<a href="#{sid}">{html.escape(t)}</a>' for sid, t, _ in parts)
    body = "".join(_section(sid, t, b) for sid, t, b in parts)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(data.title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style><script>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(data.title)}</h1><p>{html.escape(data.description)}</p></header>"
        f"<nav>{nav}</nav><main>{body}"
        "<p><small>Generated by Metroscope (metroscope.index). Charts are interactive: hover, zoom, "
        "and use the drop-downs.</small></p></main></body></html>"
    )


def _disparity_display(data: ReportData) -> pd.DataFrame:
    """The disparity table with display names and short kinds."""
    d = data.disparity.copy() if data.disparity is not None else pd.DataFrame()
    if "variable" in d.columns:
        d["variable"] = [data.labels.get(v, v) for v in d["variable"]]
    if "kind" in d.columns:
        d["kind"] = d["kind"].str.replace(" (observed)", "", regex=False)
    return d.rename(
        columns={"core_periphery_ratio": "core ÷ periphery", "better_off": "better off"}
    )


def _sources_html(src: pd.DataFrame) -> str:
    rows = []
    for r in src.itertuples(index=False):
        d = r._asdict()
        url = str(d.pop("source_url"))
        link = f'<a href="{html.escape(url)}" rel="noopener">{html.escape(url)}</a>'
        rest = "".join(f"<td>{html.escape(str(v))}</td>" for v in d.values())
        rows.append(f"<tr><td style='text-align:left;word-break:break-all'>{link}</td>{rest}</tr>")
    head = "<th>source</th>" + "".join(
        f"<th>{html.escape(c)}</th>" for c in src.columns if c != "source_url"
    )
    return f'<table class="tbl log"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _external_summary(ext: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, g in ext.groupby("ranking"):
        g = g.dropna(subset=["rank", "external_rank"])
        rho = (
            float(g["rank"].rank().corr(g["external_rank"].rank())) if len(g) >= 3 else float("nan")
        )
        rows.append({"ranking": name, "units in both": len(g), "Spearman rho": rho})
    return pd.DataFrame(rows)


# --- files ------------------------------------------------------------------------------


def tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report, keyed by its sheet / file name."""
    out: dict[str, pd.DataFrame] = {
        "results": results_table(data.scores, data.ranks, data.dimensions, data.raw.index),
        "scores": data.scores.reset_index(),
        "ranks": data.ranks.reset_index(),
        "raw_data": data.raw.reset_index(),
        "imputed_data": data.imputed.reset_index(),
        "imputed_mask": data.imputed_mask.reset_index(),
        "coverage": data.coverage,
        "indicators": data.indicators,
    }
    optional: Mapping[str, pd.DataFrame | None] = {
        "correlations": data.correlations.rename_axis("variable").reset_index()
        if data.correlations is not None
        else None,
        "rank_intervals": data.rank_intervals,
        "sensitivity": data.sobol,
        "disparity": data.disparity,
        "external_ranks": data.external,
        "excluded_units": data.excluded_units,
        "units": data.units,
        "flags": data.flags,
        "sources": data.sources,
    }
    out.update({k: v for k, v in optional.items() if v is not None and len(v)})
    out["log"] = pd.DataFrame(
        [
            {"step": i, "record": json.dumps(s, ensure_ascii=False, default=str)}
            for i, s in enumerate(data.log, 1)
        ]
    )
    return out


def write_excel(data: ReportData, path: Path) -> Path:
    """Write ``index.xlsx`` with one sheet per table (openpyxl)."""
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in tables(data).items():
            frame = df.copy()
            for c in frame.columns:
                if frame[c].dtype == bool:
                    frame[c] = frame[c].astype(int)
            frame.to_excel(xw, sheet_name=name[:31], index=False)
    return path


def write_outputs(data: ReportData, out: Path) -> list[Path]:
    """Write ``results.csv``, optional ``rank_intervals.csv``/``sensitivity.csv``,
    ``report.html``, ``index.xlsx`` and ``log.json`` into the directory ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    res = results_table(data.scores, data.ranks, data.dimensions, data.raw.index)
    res.to_csv(out / "results.csv", index=False)
    written.append(out / "results.csv")
    if data.rank_intervals is not None:
        cols = ["unit", "rank_nominal", "rank_median", "rank_q05", "rank_q95"]
        data.rank_intervals[cols].to_csv(out / "rank_intervals.csv", index=False)
        written.append(out / "rank_intervals.csv")
    if data.sobol is not None:
        data.sobol.to_csv(out / "sensitivity.csv", index=False)
        written.append(out / "sensitivity.csv")
    (out / "report.html").write_text(build_html(data), encoding="utf-8")
    written.append(out / "report.html")
    written.append(write_excel(data, out / "index.xlsx"))
    (out / "log.json").write_text(
        json.dumps(
            {"log": data.log, "failures": data.failures}, indent=2, ensure_ascii=False, default=str
        )
        + "\n",
        encoding="utf-8",
    )
    written.append(out / "log.json")
    return written
