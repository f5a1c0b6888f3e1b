"""Building load: BDEW profiles keep the annual energy at any step; CSV loads are aligned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from tiny_scenarios import tiny

from metroscope.energy.loads import load_kw
from metroscope.energy.scenario import ScenarioError
from metroscope.energy.timeseries import scenario_index


@pytest.mark.parametrize("step", [15, 60])
def test_a_bdew_profile_sums_to_its_annual_energy(step: int) -> None:
    sc = tiny(
        period={"start": "2025-01-01", "end": "2026-01-01", "step_minutes": step},
        load={"kind": "bdew", "profile": "g2", "annual_kwh": 120000},
    )
    kw = load_kw(sc, scenario_index(sc))
    # the spring-forward hour is skipped and the autumn hour repeated: ±1 h of a year
    assert_allclose(kw.sum() * step / 60, 120000, rtol=2e-4)
    assert (kw > 0).all()


def test_the_g2_profile_peaks_in_the_evening() -> None:
    sc = tiny(load={"kind": "bdew", "profile": "g2", "annual_kwh": 100000})
    kw = load_kw(sc, scenario_index(sc))
    by_hour = kw.groupby(kw.index.hour).mean()
    assert by_hour.idxmax() >= 17


def test_a_csv_load_is_held_over_finer_steps(tmp_path: Path) -> None:
    hours = pd.date_range("2025-06-02", "2025-06-05", freq="1h", inclusive="left")
    pd.DataFrame({"time": hours.strftime("%Y-%m-%d %H:%M"), "load_kw": np.arange(72.0)}).to_csv(
        tmp_path / "load.csv", index=False
    )
    sc = tiny(load={"kind": "csv", "path": str(tmp_path / "load.csv")})
    kw = load_kw(sc, scenario_index(sc))
    assert_allclose(kw.to_numpy()[:8], [0, 0, 0, 0, 1, 1, 1, 1])
    assert kw.index.tz is not None


def test_a_csv_load_without_the_column_lists_the_columns(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("timestamp,kw\n2025-06-02 00:00,1\n")
    sc = tiny(load={"kind": "csv", "path": str(tmp_path / "l.csv")})
    with pytest.raises(
        ScenarioError, match=r"no column 'load_kw' for load; columns are \['timestamp', 'kw'\]"
    ):
        load_kw(sc, scenario_index(sc))


@pytest.mark.parametrize(("day", "steps"), [("2025-03-30", 92), ("2025-10-26", 100)])
def test_daylight_saving_days_have_their_true_length(day: str, steps: int) -> None:
    from metroscope.energy.dispatch.problem import check_dispatch
    from metroscope.energy.dispatch.rules import uncontrolled
    from metroscope.energy.simulate import build_problem

    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    sc = tiny(
        period={"start": day, "end": end, "step_minutes": 15},
        load={"kind": "bdew", "profile": "g2", "annual_kwh": 100000},
    )
    p = build_problem(sc)
    assert p.n_steps == steps
    assert np.isfinite(p.load_kw).all() and (p.load_kw > 0).all()
    assert check_dispatch(p, uncontrolled(p)) == []
