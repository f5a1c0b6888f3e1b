"""Self-contained HTML reports of simulation results, with Plotly charts that work offline.

:func:`write_report` tells the story of one run: KPI cards, a typical day and a selected
week of power flows, monthly energy, state of charge, costs over time and by component,
and every assumption of the scenario. :func:`write_comparison_report` puts several
strategies on the same scenario side by side. plotly.js comes from the installed
``plotly`` package and is embedded once per file, so the report opens without a network.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from metroscope.energy.report_data import (
    FLOW_SERIES,
    cost_components_eur,
    daily_cumulative_cost_eur,
    local_naive,
    monthly_energy_kwh,
    scenario_assumptions,
    scenario_is_illustrative,
    scenario_title,
    select_week,
    typical_day_kw,
)

__all__ = ["KPI_FORMATS", "write_comparison_report", "write_report"]

# KPI key -> (label, unit, python format spec, scale)
KPI_FORMATS: dict[str, tuple[str, str, str, float]] = {
    "energy_cost_eur": ("Energy cost", "EUR", ",.0f", 1.0),
    "import_kwh": ("Grid import", "kWh", ",.0f", 1.0),
    "export_kwh": ("Grid export", "kWh", ",.0f", 1.0),
    "pv_kwh": ("PV production", "kWh", ",.0f", 1.0),
    "self_consumption": ("Self-consumption", "%", ".1f", 100.0),
    "self_sufficiency": ("Self-sufficiency", "%", ".1f", 100.0),
    "peak_import_kw": ("Peak import", "kW", ",.1f", 1.0),
    "co2_kg": ("Grid CO2", "kg", ",.0f", 1.0),
    "ev_requested_kwh": ("EV energy requested", "kWh", ",.0f", 1.0),
    "ev_delivered_kwh": ("EV energy delivered", "kWh", ",.0f", 1.0),
    "unmet_kwh": ("EV energy unmet", "kWh", ",.1f", 1.0),
    "v2g_discharged_kwh": ("V2G discharged", "kWh", ",.0f", 1.0),
    "ev_to_building_kwh": ("EV → building", "kWh", ",.0f", 1.0),
    "degradation_cost_eur": ("Degradation cost", "EUR", ",.0f", 1.0),
    "equivalent_cycles": ("Equivalent cycles", "", ",.1f", 1.0),
    "pv_used_kwh": ("PV used (not curtailed)", "kWh", ",.0f", 1.0),
    "curtailed_kwh": ("PV curtailed", "kWh", ",.0f", 1.0),
    "ev_charged_kwh": ("EV charged (grid side)", "kWh", ",.0f", 1.0),
    "battery_equivalent_cycles": ("Battery cycles", "", ",.1f", 1.0),
    "sessions": ("EV sessions served", "", ",.0f", 1.0),
    "sessions_refused": ("EV sessions refused", "", ",.0f", 1.0),
    "refused_requested_kwh": ("Energy of refused sessions", "kWh", ",.0f", 1.0),
    "steps": ("Steps", "", ",.0f", 1.0),
    "solve_seconds": ("Solve time", "s", ",.2f", 1.0),
}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2933;
background:#f5f7fa}
header{background:#0b4f6c;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:1.5rem} header p{margin:0;opacity:.85}
main{padding:18px 28px;max-width:1250px;margin:auto}
.banner{background:#fff4e5;border-left:6px solid #f0a202;padding:10px 14px;margin:0 0 16px;
border-radius:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;
margin-bottom:18px}
.card{background:#fff;border-radius:6px;padding:10px 12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card .v{font-size:1.35rem;font-weight:600} .card .l{font-size:.8rem;color:#52606d}
section{background:#fff;border-radius:6px;padding:12px 16px;margin-bottom:16px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
section h2{font-size:1.1rem;margin:4px 0 8px}
table{border-collapse:collapse;font-size:.85rem} td,th{padding:3px 8px;border-bottom:1px solid #e4e7eb;
text-align:left} th{background:#f0f4f8} td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.assume li{margin:2px 0;font-size:.9rem} pre{font-size:.75rem;overflow:auto;max-height:420px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media(max-width:900px){.grid2{grid-template-columns:1fr}}
"""

_COLOURS = {
    "pv_kw": "#f0a202",
    "load_kw": "#52606d",
    "import_kw": "#c0392b",
    "export_kw": "#27ae60",
    "ev_charge_kw": "#2471a3",
    "ev_discharge_kw": "#8e44ad",
    "ev_to_building_kw": "#d35400",
    "battery_charge_kw": "#17becf",
    "battery_discharge_kw": "#e377c2",
}


def _fmt_kpi(key: str, value: float) -> tuple[str, str]:
    label, unit, spec, scale = KPI_FORMATS.get(key, (key, "", ",.3g", 1.0))
    try:
        text = format(float(value) * scale, spec)
    except (TypeError, ValueError):
        text = html.escape(str(value))
    return label, f"{text} {unit}".strip()


def _kpi_cards(kpis: Mapping[str, float]) -> str:
    keys = [k for k in KPI_FORMATS if k in kpis] + [k for k in kpis if k not in KPI_FORMATS]
    cards = []
    for key in keys:
        label, text = _fmt_kpi(key, kpis[key])
        cards.append(
            f'<div class="card" title="{html.escape(key)}"><div class="v">{text}</div>'
            f'<div class="l">{html.escape(label)}</div></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _layout(fig: go.Figure, title: str, yaxis: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        template="plotly_white",
        yaxis_title=yaxis,
        hovermode="x unified",
    )
    return fig


def _flow_figure(frame: pd.DataFrame, title: str, x: Sequence[Any] | pd.Index) -> go.Figure:
    fig = go.Figure()
    for col, label in FLOW_SERIES.items():
        if col not in frame or not (frame[col].abs() > 1e-9).any():
            continue
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=frame[col].round(4),
                name=label,
                mode="lines",
                line={"color": _COLOURS.get(col), "width": 2, "shape": "hv"},
            )
        )
    return _layout(fig, title, "power [kW]")


def _hours(labels: pd.Index) -> list[float]:
    """``"HH:MM"`` labels as hours of the day [h]."""
    return [int(t[:2]) + int(t[3:5]) / 60 for t in labels]


def _hour_axis(fig: go.Figure) -> None:
    fig.update_xaxes(title="time of day (local) [h]", range=[0, 24], dtick=2, tick0=0)


def _figures(result: Any, week_start: pd.Timestamp | None) -> list[go.Figure]:
    ts: pd.DataFrame = result.timeseries
    dt_h = float(result.problem.dt_h)
    figs: list[go.Figure] = []

    day = typical_day_kw(ts)
    figs.append(_flow_figure(day, "Typical day: mean power by time of day", _hours(day.index)))
    _hour_axis(figs[-1])

    week = select_week(ts, dt_h, week_start)
    start, end = week.index[0], week.index[-1]
    figs.append(
        _flow_figure(
            week,
            f"Selected week: {start:%a %d %b %Y} – {end:%a %d %b %Y} (local time)",
            local_naive(week.index),
        )
    )

    months = monthly_energy_kwh(ts, dt_h)
    bar = go.Figure()
    for col, label in FLOW_SERIES.items():
        if col in months and (months[col].abs() > 1e-9).any():
            bar.add_trace(
                go.Bar(
                    x=months.index, y=months[col].round(2), name=label, marker_color=_COLOURS[col]
                )
            )
    figs.append(_layout(bar, "Energy per month", "energy [kWh]"))
    figs[-1].update_layout(barmode="group")
    figs[-1].update_xaxes(type="category", title="month")

    soc = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=("Selected week (every step)", "Whole period (daily mean and maximum)"),
        vertical_spacing=0.14,
    )
    daily = ts[["ev_soc_kwh", "battery_soc_kwh"]].copy()
    daily.index = local_naive(daily.index)
    daily_mean = daily.resample("D").mean()
    daily_max = daily.resample("D").max()
    has_battery = bool((ts["battery_soc_kwh"].abs() > 1e-9).any())
    series = [("ev_soc_kwh", "EV SoC (sum over connected EVs)", "#2471a3")]
    if has_battery:
        series.append(("battery_soc_kwh", "stationary battery SoC", "#17becf"))
    for col, label, colour in series:
        soc.add_trace(
            go.Scatter(
                x=local_naive(week.index),
                y=week[col].round(3),
                name=label,
                line={"color": colour, "shape": "hv"},
            ),
            row=1,
            col=1,
        )
        soc.add_trace(
            go.Scatter(
                x=daily_mean.index,
                y=daily_mean[col].round(3),
                name=f"{label}, daily mean",
                mode="lines",
                line={"color": colour, "dash": "dot"},
            ),
            row=2,
            col=1,
        )
        soc.add_trace(
            go.Scatter(
                x=daily_max.index,
                y=daily_max[col].round(3),
                name=f"{label}, daily max",
                mode="lines",
                line={"color": colour, "width": 1},
                opacity=0.6,
            ),
            row=2,
            col=1,
        )
    figs.append(_layout(soc, "State of charge", "energy [kWh]", height=560))
    soc.update_yaxes(title="energy [kWh]")

    cum = daily_cumulative_cost_eur(ts)
    cost_line = go.Figure(
        go.Scatter(
            x=cum.index,
            y=cum.round(2),
            name="cumulative cost",
            mode="lines",
            line={"color": "#0b4f6c"},
        )
    )
    figs.append(_layout(cost_line, "Cumulative cost over the period", "cost [EUR]"))

    parts = cost_components_eur(result.problem, ts)
    comp = go.Figure(
        go.Bar(
            x=list(parts),
            y=[round(v, 2) for v in parts.values()],
            marker_color=["#c0392b", "#27ae60", "#8e44ad", "#7f8c8d", "#0b4f6c"][: len(parts)],
            text=[f"{v + 0.0:,.0f}" for v in parts.values()],
            textposition="outside",
        )
    )
    figs.append(_layout(comp, "Cost by component (negative = revenue)", "EUR"))
    comp.update_layout(hovermode="closest")
    return figs


def _html_page(title: str, subtitle: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<main>{body}</main></body></html>"
    )


def _fig_html(fig: go.Figure) -> str:
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))


def _linked(text: str) -> str:
    """Escape ``text`` and turn its web addresses into links."""
    import re

    out = []
    for part in re.split(r"(https?://[^\s)]+)", text):
        if part.startswith(("http://", "https://")):
            url = html.escape(part)
            out.append(f'<a href="{url}">{url}</a>')
        else:
            out.append(html.escape(part))
    return "".join(out)


def _assumptions_html(scenario: Any) -> str:
    items = scenario_assumptions(scenario)
    groups: dict[str, list[str]] = {"Assumptions": [], "Sources": [], "Notes": []}
    for where, text in items:
        last = where.rsplit(".", 1)[-1].split("[")[0]
        kind = "Assumptions" if "assum" in last else "Sources" if "source" in last else "Notes"
        label = "" if where in ("assumptions", "sources") else f"<b>{html.escape(where)}</b>: "
        groups[kind].append(f"<li>{label}{_linked(text)}</li>")
    parts = [
        f'<h3>{name}</h3><ul class="assume">{"".join(lis)}</ul>'
        for name, lis in groups.items()
        if lis
    ] or ["<p>The scenario lists no assumptions or sources.</p>"]
    dump = ""
    if hasattr(scenario, "model_dump"):
        import yaml

        dump = yaml.safe_dump(
            scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
        )
    return (
        "<section><h2>Assumptions and sources of this scenario</h2>"
        f"{''.join(parts)}"
        "<details><summary>All scenario inputs</summary>"
        f"<pre>{html.escape(dump)}</pre></details></section>"
    )


def _banner(scenario: Any) -> str:
    if not scenario_is_illustrative(scenario):
        return ""
    return (
        '<div class="banner"><b>Illustrative.</b> Some inputs of this scenario are '
        "assumptions, not measurements (listed at the bottom of this page): read the figures "
        "as what such a hub <i>could</i> do, not as what it does.</div>"
    )


def write_report(
    result: Any, path: str | Path, *, week_start: pd.Timestamp | str | None = None
) -> Path:
    """Write the HTML report of one simulation result.

    Parameters
    ----------
    result : SimulationResult
        What :func:`metroscope.energy.simulate.simulate` returned.
    path : str or pathlib.Path
        File to write (parent folders are created).
    week_start : pandas.Timestamp or str, optional
        First day of the week to show step by step; by default the week with the most EV
        energy (charge plus discharge).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = pd.Timestamp(week_start) if week_start is not None else None
    figs = _figures(result, start)
    title = f"{scenario_title(result.scenario)} — strategy {result.strategy}"
    idx = result.timeseries.index
    subtitle = (
        f"{idx[0]:%d %b %Y %H:%M} – {idx[-1]:%d %b %Y %H:%M} ({idx.tz}), "
        f"{len(idx):,} steps of {result.problem.dt_h * 60:g} min, "
        f"{result.problem.n_sessions:,} EV sessions"
    )
    body = [_banner(result.scenario), _kpi_cards(result.kpis)]
    body += [f"<section>{_fig_html(f)}</section>" for f in figs]
    body.append(_assumptions_html(result.scenario))
    out.write_text(_html_page(title, subtitle, "".join(body)), encoding="utf-8")
    return out


def _comparison_table(results: Mapping[str, Any]) -> str:
    names = list(results)
    keys = [k for k in KPI_FORMATS if any(k in r.kpis for r in results.values())]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for key in keys:
        label, _unit, _, _ = KPI_FORMATS[key]
        cells = "".join(
            f'<td class="n">{_fmt_kpi(key, results[n].kpis[key])[1] if key in results[n].kpis else "—"}</td>'
            for n in names
        )
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    return f"<section><h2>KPIs by strategy</h2><table><tr><th></th>{head}</tr>{''.join(rows)}</table></section>"


def write_comparison_report(results: Mapping[str, Any], path: str | Path) -> Path:
    """Write one HTML page comparing several strategies on the same scenario.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Strategy name → result, all on the same scenario.
    path : str or pathlib.Path
        File to write.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    if not results:
        raise ValueError("write_comparison_report: no results given")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    first = next(iter(results.values()))
    names = list(results)

    bars = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=("Energy cost [EUR]", "Grid CO2 [kg]", "Peak import [kW]", "Unmet [kWh]"),
    )
    palette = ["#0b4f6c", "#f0a202", "#27ae60", "#8e44ad", "#c0392b", "#7f8c8d"]
    colours = {n: palette[i % len(palette)] for i, n in enumerate(names)}
    for col, key in enumerate(("energy_cost_eur", "co2_kg", "peak_import_kw", "unmet_kwh"), 1):
        vals = [round(float(results[n].kpis.get(key, float("nan"))), 3) + 0.0 for n in names]
        bars.add_trace(
            go.Bar(
                x=names,
                y=vals,
                text=[f"{v:,.1f}" for v in vals],
                marker_color=[colours[n] for n in names],
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    bars.update_yaxes(rangemode="tozero")
    figs = [_layout(bars, "Strategies side by side", "", height=360)]

    cum = go.Figure()
    for n in names:
        series = daily_cumulative_cost_eur(results[n].timeseries)
        cum.add_trace(
            go.Scatter(
                x=series.index, y=series.round(2), name=n, mode="lines", line={"color": colours[n]}
            )
        )
    figs.append(_layout(cum, "Cumulative cost over the period", "cost [EUR]"))

    for column, what in (("import_kw", "grid import"), ("ev_charge_kw", "EV charging")):
        fig = go.Figure()
        for n in names:
            day = typical_day_kw(results[n].timeseries)
            fig.add_trace(
                go.Scatter(
                    x=_hours(day.index),
                    y=day[column].round(3),
                    name=n,
                    line={"shape": "hv", "color": colours[n]},
                )
            )
        figs.append(_layout(fig, f"Typical day: {what} by strategy", "power [kW]"))
        _hour_axis(fig)

    body = [_banner(first.scenario), _comparison_table(results)]
    body += [f"<section>{_fig_html(f)}</section>" for f in figs]
    body.append(_assumptions_html(first.scenario))
    title = f"{scenario_title(first.scenario)} — strategies compared"
    idx = first.timeseries.index
    subtitle = f"{', '.join(names)} · {idx[0]:%d %b %Y} – {idx[-1]:%d %b %Y} ({idx.tz})"
    out.write_text(_html_page(title, subtitle, "".join(body)), encoding="utf-8")
    return out
