"""The HTML page of a portfolio run: metro KPI cards, municipality charts and tables."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metroscope.energy.report import _fig_html, _html_page, _kpi_cards

if TYPE_CHECKING:
    from metroscope.energy.portfolio import PortfolioResult

__all__ = ["write_portfolio_html"]

_METRO_CARDS = (
    "energy_cost_eur",
    "import_kwh",
    "export_kwh",
    "pv_kwh",
    "self_consumption",
    "self_sufficiency",
    "co2_kg",
    "ev_delivered_kwh",
    "unmet_kwh",
    "v2g_discharged_kwh",
    "ev_to_building_kwh",
)
_TABLE_COLS = {
    "municipality": "municipality",
    "sites": "sites",
    "pv_kwp": "PV [kWp]",
    "chargers": "chargers",
    "pv_kwh": "PV [kWh]",
    "import_kwh": "import [kWh]",
    "export_kwh": "export [kWh]",
    "energy_cost_eur": "cost [EUR]",
    "co2_kg": "CO2 [kg]",
    "ev_delivered_kwh": "EV delivered [kWh]",
    "unmet_kwh": "unmet [kWh]",
    "v2g_discharged_kwh": "V2G [kWh]",
    "self_sufficiency": "self-sufficiency",
}


def _table(frame, cols: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    present = {k: v for k, v in cols.items() if k in frame}
    head = "".join(f"<th>{html.escape(v)}</th>" for v in present.values())
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for key in present:
            value = row[key]
            if isinstance(value, str):
                cells.append(f"<td>{html.escape(value)}</td>")
            elif key in ("self_sufficiency", "self_consumption"):
                cells.append(f'<td class="n">{100 * float(value):.1f} %</td>')
            else:
                cells.append(f'<td class="n">{float(value):,.0f}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def write_portfolio_html(result: PortfolioResult, path: str | Path) -> Path:
    """Write the portfolio page (self-contained, plotly.js embedded once)."""
    m = result.municipalities.sort_values("pv_kwh", ascending=False)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Energy per municipality [kWh/period]", "Cost and grid CO2"),
        specs=[[{}, {"secondary_y": True}]],
    )
    for key, label, colour in (
        ("pv_kwh", "PV", "#f0a202"),
        ("import_kwh", "grid import", "#c0392b"),
        ("ev_delivered_kwh", "EV delivered", "#2471a3"),
        ("v2g_discharged_kwh", "V2G discharged", "#8e44ad"),
    ):
        fig.add_trace(
            go.Bar(x=m["municipality"], y=m[key].round(1), name=label, marker_color=colour),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=m["municipality"],
            y=m["energy_cost_eur"].round(1),
            name="cost [EUR]",
            marker_color="#0b4f6c",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=m["municipality"],
            y=m["co2_kg"].round(1),
            name="grid CO2 [kg] (right axis)",
            mode="markers",
            marker={"color": "#c0392b", "size": 10, "symbol": "diamond"},
        ),
        row=1,
        col=2,
        secondary_y=True,
    )
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(
        barmode="group",
        height=460,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.35},
    )
    metro = {k: result.metro[k] for k in _METRO_CARDS if k in result.metro}
    p = result.portfolio
    banner = (
        '<div class="banner"><b>Illustrative.</b> Site sizes, fleets and loads in this portfolio '
        "are assumptions (listed below), not an adopted plan.</div>"
        if p.illustrative
        else ""
    )
    facts = (
        f"<p>{int(result.metro['sites'])} sites in {len(result.municipalities)} municipalities, "
        f"{result.metro.get('pv_kwp', 0):,.0f} kWp PV, {result.metro.get('chargers', 0):,.0f} chargers, "
        f"{result.metro.get('site_years', 0):,.1f} site-years simulated in "
        f"{result.wall_seconds:,.1f} s ({html.escape(result.backend)}). Peak import added over "
        f"sites (upper bound of the coincident metro peak): "
        f"{result.metro.get('peak_import_kw_sum', 0):,.0f} kW.</p>"
    )
    notes = "".join(f"<li>{html.escape(a)}</li>" for a in p.assumptions) or "<li>none listed</li>"
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in p.sources) or "<li>none listed</li>"
    body = (
        f"{banner}{facts}{_kpi_cards(metro)}<section>{_fig_html(fig)}</section>"
        f"<section><h2>Municipalities</h2>{_table(m, _TABLE_COLS)}</section>"
        f"<section><h2>Sites</h2>{_table(result.sites, {'site': 'site', **_TABLE_COLS})}</section>"
        f"<section><h2>Assumptions</h2><ul class='assume'>{notes}</ul>"
        f"<h2>Sources</h2><ul class='assume'>{sources}</ul></section>"
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        _html_page(
            f"Portfolio {p.name}",
            p.description.strip().splitlines()[0] if p.description else "",
            body,
        ),
        encoding="utf-8",
    )
    return out
