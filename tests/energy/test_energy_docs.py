"""docs/energy.md documents every scenario field, sessions column, KPI and strategy."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from metroscope.energy import scenario as sc
from metroscope.energy.fleet import SessionRow
from metroscope.energy.kpis import KPI_KEYS
from metroscope.energy.results import TIMESERIES_COLUMNS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "energy.md").read_text()


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _models(tp, seen)
            stack.extend(typing.get_args(tp))


def _field_names() -> list[str]:
    seen: set[type[BaseModel]] = set()
    _models(sc.Scenario, seen)
    names = {n for m in seen for n, f in m.model_fields.items() if not f.exclude}
    return sorted(names)


@pytest.mark.parametrize("name", _field_names())
def test_every_scenario_field_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC or f"`{name}:" in DOC, f"docs/energy.md does not mention `{name}`"


@pytest.mark.parametrize("name", list(SessionRow.model_fields))
def test_every_sessions_column_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("name", KPI_KEYS + TIMESERIES_COLUMNS)
def test_every_kpi_and_timeseries_column_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("name", ["uncontrolled", "pv_surplus", "optimal", "mpc"])
def test_every_strategy_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC
