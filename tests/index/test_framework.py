"""Index config: validation errors name the indicator/node, and the exported schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metroscope.index.framework import ConfigError, config_schema, load_config

ROOT = Path(__file__).resolve().parents[2]


def small(**over: object) -> dict:
    cfg: dict = {
        "name": "test",
        "dimensions": [
            {
                "id": "economy",
                "indicators": [{"id": "gdp"}, {"id": "unemployment", "direction": "-"}],
            },
            {
                "id": "environment",
                "children": [{"id": "air", "indicators": [{"id": "pm25", "direction": -1}]}],
            },
        ],
    }
    cfg.update(over)
    return cfg


def test_the_exported_json_schema_is_current() -> None:
    on_disk = json.loads(
        (ROOT / "docs/schemas/index-config.schema.json").read_text(encoding="utf-8")
    )
    assert on_disk == config_schema(), (
        "run: python -c 'from metroscope.index.framework import export_schema; export_schema()'"
    )


def test_it_reads_the_tree_and_direction_signs() -> None:
    cfg = load_config(small())
    assert cfg.indicator_ids == ["gdp", "unemployment", "pm25"]
    assert cfg.indicator("unemployment").direction == -1
    depths = {n.id: d for d, n in cfg.nodes()}
    assert depths == {"index": 0, "economy": 1, "environment": 1, "air": 2}


def test_a_negative_weight_names_the_indicator() -> None:
    raw = small()
    raw["dimensions"][0]["indicators"][1]["weight"] = -1
    with pytest.raises(ConfigError, match=r"unemployment.*weight must be ≥ 0"):
        load_config(raw)


def test_a_wrong_type_is_located_by_ids_not_positions() -> None:
    raw = small()
    raw["dimensions"][1]["children"][0]["indicators"][0]["weight"] = "heavy"
    with pytest.raises(
        ConfigError, match=r"dimensions\[environment\]\.children\[air\]\.indicators\[pm25\]\.weight"
    ):
        load_config(raw)


def test_an_unknown_normaliser_lists_the_accepted_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown method 'minimax'; accepted: .*minmax"):
        load_config(small(pipeline={"normalise": {"method": "minimax"}}))


def test_an_unknown_override_method_names_the_indicator() -> None:
    raw = small()
    raw["dimensions"][0]["indicators"][0]["overrides"] = {"normalise": {"method": "nope"}}
    with pytest.raises(ConfigError, match=r"indicators\[gdp\].*unknown method 'nope'"):
        load_config(raw)


def test_a_duplicate_id_is_named() -> None:
    raw = small()
    raw["dimensions"][1]["children"][0]["indicators"][0]["id"] = "gdp"
    with pytest.raises(ConfigError, match="indicator 'gdp': id used twice"):
        load_config(raw)


def test_a_node_without_indicators_is_named() -> None:
    raw = small()
    raw["dimensions"].append({"id": "empty"})
    with pytest.raises(ConfigError, match="node 'empty': has neither"):
        load_config(raw)


def test_a_missing_yaml_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such index config file"):
        load_config(tmp_path / "nope.yaml")


def test_a_yaml_file_loads(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(
        "name: t\ndimensions:\n  - id: d\n    indicators:\n      - {id: x, direction: '-'}\n"
        "pipeline:\n  aggregate: {method: arithmetic, levels: {0: {method: geometric}}}\n",
        encoding="utf-8",
    )
    cfg = load_config(p)
    assert cfg.aggregation_for(cfg.root, 0).method == "geometric"


def test_the_example_config_in_the_method_docs_is_valid() -> None:
    import re

    import yaml

    text = (ROOT / "docs/index-method.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block, "docs/index-method.md lost its example config"
    cfg = load_config(yaml.safe_load(block.group(1)))
    assert cfg.indicator("co2_t").overrides.impute is not None
    assert cfg.aggregation_for(cfg.root, 0).method == "generalised"
