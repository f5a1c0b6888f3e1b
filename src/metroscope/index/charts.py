"""Plotly figures of an index report: one pure function per chart, DataFrames in, figures out.

Every function takes plain pandas objects (no engine types), so the charts can be drawn for
any result and tested on small hand-made frames. :mod:`metroscope.index.report` assembles
them into one HTML page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

#: Colours of the coverage categories.
COVERAGE_COLOURS: dict[str, str] = {
    "observed": "#2b8cbe",
    "imputed": "#f59e0b",
    "missing": "#d1d5db",
    "screened out": "#9ca3af",
}
ACCENT = "#2563eb"
#: Half-width added around integer rank intervals in the chart [rank].
RANK_PAD = 0.3
NOMINAL = "#dc2626"
_LAYOUT = {
    "template": "plotly_white",
    "font": {"size": 12},
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
}


def _menu(buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A drop-down placed above the plot on the right, clear of the title."""
    return {
        "buttons": buttons,
        "direction": "down",
        "x": 1,
        "y": 1.0,
        "xanchor": "right",
        "yanchor": "bottom",
        "showactive": True,
        "pad": {"b": 8},
    }


def _wrap(text: str, width: int = 22) -> str:
    """Break a long axis label into lines of about ``width`` characters (Plotly ``<br>``)."""
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "<br>".join(lines)


def _height(n: int, per: int = 22, base: int = 140) -> int:
    return int(min(max(base + per * n, 300), 1400))


def rank_intervals(ri: pd.DataFrame) -> go.Figure:
    """Rank intervals: Q5–Q95 bar, median and nominal rank per unit (1 = best).

    Parameters
    ----------
    ri
        Columns ``unit, rank_nominal, rank_median, rank_q05, rank_q95`` [rank].
    """
    d = ri.sort_values(["rank_median", "rank_nominal"], ascending=False)
    fig = go.Figure()
    # ranks are integers: each bar covers its ranks ± RANK_PAD so that a unit whose rank
    # never moves (Q5 = Q95) still shows a bar
    fig.add_bar(
        y=d["unit"],
        x=d["rank_q95"] - d["rank_q05"] + 2 * RANK_PAD,
        base=d["rank_q05"] - RANK_PAD,
        orientation="h",
        marker_color="rgba(37,99,235,0.25)",
        marker_line_color=ACCENT,
        name="Q5–Q95",
        hovertemplate="%{y}: Q5 %{customdata[0]:.0f} – Q95 %{customdata[1]:.0f}<extra></extra>",
        customdata=d[["rank_q05", "rank_q95"]].to_numpy(),
    )
    fig.add_scatter(
        y=d["unit"],
        x=d["rank_median"],
        mode="markers",
        name="median",
        marker={"color": ACCENT, "size": 9, "symbol": "line-ns-open", "line": {"width": 3}},
    )
    fig.add_scatter(
        y=d["unit"],
        x=d["rank_nominal"],
        mode="markers",
        name="nominal",
        marker={"color": NOMINAL, "size": 9, "symbol": "diamond"},
    )
    n = len(d)
    fig.update_layout(
        **_LAYOUT,
        title="Rank intervals under uncertainty (1 = best)",
        height=_height(n),
        xaxis={
            "title": "rank",
            "range": [0.5, max(n, float(d["rank_q95"].max())) + 0.5],
            "dtick": 1 if n <= 20 else 5,
        },
        yaxis={"automargin": True, "dtick": 1},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        bargap=0.35,
    )
    return fig


def sensitivity_bars(sobol: pd.DataFrame) -> go.Figure:
    """First-order (S1) and total-order (ST) Sobol indices with bootstrap CIs.

    Parameters
    ----------
    sobol
        Columns ``factor, S1, S1_conf, ST, ST_conf`` [-]; ``*_conf`` is the half-width of
        the 95 % confidence interval.
    """
    d = sobol.sort_values("ST", ascending=True)
    fig = go.Figure()
    for col, colour in (("S1", "#93c5fd"), ("ST", ACCENT)):
        fig.add_bar(
            y=d["factor"],
            x=d[col],
            orientation="h",
            name=col,
            marker_color=colour,
            error_x={
                "type": "data",
                "array": d[f"{col}_conf"],
                "visible": True,
                "color": "#374151",
            },
            hovertemplate="%{y}: " + col + " = %{x:.3f} ± %{error_x.array:.3f}<extra></extra>",
        )
    fig.update_layout(
        **_LAYOUT,
        title="Sensitivity of the index (Sobol indices, 95 % bootstrap CI)",
        barmode="group",
        height=_height(len(d), per=40),
        xaxis={"title": "Sobol index of the mean absolute rank shift [-]", "rangemode": "tozero"},
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


def correlation_heatmap(corr: pd.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Annotated correlation heat map [-1, 1] (lower triangle shown)."""
    labels = labels or {}
    names = [labels.get(c, c) for c in corr.columns]
    z = corr.to_numpy(dtype=float).copy()
    z[np.triu_indices_from(z, k=1)] = np.nan
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(z)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_wrap(n, 16) for n in names],
            y=names,
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=False,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} × %{x}: %{z:.2f}<extra></extra>",
            colorbar={"title": "r"},
        )
    )
    n = len(names)
    fig.update_layout(
        **_LAYOUT,
        title="Correlations (Pearson) between indicators, dimensions and the index",
        height=_height(n, per=34, base=260),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"automargin": True, "tickangle": 0, "tickfont": {"size": 10}},
    )
    return fig


def unit_radar(
    scores: pd.DataFrame, dimensions: Sequence[str], labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Profile radar of dimension scores, one trace per unit chosen from a drop-down.

    Parameters
    ----------
    scores
        Index ``unit``; one column per dimension [normalised score, e.g. 0–100].
    dimensions
        Dimension columns to draw (≥ 3 gives a polygon; fewer still draws).
    """
    labels = labels or {}
    theta = [_wrap(labels.get(d, d)) for d in dimensions]
    units = list(scores.index)
    median = scores[list(dimensions)].median()
    fig = go.Figure()
    fig.add_scatterpolar(
        r=[*median.tolist(), median.iloc[0]],
        theta=[*theta, theta[0]],
        name="median of all units",
        line={"color": "#6b7280", "dash": "dot"},
        fill="none",
    )
    for i, u in enumerate(units):
        r = scores.loc[u, list(dimensions)].astype(float).tolist()
        fig.add_scatterpolar(
            r=[*r, r[0]],
            theta=[*theta, theta[0]],
            name=str(u),
            fill="toself",
            line={"color": ACCENT},
            visible=i == 0,
        )
    buttons = []
    for i, u in enumerate(units):
        vis = [True] + [j == i for j in range(len(units))]
        buttons.append(
            {
                "label": str(u),
                "method": "update",
                "args": [{"visible": vis}, {"title.text": f"Profile: {u}"}],
            }
        )
    hi = float(np.nanmax(scores[list(dimensions)].to_numpy(dtype=float))) if len(units) else 100.0
    fig.update_layout(
        **_LAYOUT,
        title=f"Profile: {units[0]}" if units else "Profile",
        height=480,
        polar={"radialaxis": {"range": [0, max(100.0, hi)]}, "domain": {"x": [0.2, 0.8]}},
        updatemenus=[_menu(buttons)],
        showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.08},
    )
    return fig


def dimension_scatter(
    scores: pd.DataFrame, dimensions: Sequence[str], labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Scatter of two dimension scores (drop-down chooses the pair), coloured by index score."""
    labels = labels or {}
    pairs = list(combinations(dimensions, 2)) or [(dimensions[0], dimensions[0])]
    colour = scores["index"] if "index" in scores.columns else None
    fig = go.Figure()
    for i, (a, b) in enumerate(pairs):
        fig.add_scatter(
            x=scores[a],
            y=scores[b],
            mode="markers+text" if len(scores) <= 20 else "markers",
            text=[str(u) for u in scores.index],
            textposition="top center",
            textfont={"size": 10},
            visible=i == 0,
            name=f"{labels.get(a, a)} × {labels.get(b, b)}",
            marker={
                "size": 11,
                "color": colour,
                "colorscale": "Viridis",
                "showscale": i == 0,
                "colorbar": {"title": "index"},
                "line": {"width": 1, "color": "white"},
            },
            hovertemplate="%{text}<br>x %{x:.1f}<br>y %{y:.1f}<extra></extra>",
        )
    buttons = [
        {
            "label": f"{labels.get(a, a)} × {labels.get(b, b)}",
            "method": "update",
            "args": [
                {
                    "visible": [j == i for j in range(len(pairs))],
                    "marker.showscale": [j == i for j in range(len(pairs))],
                },
                {"xaxis.title.text": labels.get(a, a), "yaxis.title.text": labels.get(b, b)},
            ],
        }
        for i, (a, b) in enumerate(pairs)
    ]
    a0, b0 = pairs[0]
    fig.update_layout(
        **_LAYOUT,
        title="Two dimensions",
        height=520,
        xaxis={"title": labels.get(a0, a0)},
        yaxis={"title": labels.get(b0, b0)},
        updatemenus=[_menu(buttons)] if len(pairs) > 1 else [],
        showlegend=False,
    )
    return fig


def coverage_matrix(status: pd.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Units × indicators grid coloured by status: observed, imputed, missing, screened out."""
    labels = labels or {}
    cats = list(COVERAGE_COLOURS)
    code = status.replace({c: i for i, c in enumerate(cats)}).astype(float)
    n = len(cats)
    scale = []
    for i, c in enumerate(cats):
        scale += [[i / n, COVERAGE_COLOURS[c]], [(i + 1) / n, COVERAGE_COLOURS[c]]]
    fig = go.Figure(
        go.Heatmap(
            z=code.to_numpy(),
            x=[_wrap(labels.get(c, c), 18) for c in status.columns],
            y=[str(u) for u in status.index],
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            xgap=2,
            ygap=2,
            customdata=status.to_numpy(),
            hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>",
            colorbar={"tickvals": list(range(n)), "ticktext": cats, "title": "value is"},
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title="Data coverage: which values are observed, imputed or missing",
        height=_height(len(status), per=20, base=220),
        yaxis={"autorange": "reversed", "automargin": True, "dtick": 1},
        xaxis={"automargin": True, "tickangle": 0},
    )
    return fig


def coverage_bars(coverage: pd.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Share of units observed per indicator [%], screened-out indicators in grey."""
    labels = labels or {}
    d = coverage.sort_values("share_observed")
    colours = [
        COVERAGE_COLOURS["screened out"] if s else COVERAGE_COLOURS["observed"]
        for s in d["screened_out"]
    ]
    fig = go.Figure(
        go.Bar(
            y=[labels.get(i, i) for i in d["indicator"]],
            x=100 * d["share_observed"],
            orientation="h",
            marker_color=colours,
            text=[f"{o}/{t}" for o, t in zip(d["n_observed"], d["n_units"], strict=True)],
            textposition="outside",
            hovertemplate="%{y}: %{x:.0f} % observed<extra></extra>",
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title="Coverage per indicator (grey = screened out)",
        height=_height(len(d), per=34),
        xaxis={"title": "units with an observed value [%]", "range": [0, 115]},
        yaxis={"automargin": True},
    )
    return fig


def disparity_bars(disp: pd.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Gini, Theil and coefficient of variation per indicator/dimension [-]."""
    labels = labels or {}
    d = disp.copy()
    fig = go.Figure()
    names = [labels.get(i, i) for i in d["variable"]]
    for col, colour in (("gini", ACCENT), ("theil", "#10b981"), ("cv", "#f59e0b")):
        if col in d.columns:
            fig.add_bar(
                y=names,
                x=d[col],
                name=col.upper() if col == "cv" else col.capitalize(),
                orientation="h",
                marker_color=colour,
            )
    fig.update_layout(
        **_LAYOUT,
        title="Disparity across units (higher = more unequal)",
        barmode="group",
        height=_height(len(d), per=46),
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


def core_periphery_bars(disp: pd.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Core / periphery ratio per indicator/dimension; 1 = parity (dashed line)."""
    labels = labels or {}
    d = disp.dropna(subset=["core_periphery_ratio"])
    who = d["better_off"] if "better_off" in d.columns else pd.Series("", index=d.index)
    colours = {"core": ACCENT, "periphery": "#f59e0b"}
    fig = go.Figure(
        go.Bar(
            y=[labels.get(i, i) for i in d["variable"]],
            x=d["core_periphery_ratio"],
            orientation="h",
            marker_color=[colours.get(w, "#9ca3af") for w in who],
            customdata=who,
            text=[f"{v:.2f}" for v in d["core_periphery_ratio"]],
            textposition="outside",
            hovertemplate="%{y}: core / periphery = %{x:.2f} (better off: %{customdata})<extra></extra>",
        )
    )
    fig.add_vline(x=1, line_dash="dash", line_color="#6b7280")
    top = float(d["core_periphery_ratio"].max()) if len(d) else 1.0
    fig.update_layout(
        **_LAYOUT,
        title="Core ÷ periphery (blue: core better off, orange: periphery, grey: ≈ parity)",
        height=_height(len(d), per=34),
        xaxis={"title": "ratio of means [-]", "range": [0, max(top, 1.0) * 1.25]},
        yaxis={"automargin": True},
    )
    return fig


def external_comparison(cmp: pd.DataFrame) -> go.Figure:
    """Our rank against an external ranking's rank, one trace per external ranking."""
    fig = go.Figure()
    for name, g in cmp.groupby("ranking"):
        fig.add_scatter(
            x=g["external_rank"],
            y=g["rank"],
            mode="markers+text",
            text=g["unit"],
            textposition="top center",
            name=str(name),
            textfont={"size": 10},
            marker={"size": 10},
            hovertemplate="%{text}: external %{x}, ours %{y}<extra></extra>",
        )
    fig.update_layout(
        **_LAYOUT,
        title="Validation: our rank against published rankings (not used as inputs)",
        height=460,
        xaxis={"title": "published rank (of all cities in that ranking)"},
        yaxis={
            "title": "rank in this index",
            "range": [float(cmp["rank"].max()) + 1, -0.2] if len(cmp) else None,
        },
    )
    return fig
