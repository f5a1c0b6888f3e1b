"""Investment arithmetic for hub sizing: capex, NPV, payback and the cost–CO2 Pareto front.

Plain functions on numbers and arrays, no simulation: :mod:`metroscope.energy.sizing` calls
them once per sweep point, and the tests check them against values computed by hand.

Conventions
-----------
* Cash flows are yearly and constant over the lifetime: year 0 pays the capex, years
  ``1 … lifetime_years`` each receive ``annual_net_eur = annual_saving_eur − opex_eur``.
* ``NPV = −capex + annual_net · A(r, n)`` with the annuity factor
  ``A(r, n) = (1 − (1 + r)^−n) / r`` (``= n`` when ``r = 0``).
* Paybacks are fractional years; ``None`` means "never within the lifetime" (discounted)
  or "never" (simple, when the net yearly cash flow is not positive).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CostAssumptions",
    "annuity_factor",
    "capex_eur",
    "capital_recovery_factor",
    "discounted_payback_years",
    "npv_eur",
    "pareto_front",
    "simple_payback_years",
]

MOLINS_DE_REI_REFERENCE = {
    "capex_eur": 17078.05,
    "pv_kwp": 10.0,
    "chargers": 1,
    "what": "metropolitan fotolinera at Molins de Rei: 10 kWp PV pergola + one V2G charger, "
    "EUR 17,078.05 excluding VAT",
    "source": "https://www.interregeurope.eu/policylearning/good-practices/item/5229/"
    "v2g-ev-charging-network/",
}
"""The one sourced cost point for a solar V2G hub in the AMB."""


class CostAssumptions(BaseModel):
    """Capital and operating cost assumptions of a hub investment.

    Every default below is an ASSUMPTION (labelled in :attr:`labels` and in every report);
    together the defaults reproduce the sourced Molins de Rei reference point
    (:data:`MOLINS_DE_REI_REFERENCE`: EUR 17,078.05 for 10 kWp + one charger).
    """

    model_config = ConfigDict(extra="forbid")

    pv_eur_per_kwp: float = Field(
        default=1200.0, ge=0, description="PV capex [EUR/kWp] (assumption)"
    )
    charger_eur: float = Field(
        default=5078.05, ge=0, description="capex per bidirectional charger [EUR] (assumption)"
    )
    fixed_eur: float = Field(
        default=0.0, ge=0, description="fixed capex per site [EUR] (assumption)"
    )
    opex_pct_of_capex: float = Field(
        default=1.5, ge=0, le=100, description="yearly O&M as % of capex [%] (assumption)"
    )
    lifetime_years: int = Field(default=20, ge=1, le=100, description="project lifetime [years]")
    discount_rate: float = Field(default=0.04, ge=0, lt=1, description="real discount rate [-]")

    def labels(self) -> dict[str, str]:
        """Human label of each value, saying where it comes from."""
        ref = MOLINS_DE_REI_REFERENCE
        return {
            "pv_eur_per_kwp": f"{self.pv_eur_per_kwp:,.2f} EUR/kWp — ASSUMPTION",
            "charger_eur": (
                f"{self.charger_eur:,.2f} EUR per charger — ASSUMPTION (default: the sourced "
                f"Molins de Rei total {ref['capex_eur']:,.2f} EUR minus 10 kWp at the assumed "
                "1,200 EUR/kWp)"
            ),
            "fixed_eur": f"{self.fixed_eur:,.2f} EUR per site — ASSUMPTION",
            "opex_pct_of_capex": f"{self.opex_pct_of_capex:g} % of capex a year — ASSUMPTION",
            "lifetime_years": f"{self.lifetime_years} years — ASSUMPTION",
            "discount_rate": f"{self.discount_rate:.1%} a year (real) — ASSUMPTION",
            "reference": f"{ref['what']} — source: {ref['source']}",
        }


def capex_eur(pv_kwp: float, chargers: int, costs: CostAssumptions) -> float:
    """Capital cost of a hub [EUR].

    Parameters
    ----------
    pv_kwp : float
        Installed PV peak power [kWp].
    chargers : int
        Number of chargers [-].
    costs : CostAssumptions
        Unit costs.
    """
    if pv_kwp <= 0 and chargers <= 0:
        return 0.0
    return costs.fixed_eur + costs.pv_eur_per_kwp * pv_kwp + costs.charger_eur * chargers


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 EUR a year for ``years`` years at ``rate`` [-]."""
    if rate == 0:
        return float(years)
    return (1.0 - (1.0 + rate) ** (-years)) / rate


def capital_recovery_factor(rate: float, years: int) -> float:
    """Share of a capex paid back each year of an annuity [1/year]: ``1 / A(r, n)``."""
    return 1.0 / annuity_factor(rate, years)


def npv_eur(capex: float, annual_net_eur: float, rate: float, years: int) -> float:
    """Net present value of a constant yearly net cash flow after a capex [EUR].

    Parameters
    ----------
    capex : float
        Investment paid at year 0 [EUR].
    annual_net_eur : float
        Net cash flow of each year 1 … ``years`` (saving minus opex) [EUR/year].
    rate : float
        Discount rate [-/year].
    years : int
        Lifetime [years].
    """
    return -capex + annual_net_eur * annuity_factor(rate, years)


def simple_payback_years(capex: float, annual_net_eur: float) -> float | None:
    """Years until the undiscounted net cash flows repay the capex, ``None`` if never."""
    if capex <= 0:
        return 0.0
    if annual_net_eur <= 0:
        return None
    return capex / annual_net_eur


def discounted_payback_years(
    capex: float, annual_net_eur: float, rate: float, years: int
) -> float | None:
    """Years until the discounted net cash flows repay the capex [years].

    Solves ``annual_net · A(r, y) = capex`` for a fractional ``y``; ``None`` when that
    does not happen within ``years``.
    """
    if capex <= 0:
        return 0.0
    if annual_net_eur <= 0:
        return None
    if rate == 0:
        y = capex / annual_net_eur
    else:
        x = 1.0 - capex * rate / annual_net_eur
        if x <= 0:
            return None
        y = -math.log(x) / math.log(1.0 + rate)
    return y if y <= years + 1e-12 else None


def pareto_front(cost: np.ndarray, co2: np.ndarray) -> np.ndarray:
    """Mask of the points no other point beats on both cost and CO2 (both minimised).

    A point is dominated when another is no worse on both objectives and strictly better
    on at least one. Ties (identical points) all stay on the front.

    Parameters
    ----------
    cost, co2 : numpy.ndarray
        Objectives per point, shape ``[n]`` (any units; lower is better).

    Returns
    -------
    numpy.ndarray
        Boolean mask, ``True`` for points on the front.
    """
    c = np.asarray(cost, dtype=float)
    e = np.asarray(co2, dtype=float)
    if c.shape != e.shape:
        raise ValueError(f"pareto_front: cost {c.shape} and co2 {e.shape} differ in shape")
    no_worse = (c[None, :] <= c[:, None]) & (e[None, :] <= e[:, None])
    better = (c[None, :] < c[:, None]) | (e[None, :] < e[:, None])
    dominated = np.any(no_worse & better, axis=1)
    return ~dominated
