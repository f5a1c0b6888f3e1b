"""The index demos shipped in the package (``metroscope index demos``), addressed by name.

Each demo is a folder of ``src/metroscope/data/index/``: ``config.yaml``, tidy ``data.csv``
(one sourced row per value), ``units.csv`` (unit metadata) and ``sources.csv`` (every
source address), plus optional ``external_ranks.csv`` (published rankings kept apart for
validation). ``docs/index.md`` describes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True)
class Demo:
    """A shipped demo: its name, one-line description and folder."""

    name: str
    summary: str
    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "config.yaml"

    @property
    def data(self) -> Path:
        return self.folder / "data.csv"

    @property
    def units(self) -> Path:
        return self.folder / "units.csv"

    @property
    def sources(self) -> Path:
        return self.folder / "sources.csv"

    @property
    def external(self) -> Path | None:
        p = self.folder / "external_ranks.csv"
        return p if p.exists() else None


def _root() -> Path:
    return Path(str(files("metroscope"))) / "data" / "index"


#: Shipped demos by name.
DEMOS: dict[str, Demo] = {
    d.name: d
    for d in (
        Demo(
            "metros",
            "16 metropolises of the case studies: environment, mobility, digital, economy "
            "(sourced values, uneven coverage, imputed visibly; IMD/IESE ranks for comparison)",
            _root() / "metros",
        ),
        Demo(
            "amb",
            "36 municipalities of the Barcelona metropolitan area (AMB): income poverty and "
            "urban form, with a core (Barcelona) vs periphery disparity report",
            _root() / "amb",
        ),
    )
}


def get_demo(name: str) -> Demo:
    """The demo called ``name``; ``KeyError`` naming the shipped demos otherwise."""
    try:
        return DEMOS[name]
    except KeyError:
        raise KeyError(f"no demo '{name}'; shipped demos: {', '.join(DEMOS)}") from None
