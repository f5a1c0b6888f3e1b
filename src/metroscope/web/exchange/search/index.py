"""Keep the search index (:class:`SearchEntry`) in step with the case studies.

Every saved case is re-indexed by signal handlers (connected in ``ExchangeConfig.ready``);
bulk writers (the importer, benchmark generators) wrap their work in :func:`deferred_indexing`
and index once at the end, or call :func:`rebuild_index`. The full-text side (FTS5 table or
tsvector column) follows ``SearchEntry`` through database triggers.
"""

from __future__ import annotations

import contextvars
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from metroscope.web.exchange.models import CaseStudy, City, ReviewStatus, SearchEntry, SearchText
from metroscope.web.exchange.search.facets import bump_generation

TITLE_SORT_CHARS = 80
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("deferred_indexing", default=False)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents (for sorting and comparisons)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def build_entry(case: CaseStudy) -> tuple[SearchEntry, SearchText]:
    """The search rows of ``case``; its city, metro areas and topics should be prefetched."""
    city = case.city
    metro = case.metro_area or city.metro_area
    lat, lon = case.point
    topic_names = [topic.name for topic in case.topics.all()]
    body_parts = [
        case.challenge,
        case.solution,
        case.results,
        case.lessons,
        " · ".join(case.stakeholders or []),
        city.name,
        metro.name if metro else "",
        " · ".join(topic_names),
        case.location_note,
    ]
    entry = SearchEntry(
        case_id=case.pk,
        published=case.status_review == ReviewStatus.PUBLISHED,
        country=city.country,
        region=city.region,
        metro=metro.slug if metro else "",
        scale=case.scale,
        status=case.status,
        decade=case.decade,
        start_year=case.start_year,
        sort_year=case.start_year or 0,
        title_sort=fold(case.title)[:TITLE_SORT_CHARS],
        lat=lat,
        lon=lon,
    )
    text = SearchText(
        case_id=case.pk,
        title=case.title,
        summary=case.summary,
        body="\n\n".join(part for part in body_parts if part),
    )
    return entry, text


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def index_cases(case_ids: Iterable[int], chunk_size: int = 500) -> int:
    """(Re-)index the given cases; returns how many entries were written."""
    ids = sorted(set(case_ids))
    written = 0
    with transaction.atomic():
        for chunk in _chunks(ids, chunk_size):
            cases = (
                CaseStudy.objects.filter(pk__in=chunk)
                .select_related("city__metro_area", "metro_area")
                .prefetch_related("topics")
            )
            rows = [build_entry(case) for case in cases]
            SearchEntry.objects.filter(case_id__in=chunk).delete()
            SearchText.objects.filter(case_id__in=chunk).delete()
            SearchEntry.objects.bulk_create([entry for entry, _ in rows], batch_size=chunk_size)
            SearchText.objects.bulk_create([text for _, text in rows], batch_size=chunk_size)
            written += len(rows)
        bump_generation()
    return written


def rebuild_index() -> int:
    """Re-index every case from scratch; returns the number of entries."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchText.objects.all().delete()
        return index_cases(CaseStudy.objects.values_list("pk", flat=True))


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Within this block saves do not re-index; the caller indexes once afterwards."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def _on_case_saved(sender: type, instance: CaseStudy, raw: bool = False, **kwargs: object) -> None:
    if raw or _deferred.get():
        return
    index_cases([instance.pk])


def _on_topics_changed(sender: type, instance: object, action: str, **kwargs: object) -> None:
    if _deferred.get() or not action.startswith("post_"):
        return
    if isinstance(instance, CaseStudy):
        index_cases([instance.pk])


def _on_city_saved(sender: type, instance: City, raw: bool = False, **kwargs: object) -> None:
    if raw or _deferred.get():
        return
    index_cases(instance.cases.values_list("pk", flat=True))


def _on_case_deleted(sender: type, instance: CaseStudy, **kwargs: object) -> None:
    bump_generation()


def connect_signals() -> None:
    """Connect the re-indexing handlers (called once from ``ExchangeConfig.ready``)."""
    post_save.connect(_on_case_saved, sender=CaseStudy, dispatch_uid="exchange_index_case")
    post_delete.connect(_on_case_deleted, sender=CaseStudy, dispatch_uid="exchange_index_delete")
    post_save.connect(_on_city_saved, sender=City, dispatch_uid="exchange_index_city")
    m2m_changed.connect(
        _on_topics_changed, sender=CaseStudy.topics.through, dispatch_uid="exchange_index_topics"
    )
