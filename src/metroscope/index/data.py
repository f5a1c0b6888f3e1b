"""Index data: indicator values per unit, unit metadata and sources.

Two CSV layouts are read:

* **tidy** — one row per value: ``unit, indicator, value[, year][, source]`` (``source_url``
  is accepted for ``source``, ``municipality``/``city``/``metro`` for ``unit``; other columns
  such as ``notes`` are ignored, unit metadata columns such as ``region`` are kept);
* **wide** — one row per unit: ``unit`` then one column per indicator and, optionally, unit
  metadata columns (the group columns, population, area, is_core, parent of the config).

Panels (a ``year`` column) keep their history in :attr:`IndexData.panel`; the values used are
those of the configured year (``data.year``) or, when it is unset, the latest year observed
for each unit and indicator. Errors name the file, the line, the unit and the indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metroscope.index.framework import IndexConfig

UNIT_ALIASES = ("unit", "municipality", "city", "metro", "country")
SOURCE_ALIASES = ("source", "source_url")


class DataError(ValueError):
    """The data cannot be used; the message names file, line, unit and indicator."""


@dataclass
class IndexData:
    """Indicator values and unit metadata for one index.

    Attributes
    ----------
    values
        Units × indicators of the config, float, NaN where missing; index named ``unit``.
    units
        Unit metadata, index ``unit``: group columns, ``population`` [persons],
        ``area_km2`` [km²], ``is_core`` (bool), ``parent`` (metro area) when given.
    sources
        Units × indicators, the source of each value ("" when none given).
    extra
        Other numeric indicators present in the data (e.g. denominators), units × columns.
    panel
        Tidy history (unit, indicator, year, value) when the data had years, else None.
    year
        The year the values were taken from (None = latest per unit and indicator).
    """

    values: pd.DataFrame
    units: pd.DataFrame
    sources: pd.DataFrame
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)
    panel: pd.DataFrame | None = None
    year: int | None = None

    @property
    def unit_ids(self) -> list[str]:
        return [str(u) for u in self.values.index]

    def column(self, name: str) -> pd.Series:
        """A denominator or metadata column by name: indicator, extra or unit metadata."""
        for frame in (self.values, self.extra, self.units):
            if name in frame.columns:
                return pd.to_numeric(frame[name], errors="coerce").reindex(self.values.index)
        raise DataError(
            f"no column '{name}' in indicators, extra data or unit metadata; available: "
            f"{', '.join([*self.values.columns, *self.extra.columns, *self.units.columns])}"
        )


def _pick(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    low = {c.lower(): c for c in columns}
    for a in aliases:
        if a in low:
            return low[a]
    return None


def _read(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<data frame>"
    path = Path(source)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(f"{path}: no such data file") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable UTF-8 CSV: {exc}") from exc
    return df, str(path)


def _numbers(col: pd.Series, where: str, unit: pd.Series, what: str | pd.Series) -> pd.Series:
    text = col.astype(str).str.strip()
    blank = text.isin(["", "NA", "NaN", "nan", "null", "-", ".."]) | col.isna()
    num = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = num.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        label = what if isinstance(what, str) else what.iloc[i]
        raise DataError(
            f"{where} line {i + 2}: unit '{unit.iloc[i]}', indicator '{label}': value "
            f"'{col.iloc[i]}' is not a number (accepted: a decimal number, or blank/NA "
            "for missing)"
        )
    return num.astype(float)


def _meta_columns(cfg: IndexConfig) -> dict[str, str]:
    """Config names of unit metadata → canonical column names."""
    u = cfg.data.units
    out = {g: g for g in u.groups}
    for canon, name in (
        ("population", u.population),
        ("area_km2", u.area),
        ("is_core", u.is_core),
        ("parent", u.parent),
    ):
        if name:
            out[name] = canon
    return out


def _unit_meta(df: pd.DataFrame, unit_col: str, cfg: IndexConfig, where: str) -> pd.DataFrame:
    meta = _meta_columns(cfg)
    cols = [c for c in df.columns if c in meta]
    units = df[[unit_col, *cols]].drop_duplicates(subset=[unit_col]).set_index(unit_col)
    units = units.rename(columns=meta)
    units.index.name = "unit"
    for c in ("population", "area_km2"):
        if c in units.columns:
            units[c] = _numbers(
                units[c].reset_index(drop=True), where, units.index.to_series(), c
            ).to_numpy()
    if "is_core" in units.columns:
        units["is_core"] = units["is_core"].astype(str).str.lower().isin(["1", "true", "yes", "y"])
    return units


def _from_tidy(df: pd.DataFrame, unit_col: str, cfg: IndexConfig, where: str) -> IndexData:
    src_col = _pick(list(df.columns), SOURCE_ALIASES)
    year_col = _pick(list(df.columns), ("year",))
    blank_unit = df[unit_col].astype(str).str.strip() == ""
    if blank_unit.any():
        raise DataError(f"{where} line {int(np.flatnonzero(blank_unit)[0]) + 2}: empty unit")
    tidy = pd.DataFrame(
        {
            "unit": df[unit_col].astype(str).str.strip(),
            "indicator": df["indicator"].astype(str).str.strip(),
            "value": _numbers(df["value"], where, df[unit_col], df["indicator"]),
            "source": df[src_col].astype(str) if src_col else "",
            "line": np.arange(len(df)) + 2,
        }
    )
    if year_col:
        years = pd.to_numeric(df[year_col].astype(str).str.strip(), errors="coerce")
        if years.isna().any():
            i = int(np.flatnonzero(years.isna().to_numpy())[0])
            raise DataError(
                f"{where} line {i + 2}: unit '{tidy.unit.iloc[i]}', indicator "
                f"'{tidy.indicator.iloc[i]}': year '{df[year_col].iloc[i]}' is not a whole year"
            )
        tidy["year"] = years.astype(int)
    else:
        tidy["year"] = 0
    dup = tidy.duplicated(subset=["unit", "indicator", "year"], keep=False)
    if dup.any():
        first = tidy[dup].iloc[0]
        lines = tidy[dup & (tidy.unit == first.unit) & (tidy.indicator == first.indicator)].line
        raise DataError(
            f"{where} lines {lines.tolist()}: unit '{first.unit}', indicator "
            f"'{first.indicator}' given more than once for the same year"
        )
    year = cfg.data.year
    if year is not None and year_col:
        chosen = tidy[tidy.year == year]
    else:
        chosen = (
            tidy.dropna(subset=["value"]).sort_values("year").groupby(["unit", "indicator"]).tail(1)
        )
    wide = chosen.pivot(index="unit", columns="indicator", values="value")
    srcs = chosen.pivot(index="unit", columns="indicator", values="source")
    all_units = pd.Index(pd.unique(tidy.unit), name="unit")
    wide = wide.reindex(all_units)
    srcs = srcs.reindex(all_units)
    units = _unit_meta(df.assign(**{unit_col: tidy.unit}), unit_col, cfg, where)
    panel = tidy[["unit", "indicator", "year", "value"]] if year_col else None
    return _assemble(wide, srcs, units, cfg, where, panel, year)


def _from_wide(df: pd.DataFrame, unit_col: str, cfg: IndexConfig, where: str) -> IndexData:
    df = df.copy()
    df[unit_col] = df[unit_col].astype(str).str.strip()
    dup = df[unit_col].duplicated(keep=False)
    if dup.any():
        lines = (np.flatnonzero(dup.to_numpy()) + 2).tolist()
        raise DataError(f"{where} lines {lines}: unit '{df[unit_col][dup].iloc[0]}' appears twice")
    meta = _meta_columns(cfg)
    units = _unit_meta(df, unit_col, cfg, where)
    num_cols = [c for c in df.columns if c != unit_col and c not in meta]
    wide = pd.DataFrame(
        {c: _numbers(df[c], where, df[unit_col], c).to_numpy() for c in num_cols},
        index=pd.Index(df[unit_col], name="unit"),
    )
    srcs = pd.DataFrame("", index=wide.index, columns=wide.columns)
    for ind in cfg.indicators:
        if ind.id in srcs.columns:
            srcs[ind.id] = ind.source
    return _assemble(wide, srcs, units, cfg, where, None, cfg.data.year)


def _assemble(
    wide: pd.DataFrame,
    srcs: pd.DataFrame,
    units: pd.DataFrame,
    cfg: IndexConfig,
    where: str,
    panel: pd.DataFrame | None,
    year: int | None,
) -> IndexData:
    ids = cfg.indicator_ids
    missing = [i for i in ids if i not in wide.columns]
    if missing:
        raise DataError(
            f"{where}: indicator(s) {missing} of the config have no values in the data; "
            f"indicators found: {', '.join(sorted(map(str, wide.columns)))}"
        )
    values = wide[ids].astype(float)
    values.columns.name = None
    values.attrs["year"] = year
    sources = srcs.reindex(columns=ids).fillna("").astype(str)
    sources.columns.name = None
    extra = wide.drop(columns=ids).astype(float)
    extra.columns.name = None
    units = units.reindex(values.index)
    for name, canon in _meta_columns(cfg).items():
        # metadata given as tidy rows (e.g. indicator "population_metro") fill the unit table
        if (
            canon in ("population", "area_km2")
            and canon not in units.columns
            and name in extra.columns
        ):
            units[canon] = extra[name]
    return IndexData(values, units, sources, extra, panel, year)


def load_data(
    source: str | Path | pd.DataFrame,
    cfg: IndexConfig,
    units: str | Path | pd.DataFrame | None = None,
) -> IndexData:
    """Read a tidy or wide CSV (or data frame) for ``cfg``.

    Parameters
    ----------
    source
        CSV path or data frame, tidy (``unit, indicator, value[, year][, source]``) or wide.
    cfg
        The index configuration (its indicators must all be present).
    units
        Optional separate unit metadata table (``unit`` plus group/population/area/is_core/
        parent columns); it takes precedence over metadata found in ``source``.
    """
    df, where = _read(source)
    unit_col = _pick(list(df.columns), UNIT_ALIASES)
    if unit_col is None:
        raise DataError(
            f"{where}: no unit column; accepted names: {', '.join(UNIT_ALIASES)}; "
            f"columns found: {', '.join(map(str, df.columns))}"
        )
    tidy = {"indicator", "value"} <= set(df.columns)
    data = (_from_tidy if tidy else _from_wide)(df, unit_col, cfg, where)
    if units is not None:
        udf, uwhere = _read(units)
        ucol = _pick(list(udf.columns), UNIT_ALIASES)
        if ucol is None:
            raise DataError(f"{uwhere}: no unit column; accepted names: {', '.join(UNIT_ALIASES)}")
        udf[ucol] = udf[ucol].astype(str).str.strip()
        meta = _unit_meta(udf, ucol, cfg, uwhere)
        unknown = sorted(set(data.values.index) - set(meta.index))
        if unknown:
            raise DataError(f"{uwhere}: no metadata for unit(s) {unknown[:10]}")
        data.units = meta.reindex(data.values.index).combine_first(data.units)
    return data


def from_frames(values: pd.DataFrame, units: pd.DataFrame | None = None, **extra: Any) -> IndexData:
    """Build :class:`IndexData` directly from a units × indicators frame (tests, notebooks)."""
    v = values.astype(float).copy()
    v.index = v.index.map(str)
    v.index.name = "unit"
    u = units.reindex(v.index) if units is not None else pd.DataFrame(index=v.index)
    u.index.name = "unit"
    s = pd.DataFrame("", index=v.index, columns=v.columns)
    return IndexData(v, u, s, **extra)
