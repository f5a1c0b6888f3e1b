"""Domain models of the exchange: places, reference vocabularies, case studies, search index.

One module per idea; this package re-exports every model so ``exchange.models.CaseStudy``
keeps working for Django and for callers.
"""

from metroscope.web.exchange.models.cases import (
    SCALES,
    STATUSES,
    CaseStudy,
    Outcome,
    ReviewStatus,
    Source,
)
from metroscope.web.exchange.models.places import City, MetroArea
from metroscope.web.exchange.models.reference import SdgGoal, SdgTarget, Topic
from metroscope.web.exchange.models.search import SearchEntry, SearchGeneration, SearchText

__all__ = [
    "SCALES",
    "STATUSES",
    "CaseStudy",
    "City",
    "MetroArea",
    "Outcome",
    "ReviewStatus",
    "SdgGoal",
    "SdgTarget",
    "SearchEntry",
    "SearchGeneration",
    "SearchText",
    "Source",
    "Topic",
]
