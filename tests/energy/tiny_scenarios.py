"""Small scenarios built in code for the energy model tests (no demo files needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from metroscope.energy.scenario import Scenario, parse_scenario


def tiny_dict(**overrides: Any) -> dict[str, Any]:
    """A three-day Molins-like scenario with two chargers and generated sessions."""
    data: dict[str, Any] = {
        "name": "tiny",
        "location": {"lat_deg": 41.414, "lon_deg": 2.016, "tz": "Europe/Madrid", "country": "ES"},
        "period": {"start": "2025-06-02", "end": "2025-06-05", "step_minutes": 15},
        "pv": {"kind": "pvlib", "peak_kw": 10, "tilt_deg": 15},
        "load": {"kind": "constant", "load_kw": 4.0},
        "chargers": [{"count": 2, "power_kw": 7.4, "bidirectional": True}],
        "sessions": {
            "seed": 3,
            "profiles": [
                {"kind": "municipal_fleet", "vehicles": 2},
                {"kind": "public", "sessions_per_day": 3},
            ],
        },
        "grid": {"import_limit_kw": 30, "export_limit_kw": 5},
        "tariff": {"kind": "es-2.0td"},
        "export_price": {"kind": "flat", "price_eur_per_kwh": 0.06},
        "co2": {"kg_per_kwh": 0.19},
        "degradation_eur_per_kwh": 0.02,
    }
    data.update(overrides)
    return data


def tiny(**overrides: Any) -> Scenario:
    """:func:`tiny_dict` validated."""
    return parse_scenario(tiny_dict(**overrides), origin="tiny")


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as YAML to ``path`` and return it."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
