"""docs/energy-planning.md documents every portfolio field and named override."""

from __future__ import annotations

from pathlib import Path

import pytest

from metroscope.energy.portfolio import Portfolio, Site, SiteOverrides
from metroscope.energy.variants import OVERRIDES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "energy-planning.md").read_text()


@pytest.mark.parametrize(
    "name", sorted({*Portfolio.model_fields, *Site.model_fields, *SiteOverrides.model_fields})
)
def test_every_portfolio_field_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC or f" {name}:" in DOC, f"docs/energy-planning.md lacks `{name}`"


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_every_named_override_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC or f" {name}:" in DOC


def test_every_override_is_a_site_override_field_or_the_name() -> None:
    assert set(OVERRIDES) - {"name"} == set(SiteOverrides.model_fields)
