"""Provenance script: how the shipped index demo data were made from the research notes.

The research notes (``metro-indicators.csv`` and ``amb-municipalities.csv``, gathered by
hand from public sources, one source address per row) are *not* shipped; this script
selects, restructures and (where stated) derives from them the files in ``metros/`` and
``amb/`` next to it.  It never creates a figure: every shipped value is either copied
from a sourced row, or computed from sourced rows by a formula written into the row's
``notes`` (``derived = yes``).  Run it again with::

    python src/metroscope/data/index/build_demo_data.py /path/to/shared/data

Rules applied (they are repeated in ``docs/index.md``):

* metros: the 16 metropolises of the case studies; indicators are the sourced rows.
  ``rapid_transit_km_per_million`` is derived: the ``rapid_transit_km`` row divided by the
  population of the *same level* (city row → city population, metro row → metro
  population); where that level has no population (La Paz) the value stays missing and
  is imputed visibly, never guessed.  External ranks
  (IMD Smart City Index 2019, IESE Cities in Motion 2019) are kept apart in
  ``external_ranks.csv`` for validation, not used as inputs.
* amb: the 36 member municipalities (Llei 31/2010); population and area from the one
  consistent Idescat table (2023) for all 36; density derived as population / area.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

#: Region and country of each metropolis [-] (geography, used as imputation groups).
METRO_GEOGRAPHY: dict[str, tuple[str, str]] = {
    "Athens": ("Greece", "Europe"),
    "Barcelona": ("Spain", "Europe"),
    "Berlin": ("Germany", "Europe"),
    "Brussels": ("Belgium", "Europe"),
    "Lisbon": ("Portugal", "Europe"),
    "Lyon": ("France", "Europe"),
    "Madrid": ("Spain", "Europe"),
    "Buenos Aires": ("Argentina", "Latin America"),
    "La Paz": ("Bolivia", "Latin America"),
    "Montevideo": ("Uruguay", "Latin America"),
    "Rosario": ("Argentina", "Latin America"),
    "São Paulo": ("Brazil", "Latin America"),
    "Johannesburg": ("South Africa", "Africa and West Asia"),
    "Rabat": ("Morocco", "Africa and West Asia"),
    "Ramallah": ("Palestine", "Africa and West Asia"),
    "Seoul": ("South Korea", "East Asia"),
}

#: Indicators copied unchanged into the metros index data.
METRO_INPUTS = [
    "pm25_annual_ugm3",
    "co2_per_capita_t",
    "renewable_electricity_share_pct",
    "internet_users_pct",
    "gdp_per_capita_usd_ppp",
]
EXTERNAL_RANKS = ["imd_smart_city_index_2019", "cities_in_motion_2019_rank"]

#: Rapid-transit rows not used, with the reason (the unit keeps its other row).
METRO_SKIPPED = {
    ("Johannesburg", "rapid_transit_km", "metro"): (
        "Gautrain regional rail (metro level) not used: no metropolitan population for "
        "Johannesburg in the notes to denominate it; the city-level Rea Vaya row is used"
    ),
}

TIDY_COLUMNS = [
    "unit",
    "indicator",
    "value",
    "unit_of_measure",
    "year",
    "period",
    "level",
    "derived",
    "definition",
    "source_url",
    "source_url_2",
    "notes",
]


def _ref_year(period: object) -> int:
    """Reference year of a period as written in the notes: the last 4-digit year in it.

    ``"c.2014-2016"`` → 2016, ``"2024-02"`` → 2024, ``"2021"`` → 2021. The text itself is
    kept in the ``period`` column.
    """
    years = re.findall(r"(?:19|20)\d\d", str(period))
    if not years:
        raise ValueError(f"no year in period {period!r}")
    return int(years[-1])


def _with_years(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["period"] = df["year"].astype(str)
    df["year"] = df["period"].map(_ref_year)
    return df


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def build_metros(notes_csv: Path, out: Path) -> None:
    """Write ``metros/data.csv``, ``units.csv``, ``external_ranks.csv``, ``excluded.csv``."""
    raw = pd.read_csv(notes_csv, dtype={"year": str})
    raw["derived"] = "no"
    raw["source_url_2"] = ""
    rows = raw[raw["indicator"].isin(METRO_INPUTS)].copy()

    pops = raw[raw["indicator"].isin(["population_city", "population_metro"])]
    pop = {(r.unit, r.indicator.split("_")[1]): r for r in pops.itertuples()}
    transit, skipped = [], []
    transit_pop: dict[str, object] = {}
    for r in raw[raw["indicator"] == "rapid_transit_km"].itertuples():
        key = (r.unit, r.indicator, r.level)
        if key in METRO_SKIPPED:
            skipped.append({**r._asdict(), "reason": METRO_SKIPPED[key]})
            continue
        transit.append(r.Index)
        p = pop.get((r.unit, r.level))
        # No population at the row's level (La Paz: metro-level cable-car network, city
        # population only): the row is kept, transit_population stays empty, so the
        # per-million value is missing and imputed visibly.
        if p is not None:
            transit_pop[r.unit] = p
    derived = []
    for unit, p in transit_pop.items():
        r = raw.loc[next(i for i in transit if raw.loc[i, "unit"] == unit)]
        derived.append(
            {
                "unit": unit,
                "indicator": "rapid_transit_km_per_million",
                "value": round(r["value"] / p.value * 1e6, 3),  # type: ignore[attr-defined]
                "unit_of_measure": "km per million inhabitants",
                "year": f"{r['year']} (km); {p.year} (population)",  # type: ignore[attr-defined]
                "level": r["level"],
                "derived": "yes",
                "definition": f"{r['definition']}, divided by: {p.definition}",  # type: ignore[attr-defined]
                "source_url": r["source_url"],
                "source_url_2": p.source_url,  # type: ignore[attr-defined]
                "notes": (
                    f"DERIVED = {r['value']:g} km / {_fmt_int(p.value)} persons x 1e6, both at "  # type: ignore[attr-defined]
                    f"{r['level']} level (km: source_url; population: source_url_2). "
                    f"km row notes: {r['notes']}"
                ),
            }
        )
    data = pd.concat([rows, raw.loc[transit], pd.DataFrame(derived)], ignore_index=True)
    data = _with_years(data)[TIDY_COLUMNS].sort_values(["indicator", "unit"], kind="stable")
    out.mkdir(parents=True, exist_ok=True)
    data.to_csv(out / "data.csv", index=False)

    ext = raw[raw["indicator"].isin(EXTERNAL_RANKS)][
        ["unit", "indicator", "value", "unit_of_measure", "year", "source_url", "notes"]
    ]
    ext.sort_values(["indicator", "value"]).to_csv(out / "external_ranks.csv", index=False)

    exc = pd.DataFrame(skipped)[
        ["unit", "indicator", "value", "unit_of_measure", "year", "level", "source_url", "reason"]
    ]
    exc.to_csv(out / "excluded.csv", index=False)

    units = []
    for unit, (country, region) in METRO_GEOGRAPHY.items():
        row: dict[str, object] = {"unit": unit, "country": country, "region": region}
        for level in ("city", "metro"):
            p = pop.get((unit, level))
            row[f"population_{level}"] = int(p.value) if p is not None else ""
            row[f"population_{level}_year"] = p.year if p is not None else ""
            row[f"population_{level}_source_url"] = p.source_url if p is not None else ""
        area = raw[(raw["unit"] == unit) & (raw["indicator"] == "area_km2")]
        row["area_city_km2"] = float(area["value"].iloc[0]) if len(area) else ""
        row["area_city_source_url"] = area["source_url"].iloc[0] if len(area) else ""
        units.append(row)
    pd.DataFrame(units).to_csv(out / "units.csv", index=False)


AMB_CORE = "Barcelona"
IDESCAT = "https://www.idescat.cat/indicadors/?id=aec&n=15903"
LLEI_31_2010 = "https://www.boe.es/eli/es-ct/l/2010/08/03/31/con/20190131"


def build_amb(notes_csv: Path, out: Path) -> None:
    """Write ``amb/data.csv``, ``units.csv`` and ``context.csv``."""
    raw = pd.read_csv(notes_csv, dtype={"year": str, "value": str})
    members = sorted(raw.loc[raw["indicator"] == "amb_member", "municipality"].unique())
    if len(members) != 36:
        raise SystemExit(f"expected 36 AMB members, found {len(members)}")
    raw = raw.rename(columns={"municipality": "unit"})
    raw["derived"] = "no"
    raw["source_url_2"] = ""
    raw["level"] = "municipality"
    raw["definition"] = ""

    def one(indicator: str, source: str | None = None) -> pd.DataFrame:
        sel = raw[(raw["indicator"] == indicator) & raw["unit"].isin(members)]
        if source is not None:
            sel = sel[sel["source_url"] == source]
        return sel

    pop = one("population", IDESCAT).set_index("unit")
    area = one("area_km2", IDESCAT).set_index("unit")
    assert len(pop) == 36 and len(area) == 36

    rows = []
    for ind, definition in [
        (
            "share_pop_income_below_60pct_median_men",
            "Men with income per consumption unit below 60% of the national median [%]",
        ),
        (
            "share_pop_income_below_60pct_median_women",
            "Women with income per consumption unit below 60% of the national median [%]",
        ),
        (
            "registered_unemployment_rate",
            "Registered unemployment rate (taxa d'atur registral) [%]",
        ),
    ]:
        sel = one(ind).copy()
        sel["definition"] = definition
        rows.append(sel)
    # Idescat RFDB per inhabitant: one consistent reference year (2018), one source.
    rfdb = one("rfdb_per_capita_idescat")
    rfdb = rfdb[rfdb["year"] == "2018"].copy()
    rfdb["definition"] = "Gross disposable household income per inhabitant, Idescat RFDB [EUR]"
    rfdb["notes"] = rfdb["notes"] + (
        "; SELECTION BIAS: the source lists only the richest municipalities of Catalonia"
    )
    rows.append(rfdb)

    dens = []
    for unit in members:
        p, a = float(pop.loc[unit, "value"]), float(area.loc[unit, "value"])
        dens.append(
            {
                "unit": unit,
                "indicator": "population_density_per_km2",
                "value": round(p / a, 1),
                "unit_of_measure": "inhabitants per km2",
                "year": "2023",
                "level": "municipality",
                "derived": "yes",
                "definition": "Population (Idescat, 1 Jan 2023) divided by area (Idescat 2023)",
                "source_url": IDESCAT,
                "source_url_2": IDESCAT,
                "notes": f"= {_fmt_int(p)} inhabitants / {a:g} km2",
            }
        )
    rows.append(pd.DataFrame(dens))
    data = pd.concat(rows, ignore_index=True)
    data["value"] = pd.to_numeric(data["value"])
    data = _with_years(data)[TIDY_COLUMNS].sort_values(["indicator", "unit"], kind="stable")
    out.mkdir(parents=True, exist_ok=True)
    data.to_csv(out / "data.csv", index=False)

    def coord(unit: str, ind: str) -> float:
        return float(one(ind).set_index("unit").loc[unit, "value"])

    ev_rows = raw[
        raw["indicator"].isin(
            [
                "amb_public_ev_charger_present",
                "amb_public_ev_fast_charger_present",
                "amb_public_ev_charging_stations",
            ]
        )
    ]
    ev_known = set(ev_rows["unit"])
    units = pd.DataFrame(
        {
            "unit": members,
            "is_core": [u == AMB_CORE for u in members],
            "zone": ["core" if u == AMB_CORE else "periphery" for u in members],
            "population": [int(pop.loc[u, "value"]) for u in members],
            "population_year": "2023",
            "population_source_url": IDESCAT,
            "area_km2": [float(area.loc[u, "value"]) for u in members],
            "area_source_url": IDESCAT,
            "latitude": [coord(u, "latitude") for u in members],
            "longitude": [coord(u, "longitude") for u in members],
            "membership_source_url": LLEI_31_2010,
            # 'yes' where a sourced row reports an AMB public EV charging point (2023-24);
            # 'not established' is NOT 'no': the AMB had points in 22 municipalities and the
            # notes name 20 of them (see context.csv).
            "amb_ev_charging_point": [
                "yes" if u in ev_known else "not established" for u in members
            ],
        }
    )
    units.to_csv(out / "units.csv", index=False)

    used = set(data["indicator"]) | {"population", "area_km2", "latitude", "longitude"}
    context = raw[~raw["indicator"].isin(used | {"amb_member"})]
    context = context[
        ["unit", "indicator", "value", "unit_of_measure", "year", "source_url", "notes"]
    ]
    context.sort_values(["indicator", "unit"]).to_csv(out / "context.csv", index=False)


def build_sources(out_dir: Path) -> None:
    """Write ``sources.csv`` in each demo: every distinct source address and what it supports."""
    for demo in ("metros", "amb"):
        d = out_dir / demo
        frames = []
        for name in ("data.csv", "units.csv", "external_ranks.csv", "context.csv"):
            path = d / name
            if not path.exists():
                continue
            f = pd.read_csv(path, dtype=str)
            for col in [c for c in f.columns if c.startswith("source_url") or "source_url" in c]:
                ind = f["indicator"] if "indicator" in f.columns else col.replace("_source_url", "")
                frames.append(
                    pd.DataFrame(
                        {"source_url": f[col], "file": name, "supports": ind, "unit": f["unit"]}
                    )
                )
        s = pd.concat(frames).dropna(subset=["source_url"])
        s = s[s["source_url"].str.startswith("http")]
        s = (
            s.groupby("source_url")
            .agg(
                files=("file", lambda x: ";".join(sorted(set(x)))),
                supports=("supports", lambda x: ";".join(sorted(set(x)))),
                units=("unit", lambda x: ";".join(sorted(set(x)))),
            )
            .reset_index()
        )
        s.to_csv(d / "sources.csv", index=False)


def main(shared: Path) -> None:
    build_metros(shared / "metro-indicators.csv", HERE / "metros")
    build_amb(shared / "amb-municipalities.csv", HERE / "amb")
    build_sources(HERE)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
