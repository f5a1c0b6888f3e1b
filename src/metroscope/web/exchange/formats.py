"""File formats of case records: read YAML/JSON/CSV into plain dicts, write JSON/CSV/GeoJSON.

The CSV has one row per case and one column per :class:`CaseRecord` field: list fields
(topics, sdgs, sdg_targets, stakeholders) are ``;``-separated (a JSON array when an item
itself holds ``;``), ``city``, ``budget``, ``outcomes`` and ``sources`` hold JSON when they
are not plain slugs, and an empty cell means "not given". No Django import here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from metroscope.web.exchange.schema import CaseRecord

COLUMNS: list[str] = list(CaseRecord.model_fields)
LIST_COLUMNS = {"topics", "sdgs", "sdg_targets", "stakeholders"}
JSON_COLUMNS = {"budget", "outcomes", "sources"}


class FormatError(ValueError):
    """A file cannot be read as case records; the message names the file and the place."""


def _records_from_document(data: Any, name: str) -> list[dict[str, Any]]:
    if isinstance(data, dict) and "cases" in data:
        data = data["cases"]
    elif isinstance(data, dict) and "slug" in data:
        data = [data]
    if not isinstance(data, list):
        raise FormatError(
            f"{name}: expected a list of cases or {{cases: [...]}}, got {type(data).__name__}"
        )
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise FormatError(
                f"{name}: record {i} is a {type(item).__name__}, expected a mapping of fields"
            )
    return data


def read_yaml(text: str, name: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FormatError(f"{name}: not valid YAML: {error}") from None
    return _records_from_document(data, name)


def read_json(text: str, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"{name}: not valid JSON: line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    return _records_from_document(data, name)


def _split_list(cell: str) -> list[str]:
    if cell.startswith("["):
        return json.loads(cell)
    return [item.strip() for item in cell.split(";") if item.strip()]


def read_csv(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if unknown:
        raise FormatError(
            f"{name}: unknown column(s) {', '.join(unknown)}; accepted: {', '.join(COLUMNS)}"
        )
    records = []
    for row_number, row in enumerate(reader, start=2):
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if column is None or cell is None or cell.strip() == "":
                continue
            try:
                if column in LIST_COLUMNS:
                    record[column] = _split_list(cell.strip())
                elif column in JSON_COLUMNS or (column == "city" and cell.lstrip().startswith("{")):
                    record[column] = json.loads(cell)
                else:
                    record[column] = cell
            except json.JSONDecodeError as error:
                raise FormatError(
                    f"{name}: row {row_number}, column {column}: not valid JSON: {error.msg}"
                ) from None
        records.append(record)
    return records


READERS: dict[str, Callable[[str, str], list[dict[str, Any]]]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".json": read_json,
    ".csv": read_csv,
}


def read_file(path: Path) -> list[dict[str, Any]]:
    """Case records of a YAML, JSON or CSV file, as plain dicts (not validated yet)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise FormatError(
            f"{path}: unknown file type {path.suffix!r}; accepted: {', '.join(READERS)}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FormatError(f"{path}: cannot be read: {error}") from None
    return reader(text, str(path))


def write_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _list_cell(values: list[Any]) -> str:
    items = [str(v) for v in values]
    if any(";" in item or item != item.strip() for item in items):
        return json.dumps(values, ensure_ascii=False)
    return ";".join(items)


def write_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row: dict[str, str] = {}
        for column in COLUMNS:
            value = record.get(column)
            if value is None or value == [] or value == "":
                row[column] = ""
            elif column in LIST_COLUMNS:
                row[column] = _list_cell(value)
            elif isinstance(value, dict | list):
                row[column] = json.dumps(value, ensure_ascii=False)
            else:
                row[column] = str(value)
        writer.writerow(row)
    return out.getvalue()


def write_geojson(
    records: list[dict[str, Any]], points: list[tuple[float, float]], indent: int | None = 2
) -> str:
    """A FeatureCollection: one Point per case at ``points[i]`` = (lat, lon) [deg]."""
    features = [
        {
            "type": "Feature",
            "id": record["slug"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": record,
        }
        for record, (lat, lon) in zip(records, points, strict=True)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, indent=indent, ensure_ascii=False) + "\n"


EXPORT_FORMATS = ("json", "csv", "geojson")
