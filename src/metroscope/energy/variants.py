"""Scenario variants: change a few named quantities of a scenario and validate it again.

Sizing sweeps (PV kWp × chargers) and portfolios (one base hub placed in many towns) both
need "this scenario, but with …". The named overrides live in :data:`OVERRIDES`, a registry
of small functions that edit the scenario's plain-data form; anything else can be reached
by a dotted field path (``{"grid.import_limit_kw": 60}``). The result is validated with the
scenario model, so a bad value is an error naming the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from metroscope.energy.scenario import Scenario, ScenarioError, parse_scenario

__all__ = ["OVERRIDES", "apply_overrides", "set_path"]

Data = dict[str, Any]


def _pv_kw(data: Data, value: Any) -> None:
    pv = data.get("pv")
    if float(value) < 0:
        raise ScenarioError(f"pv_kw: must be >= 0 kWp, got {value}")
    if pv is None:
        if float(value) == 0:
            return
        raise ScenarioError("pv_kw: the base scenario has no PV model to size (add a pvlib `pv:`)")
    if pv.get("kind") != "pvlib":
        raise ScenarioError(
            f"pv_kw: only a pvlib PV model can be resized, the base scenario has kind {pv.get('kind')!r}"
        )
    pv["peak_kw"] = float(value)


def _chargers(data: Data, value: Any) -> None:
    count = int(value)
    if count != value or count < 0:
        raise ScenarioError(f"chargers: must be a whole number >= 0, got {value}")
    groups = data.get("chargers") or []
    if not groups:
        raise ScenarioError("chargers: the base scenario has no charger group to copy")
    if count == 0:
        data["chargers"] = []
    else:
        groups[0]["count"] = count
        data["chargers"] = groups[:1] if len(groups) == 1 else groups


def _fleet_size(data: Data, value: Any) -> None:
    vehicles = int(value)
    if vehicles != value or vehicles < 0:
        raise ScenarioError(f"fleet_size: must be a whole number >= 0, got {value}")
    profiles = data.get("sessions", {}).get("profiles", [])
    fleets = [p for p in profiles if p.get("kind") == "municipal_fleet"]
    if not fleets:
        raise ScenarioError("fleet_size: the base scenario has no municipal_fleet session profile")
    fleets[0]["vehicles"] = vehicles


def _building_annual_kwh(data: Data, value: Any) -> None:
    load = data.get("load") or {}
    if load.get("kind") != "bdew":
        raise ScenarioError(
            "building_annual_kwh: only a BDEW standard load (load.kind: bdew) can be rescaled, "
            f"the base scenario has {load.get('kind')!r}"
        )
    load["annual_kwh"] = float(value)


def _location_field(field: str) -> Callable[[Data, Any], None]:
    def setter(data: Data, value: Any) -> None:
        data["location"][field] = value
        if field in ("lat_deg", "lon_deg"):
            data["location"]["altitude_m"] = None  # looked up again for the new place

    return setter


def _name(data: Data, value: Any) -> None:
    data["name"] = str(value)


OVERRIDES: dict[str, Callable[[Data, Any], None]] = {
    "name": _name,
    "place": _location_field("name"),
    "latitude_deg": _location_field("lat_deg"),
    "longitude_deg": _location_field("lon_deg"),
    "pv_kw": _pv_kw,
    "chargers": _chargers,
    "fleet_size": _fleet_size,
    "building_annual_kwh": _building_annual_kwh,
}
"""Named overrides: ``pv_kw`` [kWp], ``chargers`` (count of the first charger group),
``fleet_size`` (vehicles of the first ``municipal_fleet`` profile), ``building_annual_kwh``
(a BDEW load's annual consumption [kWh]), ``latitude_deg``/``longitude_deg`` (altitude is
looked up again), ``place`` (location name) and ``name``."""


def set_path(data: Data, path: str, value: Any) -> None:
    """Set ``data[a][b]…`` for a dotted ``path`` such as ``"grid.import_limit_kw"``.

    List items are addressed by number (``"chargers.0.power_kw"``).
    """
    keys = path.split(".")
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        try:
            node = node[int(key)] if isinstance(node, list) else node[key]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ScenarioError(
                f"override {path!r}: {'.'.join(keys[: i + 1])!r} does not exist in the scenario"
            ) from None
    last = keys[-1]
    if isinstance(node, list):
        try:
            node[int(last)] = value
        except (IndexError, ValueError):
            raise ScenarioError(f"override {path!r}: no list item {last!r}") from None
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"override {path!r}: {'.'.join(keys[:-1])!r} is not a mapping")


def apply_overrides(
    scenario: Scenario,
    overrides: Mapping[str, Any] | None = None,
    paths: Mapping[str, Any] | None = None,
    origin: str = "override",
) -> Scenario:
    """A copy of ``scenario`` with named overrides and dotted-path values applied.

    Parameters
    ----------
    scenario : Scenario
        Base scenario (left unchanged).
    overrides : mapping, optional
        Named overrides from :data:`OVERRIDES`; ``None`` values are skipped.
    paths : mapping, optional
        Dotted field path → value, applied after the named overrides.
    origin : str
        Where the overrides come from, for error messages (e.g. a portfolio site).

    Raises
    ------
    ScenarioError
        Unknown override name, override impossible on this scenario, or an invalid result.
    """
    data: Data = copy.deepcopy(scenario.model_dump(mode="json"))
    changed = [f"{k}={v}" for k, v in (overrides or {}).items() if v is not None and k != "name"]
    changed += [f"{k}={v}" for k, v in (paths or {}).items()]
    if changed:
        data.setdefault("assumptions", []).append(
            f"variant of {scenario.name} ({origin}): {', '.join(changed)} — overrides the base "
            "scenario's values (and any assumption above that states them)"
        )
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in OVERRIDES:
            raise ScenarioError(
                f"{origin}: unknown override {name!r}; accepted: {', '.join(sorted(OVERRIDES))} "
                "(or a dotted field path under `set:`)"
            )
        try:
            OVERRIDES[name](data, value)
        except ScenarioError as err:
            raise ScenarioError(f"{origin}: {err}") from None
    for path, value in (paths or {}).items():
        try:
            set_path(data, path, value)
        except ScenarioError as err:
            raise ScenarioError(f"{origin}: {err}") from None
    return parse_scenario(data, origin=origin, base_dir=scenario.base_dir)
