"""Shared helpers for the index engine tests: a small synthetic index (labelled synthetic)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from metroscope.index import IndexBuilder, load_config
from metroscope.index.data import from_frames


def synthetic_values(
    units: int = 30, indicators: int = 6, seed: int = 0, missing: float = 0.0
) -> pd.DataFrame:
    """SYNTHETIC log-normal indicator values (not real data), optionally with holes."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        rng.lognormal(size=(units, indicators)),
        index=[f"u{i:03d}" for i in range(units)],
        columns=[f"i{j}" for j in range(indicators)],
    )
    if missing:
        x = x.mask(rng.random(x.shape) < missing)
    return x


def two_level_config(indicators: int = 6, dims: int = 2, **pipeline: Any) -> dict[str, Any]:
    per = indicators // dims
    return {
        "name": "synthetic",
        "dimensions": [
            {
                "id": f"d{k}",
                "weight": 1 + k,
                "indicators": [
                    {"id": f"i{j}", "direction": 1 if j % 3 else -1, "weight": 1 + (j % 2)}
                    for j in range(k * per, (k + 1) * per)
                ],
            }
            for k in range(dims)
        ],
        "pipeline": pipeline,
    }


def builder_for(values: pd.DataFrame, cfg: dict[str, Any]) -> IndexBuilder:
    return IndexBuilder(load_config(cfg), from_frames(values))
