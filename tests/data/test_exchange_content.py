"""Standalone checks of the shipped exchange demo content (no Django needed).

The files live in ``src/metroscope/data/exchange/`` and follow docs of the exchange
contract: ``cases/<slug>.yaml``, ``places.yaml``, ``sdgs.yaml`` and ``topics.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "metroscope" / "data" / "exchange"
CASE_FILES = sorted((DATA_DIR / "cases").glob("*.yaml"))

TARGETS_PER_GOAL = {
    1: 7, 2: 8, 3: 13, 4: 10, 5: 9, 6: 8, 7: 5, 8: 12, 9: 8,
    10: 10, 11: 10, 12: 11, 13: 5, 14: 10, 15: 12, 16: 12, 17: 19,
}  # fmt: skip
SCALES = {"neighbourhood", "municipal", "metropolitan", "national", "international"}
STATUSES = {"planned", "ongoing", "completed", "discontinued"}
TEXT_FIELDS = ("summary", "challenge", "solution", "results", "lessons")
MARKER = re.compile(r"\[(\d+)\]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
METRIC = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# A sentence ends at . ! or ? followed by whitespace and a capital letter, quote or bracket.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(*])")
# Names that contain digits but are not figures (pollutants, units).
NOT_A_FIGURE = re.compile(r"\b(?:CO2|NO2|NOx|PM2\.5|PM10)\b|[²³]")


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def places() -> dict[str, Any]:
    return _load(DATA_DIR / "places.yaml")


@cache
def city_slugs() -> set[str]:
    return {c["slug"] for c in places()["cities"]}


@cache
def metro_slugs() -> set[str]:
    return {m["slug"] for m in places()["metro_areas"]}


@cache
def topic_slugs() -> set[str]:
    return {t["slug"] for t in _load(DATA_DIR / "topics.yaml")}


@cache
def sdgs() -> dict[str, Any]:
    return _load(DATA_DIR / "sdgs.yaml")


@cache
def target_codes() -> set[str]:
    return {t["code"] for g in sdgs()["goals"] for t in g["targets"]}


@cache
def cases() -> dict[Path, dict[str, Any]]:
    return {path: _load(path) for path in CASE_FILES}


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(s.strip() for s in SENTENCE_END.split(paragraph) if s.strip())
    return out


def _case_id(path: Path) -> str:
    return path.stem


def uncited_figures(text: str) -> list[str]:
    """Sentences that contain a figure but do not end with a citation marker ``[n]``."""
    bad = []
    for sentence in _sentences(text):
        bare = NOT_A_FIGURE.sub("", MARKER.sub("", sentence))
        if re.search(r"\d", bare) and not re.search(r"(\[\d+\])+[.!?:;]?\**$", sentence):
            bad.append(sentence)
    return bad


def test_the_citation_check_flags_an_uncited_figure() -> None:
    text = "The plan cut CO2 by 40% [1]. It also planted 500 trees. NO2 fell sharply."
    assert uncited_figures(text) == ["It also planted 500 trees."]


# --- reference files --------------------------------------------------------------------


def test_sdgs_has_17_goals_and_169_targets_with_official_counts() -> None:
    goals = sdgs()["goals"]
    assert [g["number"] for g in goals] == list(range(1, 18))
    for goal in goals:
        codes = [t["code"] for t in goal["targets"]]
        assert len(codes) == TARGETS_PER_GOAL[goal["number"]], goal["number"]
        assert all(c.split(".")[0] == str(goal["number"]) for c in codes)
        assert re.fullmatch(r"#[0-9A-F]{6}", goal["colour"]), goal["number"]
        assert goal["title"] and goal["short_title"]
        for target in goal["targets"]:
            assert target.get("text") or target.get("note"), target["code"]
    assert len(target_codes()) == 169
    assert sdgs()["source"].startswith("https://")


def test_topics_are_unique_and_described() -> None:
    topics = _load(DATA_DIR / "topics.yaml")
    slugs = [t["slug"] for t in topics]
    assert len(slugs) == len(set(slugs))
    for topic in topics:
        assert SLUG.match(topic["slug"]) and topic["name"] and topic["description"]


def test_places_are_consistent() -> None:
    data = places()
    cities = data["cities"]
    assert len(city_slugs()) == len(cities), "duplicate city slug"
    assert len(metro_slugs()) == len(data["metro_areas"]), "duplicate metro slug"
    for metro in data["metro_areas"]:
        assert metro["core_city"] in city_slugs(), metro["slug"]
        assert metro["sources"], metro["slug"]
    for city in cities:
        assert re.fullmatch(r"[A-Z]{2}", city["country"]), city["slug"]
        assert city["region"], city["slug"]
        assert city["metro_area"] is None or city["metro_area"] in metro_slugs(), city["slug"]
        assert -90 <= city["lat"] <= 90 and -180 <= city["lon"] <= 180, city["slug"]
        if city.get("population") is not None:
            assert city["population"] > 0
            assert city["population_year"] and city["population_source"].startswith("http")
    amb = [c for c in cities if c["metro_area"] == "amb"]
    assert len(amb) == 36
    assert all(c["population"] for c in amb)


# --- cases --------------------------------------------------------------------------------


def test_there_are_at_least_30_cases_with_unique_slugs() -> None:
    slugs = [c["slug"] for c in cases().values()]
    assert len(slugs) >= 30
    assert len(slugs) == len(set(slugs))


def test_the_molins_de_rei_case_is_findable() -> None:
    case = _load(DATA_DIR / "cases" / "amb-molins-de-rei-v2g-fotolinera.yaml")
    assert case["energy_scenario"] == "molins-de-rei"
    assert case["city"] == "molins-de-rei"
    text = " ".join(str(case[f]) for f in ("title", "summary", *TEXT_FIELDS)).lower()
    for word in ("solar", "charging", "sports centre"):
        assert word in text


@pytest.mark.parametrize("path", CASE_FILES, ids=_case_id)
def test_case_metadata_is_valid(path: Path) -> None:
    case = cases()[path]
    assert case["slug"] == path.stem
    assert SLUG.match(case["slug"])
    assert case["title"]
    assert case["city"] in city_slugs()
    assert case.get("metro_area") is None or case["metro_area"] in metro_slugs()
    assert case["scale"] in SCALES
    assert case["status"] in STATUSES
    assert case["language"] == "en" and case["licence"] == "CC-BY-4.0"
    start, end = case.get("start_year"), case.get("end_year")
    assert start is None or 1900 < start < 2100
    assert end is None or start is None or end >= start
    assert case["topics"] and set(case["topics"]) <= topic_slugs()
    assert case["sdgs"] and all(1 <= n <= 17 for n in case["sdgs"])
    for code in case.get("sdg_targets", []):
        assert code in target_codes(), code
        assert int(code.split(".")[0]) in case["sdgs"], f"target {code} without its goal"
    assert case["stakeholders"]
    for field in TEXT_FIELDS:
        assert isinstance(case.get(field, ""), str)
    assert case["summary"]


@pytest.mark.parametrize("path", CASE_FILES, ids=_case_id)
def test_case_sources_and_citations(path: Path) -> None:
    case = cases()[path]
    sources = case["sources"]
    assert len(sources) >= 1
    urls = [s["url"] for s in sources]
    assert len(urls) == len(set(urls)), "duplicate source"
    for source in sources:
        assert source["url"].startswith("http") and source["title"] and source["publisher"]
        assert isinstance(source["accessed"], dt.date)
    cited: set[int] = set()
    for field in TEXT_FIELDS:
        text = case.get(field) or ""
        for n in MARKER.findall(text):
            assert 1 <= int(n) <= len(sources), f"{field}: marker [{n}] has no source"
            cited.add(int(n))
        bad = uncited_figures(text)
        assert not bad, f"{field}: sentences with a figure lack a closing citation: {bad}"
    budget = case.get("budget")
    if budget:
        assert budget["source"] in urls and budget["amount"] > 0 and budget["currency"]
    for outcome in case.get("outcomes", []):
        assert METRIC.match(outcome["metric"]), outcome["metric"]
        assert isinstance(outcome["value"], (int, float)), outcome["metric"]
        assert outcome["unit"] and outcome["label"]
        assert outcome["source"] in urls, f"outcome {outcome['metric']} source not in sources"
    outcome_sources = {o["source"] for o in case.get("outcomes", [])}
    unused = [
        u for i, u in enumerate(urls, 1) if i not in cited and u not in outcome_sources
        and not (budget and budget["source"] == u)
    ]  # fmt: skip
    assert not unused, f"sources never cited: {unused}"


def test_metrics_are_shared_across_cases() -> None:
    metrics = Counter(o["metric"] for c in cases().values() for o in c.get("outcomes", []))
    assert metrics, "no outcomes at all"
    shared = [m for m, n in metrics.items() if n > 1]
    assert len(shared) >= 3, f"too few comparable metrics: {dict(metrics)}"
