"""docs/energy-planning.md documents every sweep column, cost assumption and sweep option."""

from __future__ import annotations

from pathlib import Path

import pytest

from metroscope.energy.finance import CostAssumptions
from metroscope.energy.sizing import TABLE_COLUMNS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "energy-planning.md").read_text()


@pytest.mark.parametrize("name", TABLE_COLUMNS)
def test_every_sweep_column_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC, f"docs/energy-planning.md does not mention `{name}`"


@pytest.mark.parametrize("name", list(CostAssumptions.model_fields))
def test_every_cost_assumption_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize(
    "option",
    [
        "--pv-kw",
        "--chargers",
        "--out",
        "--strategy",
        "--pv-eur-per-kwp",
        "--charger-eur",
        "--opex-pct",
        "--lifetime-years",
        "--discount-rate",
        "--workers",
    ],
)
def test_every_sweep_option_is_documented(option: str) -> None:
    assert f"`{option}`" in DOC
