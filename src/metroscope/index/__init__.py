"""Metroscope index engine: transparent composite indices with uncertainty and disparity.

Pure Python (never imports Django). The science lives in topic modules of plain functions
with registries (``normalise.NORMALISERS``, ``aggregate.AGGREGATORS`` …); ``IndexBuilder``
is the one orchestrator.

>>> from metroscope.index import load_config, load_data, IndexBuilder
"""

from metroscope.index.builder import IndexBuilder, IndexResult, PipelineError, StepRecord
from metroscope.index.data import DataError, IndexData, load_data
from metroscope.index.framework import ConfigError, IndexConfig, load_config

__all__ = [
    "ConfigError",
    "DataError",
    "IndexBuilder",
    "IndexConfig",
    "IndexData",
    "IndexResult",
    "PipelineError",
    "StepRecord",
    "load_config",
    "load_data",
]
