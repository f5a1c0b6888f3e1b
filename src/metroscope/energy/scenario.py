"""Energy scenario: the pydantic models behind a scenario YAML file, and how to load one.

A scenario describes one charging hub for one period: where it is (:class:`Location`),
when (:class:`Period`), what produces (:class:`PvlibPV` or :class:`ProfilePV`), what
consumes (:class:`BdewLoad`, :class:`CsvLoad`, :class:`ConstantLoad`), the chargers and the
EV sessions (:class:`Sessions`), the grid connection and tariff, and an optional battery.
Every model forbids unknown fields, so a typo in a YAML file is an error that names the
field. Relative paths inside a scenario (CSV, EPW) are resolved against the YAML file's
folder (:attr:`Scenario.base_dir`).

The JSON Schema of :class:`Scenario` is exported to ``docs/schemas/energy-scenario.schema.json``
(:func:`write_json_schema`); a test keeps it current.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "Battery",
    "BdewLoad",
    "ChargerGroup",
    "ConstantLoad",
    "CsvLoad",
    "Grid",
    "Location",
    "Period",
    "ProfilePV",
    "PvlibPV",
    "Scenario",
    "ScenarioError",
    "SessionProfile",
    "Sessions",
    "parse_scenario",
    "read_scenario",
    "write_json_schema",
]


class ScenarioError(ValueError):
    """A scenario (or one of its files) is invalid; the message names file, field and fix."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- where, when
class Location(_Model):
    """Where the hub is."""

    name: str = Field("", description="Place name shown in reports.")
    lat_deg: float = Field(ge=-90, le=90, description="Latitude [deg], north positive.")
    lon_deg: float = Field(ge=-180, le=180, description="Longitude [deg], east positive.")
    tz: str = Field(description="IANA time zone, e.g. Europe/Madrid.")
    altitude_m: float | None = Field(
        None, description="Altitude [m]; looked up in pvlib's altitude data when omitted."
    )
    country: str | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="ISO 3166 alpha-2 code; gives public holidays to tariffs, loads and fleets.",
    )

    @field_validator("tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as 'Europe/Madrid'"
            ) from None
        return value


class Period(_Model):
    """Simulated period ``[start, end)`` in local time, and the step length."""

    start: dt.date | dt.datetime = Field(description="First instant (local time).")
    end: dt.date | dt.datetime = Field(description="End instant, excluded (local time).")
    step_minutes: Literal[5, 15, 60] = Field(15, description="Step length [min]: 5, 15 or 60.")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if _as_datetime(self.end) <= _as_datetime(self.start):
            raise ValueError(f"period.end ({self.end}) must be after period.start ({self.start})")
        return self


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


# ----------------------------------------------------------------------------- production
class ClearSkyWeather(_Model):
    """pvlib's Ineichen clear sky with its Linke turbidity climatology (works offline)."""

    kind: Literal["clearsky"] = "clearsky"
    ambient_temp_c: float = Field(
        20.0, description="Air temperature for the cell-temperature model [C] (assumption)."
    )
    wind_speed_m_per_s: float = Field(1.0, ge=0, description="Wind speed [m/s] (assumption).")


class EpwWeather(_Model):
    """An EnergyPlus weather file (TMY); its year is mapped onto the scenario's calendar."""

    kind: Literal["epw"] = "epw"
    path: str = Field(description="EPW file, relative to the scenario file.")


class PvgisWeather(_Model):
    """A typical meteorological year fetched from PVGIS (needs internet access)."""

    kind: Literal["pvgis"] = "pvgis"


Weather = Annotated[ClearSkyWeather | EpwWeather | PvgisWeather, Field(discriminator="kind")]


class PvlibPV(_Model):
    """A PV array modelled with pvlib (PVWatts DC model, flat system losses)."""

    kind: Literal["pvlib"] = "pvlib"
    peak_kw: float = Field(ge=0, description="Nameplate DC power [kWp].")
    tilt_deg: float = Field(ge=0, le=90, description="Panel tilt from horizontal [deg].")
    azimuth_deg: float = Field(
        180, ge=0, lt=360, description="Panel azimuth [deg]: 180 = south, 0 = north."
    )
    losses_pct: float = Field(14.0, ge=0, lt=100, description="System losses [%] (PVWatts).")
    gamma_pdc_per_c: float = Field(-0.004, le=0, description="Power temperature coefficient [1/C].")
    weather: Weather = Field(default_factory=lambda: ClearSkyWeather.model_validate({}))
    target_yield_kwh_per_kwp: float | None = Field(
        None,
        gt=0,
        description="Annual specific yield to calibrate to [kWh/kWp/yr]; clear sky overstates it.",
    )
    target_yield_source: str | None = Field(
        None, description="Where the target yield comes from (URL or 'assumption: …')."
    )

    @model_validator(mode="after")
    def _sourced_target(self) -> PvlibPV:
        if self.target_yield_kwh_per_kwp is not None and not self.target_yield_source:
            raise ValueError(
                "pv.target_yield_source is required with target_yield_kwh_per_kwp: give a "
                "URL or 'assumption: …'"
            )
        return self


class ProfilePV(_Model):
    """A measured or precomputed PV power profile from a CSV file."""

    kind: Literal["profile"] = "profile"
    path: str = Field(description="CSV with a timestamp column and a power column [kW].")
    column: str = Field("pv_kw", description="Power column [kW].")
    scale: float = Field(1.0, ge=0, description="Multiplier applied to the column [-].")


PV = Annotated[PvlibPV | ProfilePV, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- consumption
class BdewLoad(_Model):
    """A BDEW standard load profile (demandlib) scaled to an annual consumption."""

    kind: Literal["bdew"] = "bdew"
    profile: Literal["g0", "g1", "g2", "g3", "g4", "g5", "g6", "h0", "l0", "l1", "l2"] = Field(
        "g0", description="BDEW profile: g0–g6 commerce, h0 household, l0–l2 farms."
    )
    annual_kwh: float = Field(ge=0, description="Annual consumption [kWh/yr].")


class CsvLoad(_Model):
    """A measured load profile from a CSV file."""

    kind: Literal["csv"] = "csv"
    path: str = Field(description="CSV with a timestamp column and a power column [kW].")
    column: str = Field("load_kw", description="Power column [kW].")
    scale: float = Field(1.0, ge=0, description="Multiplier applied to the column [-].")


class ConstantLoad(_Model):
    """A constant load (tests and toy examples)."""

    kind: Literal["constant"] = "constant"
    load_kw: float = Field(ge=0, description="Constant power [kW].")


Load = Annotated[BdewLoad | CsvLoad | ConstantLoad, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- EVs
class ChargerGroup(_Model):
    """``count`` identical chargers."""

    name: str = Field("charger", description="Prefix of the charger ids.")
    count: int = Field(1, ge=1, description="Number of chargers.")
    power_kw: float = Field(gt=0, description="Maximum power per charger [kW].")
    efficiency: float = Field(
        0.92, gt=0, le=1, description="Charger efficiency, used both ways [-]."
    )
    bidirectional: bool = Field(False, description="Can discharge a V2G-capable vehicle.")


class SessionProfile(_Model):
    """A generated group of EV sessions; unset fields take the defaults of ``kind``.

    ``municipal_fleet`` and ``workplace`` create ``vehicles`` named vehicles, each making at
    most one session per eligible day; ``public`` draws a Poisson number of sessions a day
    with mean ``sessions_per_day``. A session stays ``stay_mean_h`` hours, or, when
    ``departure_mean_h`` is set, until that hour of the next eligible day (overnight).
    ``ev2gym`` draws a Poisson number of sessions a day from EV2Gym's shipped ElaadNL
    distributions of ``segment`` (arrival, connection time, energy) and its 2024 V2G-capable
    vehicle models (needs the ``ev2gym`` package or ``data_dir``; :mod:`.ev2gym_data`).
    """

    kind: Literal["municipal_fleet", "workplace", "public", "ev2gym"]
    name: str | None = Field(None, description="Prefix of vehicle ids (default: kind).")
    vehicles: int = Field(1, ge=0, description="Fleet size (fleet, workplace).")
    sessions_per_day: float | None = Field(
        None, ge=0, description="Mean sessions a day (public; Poisson)."
    )
    days: Literal["workdays", "weekdays", "weekends", "all"] | None = Field(
        None, description="Eligible days; workdays = Monday–Friday except public holidays."
    )
    presence: float | None = Field(
        None, gt=0, le=1, description="Probability a vehicle shows up on an eligible day [-]."
    )
    arrival_mean_h: float | None = Field(None, ge=0, lt=24, description="Mean arrival [h].")
    arrival_sd_h: float | None = Field(None, ge=0, description="Arrival spread [h].")
    stay_mean_h: float | None = Field(None, gt=0, description="Mean stay [h].")
    stay_sd_h: float | None = Field(None, ge=0, description="Stay spread [h].")
    departure_mean_h: float | None = Field(
        None, ge=0, lt=24, description="Overnight: mean departure hour next eligible day [h]."
    )
    departure_sd_h: float | None = Field(None, ge=0, description="Departure spread [h].")
    energy_mean_kwh: float | None = Field(None, ge=0, description="Mean energy asked [kWh].")
    energy_sd_kwh: float | None = Field(None, ge=0, description="Energy spread [kWh].")
    capacity_kwh: float | None = Field(None, gt=0, description="Battery capacity [kWh].")
    soc_arrival_min: float | None = Field(
        None, ge=0, le=1, description="Lowest SoC on arrival [-]."
    )
    soc_arrival_max: float | None = Field(
        None, ge=0, le=1, description="Highest SoC on arrival [-]."
    )
    min_soc: float | None = Field(
        None, ge=0, le=1, description="V2G floor as share of capacity [-]."
    )
    max_charge_kw: float | None = Field(None, gt=0, description="Vehicle charge limit [kW].")
    max_discharge_kw: float | None = Field(None, ge=0, description="Vehicle discharge limit [kW].")
    v2g_share: float | None = Field(
        None, ge=0, le=1, description="Share of V2G-capable vehicles [-]."
    )
    segment: Literal["public", "workplace", "private"] | None = Field(
        None, description="ev2gym: which ElaadNL distribution to draw from (default public)."
    )
    data_dir: str | None = Field(
        None, description="ev2gym: folder of EV2Gym's data files (default: installed package)."
    )
    ev_specs: str | None = Field(
        None, description="ev2gym: vehicle-model file (default ev_specs_v2g_enabled2024.json)."
    )


class Sessions(_Model):
    """EV sessions: CSV files and/or generated profiles, drawn with one seed."""

    csv: list[str] = Field(default_factory=list, description="Session CSV files.")
    profiles: list[SessionProfile] = Field(default_factory=list)
    seed: int = Field(0, description="Random seed of the generated sessions.")


# ----------------------------------------------------------------------------- grid, prices
class Grid(_Model):
    """Grid connection limits."""

    import_limit_kw: float = Field(ge=0, description="Maximum import [kW].")
    export_limit_kw: float = Field(ge=0, description="Maximum export [kW].")


class FlatTariff(_Model):
    """One price at all times."""

    kind: Literal["flat"] = "flat"
    price_eur_per_kwh: float = Field(description="Energy price [EUR/kWh].")


class TouPeriod(_Model):
    """One period of a time-of-use tariff; the first matching period wins."""

    name: str
    price_eur_per_kwh: float = Field(description="Energy price [EUR/kWh].")
    hours: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.0, 24.0)],
        description="Local-time intervals [start, end) in hours, e.g. [[10, 14], [18, 22]].",
    )
    days: Literal["workdays", "weekdays", "weekends", "holidays", "all"] = "all"
    months: list[int] = Field(default_factory=lambda: list(range(1, 13)))

    @field_validator("hours")
    @classmethod
    def _hours_in_day(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for start, end in value:
            if not 0 <= start < end <= 24:
                raise ValueError(
                    f"hours interval {[start, end]} must satisfy 0 <= start < end <= 24"
                )
        return value

    @field_validator("months")
    @classmethod
    def _months_valid(cls, value: list[int]) -> list[int]:
        if any(not 1 <= m <= 12 for m in value):
            raise ValueError(f"months {value} must be numbers 1–12")
        return value


class TouTariff(_Model):
    """A generic time-of-use tariff."""

    kind: Literal["tou"] = "tou"
    periods: list[TouPeriod]
    default_price_eur_per_kwh: float = Field(description="Price when no period matches [EUR/kWh].")
    source: str | None = None


class Spain20TD(_Model):
    """Spain's 2.0TD access tariff (≤ 15 kW): periods P1–P3; prices per period."""

    kind: Literal["es-2.0td"] = "es-2.0td"
    prices_eur_per_kwh: dict[Literal["P1", "P2", "P3"], float] | None = Field(
        None, description="Energy price per period [EUR/kWh]; defaults in tariffs.py, sourced."
    )


class Spain30TD(_Model):
    """Spain's 3.0TD access tariff (> 15 kW, Peninsula): periods P1–P6; prices per period."""

    kind: Literal["es-3.0td"] = "es-3.0td"
    prices_eur_per_kwh: dict[Literal["P1", "P2", "P3", "P4", "P5", "P6"], float] | None = Field(
        None, description="Energy price per period [EUR/kWh]; defaults in tariffs.py, sourced."
    )


class CsvPrice(_Model):
    """Prices from a CSV file (e.g. day-ahead market), held until the next row."""

    kind: Literal["csv"] = "csv"
    path: str
    column: str = Field("price_eur_per_kwh", description="Price column [EUR/kWh].")
    scale: float = Field(1.0, description="Multiplier, e.g. 0.001 for EUR/MWh [-].")


Tariff = Annotated[
    FlatTariff | TouTariff | Spain20TD | Spain30TD | CsvPrice, Field(discriminator="kind")
]
ExportPrice = Annotated[FlatTariff | TouTariff | CsvPrice, Field(discriminator="kind")]


class Co2(_Model):
    """Grid carbon intensity: a constant, or a CSV series."""

    kg_per_kwh: float | None = Field(None, ge=0, description="Constant intensity [kg/kWh].")
    path: str | None = Field(None, description="CSV with a timestamp and a co2 column.")
    column: str = Field("co2_kg_per_kwh", description="Intensity column [kg/kWh].")
    source: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Co2:
        if (self.kg_per_kwh is None) == (self.path is None):
            raise ValueError("co2: give exactly one of kg_per_kwh or path")
        return self


class Battery(_Model):
    """Optional stationary battery."""

    capacity_kwh: float = Field(gt=0, description="Usable capacity [kWh].")
    power_kw: float = Field(gt=0, description="Charge/discharge limit [kW].")
    eta_ch: float = Field(0.95, gt=0, le=1)
    eta_dis: float = Field(0.95, gt=0, le=1)
    soc_initial_kwh: float | None = Field(None, ge=0, description="Default: half full [kWh].")
    soc_min_kwh: float = Field(0.0, ge=0)


# ----------------------------------------------------------------------------- scenario
class Scenario(_Model):
    """One hub, one period: everything :func:`metroscope.energy.simulate.build_problem` needs."""

    name: str = Field(description="Short identifier, e.g. molins-de-rei.")
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="Where the facts come from.")
    assumptions: list[str] = Field(
        default_factory=list, description="Every figure that is assumed rather than sourced."
    )
    location: Location
    period: Period
    pv: PV | None = None
    load: Load = Field(default_factory=lambda: ConstantLoad(load_kw=0.0))
    chargers: list[ChargerGroup] = Field(default_factory=list)
    sessions: Sessions = Field(default_factory=lambda: Sessions.model_validate({}))
    grid: Grid
    tariff: Tariff
    export_price: ExportPrice = Field(default_factory=lambda: FlatTariff(price_eur_per_kwh=0.0))
    co2: Co2 = Field(default_factory=lambda: Co2.model_validate({"kg_per_kwh": 0.0}))
    battery: Battery | None = None
    degradation_eur_per_kwh: float = Field(
        0.0, ge=0, description="Wear cost per kWh discharged by EVs or the battery [EUR/kWh]."
    )
    demand_charge_eur_per_kw: float = Field(
        0.0, ge=0, description="Charge on the period's peak import [EUR/kW]."
    )
    unmet_penalty_eur_per_kwh: float = Field(
        10.0, ge=0, description="Penalty on EV energy not delivered, in the objective [EUR/kWh]."
    )
    base_dir: Path = Field(
        default_factory=Path.cwd, exclude=True, description="Folder relative paths refer to."
    )

    def resolve(self, path: str) -> Path:
        """Absolute path of a file named in the scenario (relative to :attr:`base_dir`)."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p


# ----------------------------------------------------------------------------- loading
_UNION_FIELDS = {"pv", "weather", "load", "tariff", "export_price"}
"""Fields whose pydantic error locations carry the chosen ``kind`` as an extra element."""


def _field_path(loc: tuple[int | str, ...]) -> str:
    """``pv.pvlib.peak_kw`` → ``pv.peak_kw``: drop the union tag pydantic inserts."""
    parts: list[str] = []
    for i, x in enumerate(loc):
        if i > 0 and str(loc[i - 1]) in _UNION_FIELDS and isinstance(x, str):
            continue  # pydantic puts the chosen kind right after a union field
        parts.append(str(x))
    return ".".join(parts) or "(top level)"


def _format_errors(err: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid scenario ({err.error_count()} problem(s))"]
    for e in err.errors():
        loc = _field_path(tuple(e["loc"]))
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/energy.md for accepted fields)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        lines.append(f"  - field {loc}: {msg}")
    return "\n".join(lines)


def parse_scenario(
    data: dict[str, Any], origin: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as a mapping.

    Raises
    ------
    ScenarioError
        Naming ``origin`` and every bad field.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{origin}: a scenario must be a YAML mapping, got {type(data).__name__}"
        )
    payload = dict(data)
    if base_dir is not None:
        payload["base_dir"] = base_dir
    try:
        return Scenario.model_validate(payload)
    except ValidationError as err:
        raise ScenarioError(_format_errors(err, origin)) from None


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (relative paths resolve next to it)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: not valid YAML: {err}") from None
    return parse_scenario(data, origin=str(path), base_dir=path.resolve().parent)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario YAML format."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["properties"].pop("base_dir", None)
    schema["$id"] = "https://metroscope.invalid/schemas/energy-scenario.schema.json"
    schema["title"] = "Metroscope energy scenario"
    return schema


def write_json_schema(path: str | Path) -> None:
    """Write :func:`scenario_json_schema` to ``path`` (sorted, indented, trailing newline)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n")


SCHEMA_PATH = Path("docs/schemas/energy-scenario.schema.json")
"""Where the schema lives in the repository (regenerate: ``python -m metroscope.energy.scenario``)."""
SESSIONS_SCHEMA_PATH = Path("docs/schemas/energy-sessions.schema.json")
"""JSON Schema of one row of a sessions CSV file."""

if __name__ == "__main__":  # pragma: no cover
    from metroscope.energy.fleet import sessions_json_schema

    write_json_schema(SCHEMA_PATH)
    SESSIONS_SCHEMA_PATH.write_text(
        json.dumps(sessions_json_schema(), indent=2, sort_keys=True) + "\n"
    )
    print(f"wrote {SCHEMA_PATH} and {SESSIONS_SCHEMA_PATH}")
