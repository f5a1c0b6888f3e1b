"""The published JSON Schema of the import format matches the pydantic model."""

from __future__ import annotations

from pathlib import Path

from metroscope.web.exchange.schema import schema_text

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "case.schema.json"


def test_the_published_json_schema_is_up_to_date():
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python -m metroscope.web.exchange.schema > docs/schemas/case.schema.json"
    )
