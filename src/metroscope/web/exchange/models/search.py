"""The search index row: one per case, denormalised so search and facets need few joins.

Maintained by :mod:`metroscope.web.exchange.search.index` (on every case save, and in bulk by
the importer). The full-text side lives outside the ORM: on SQLite an FTS5 external-content
table ``exchange_case_fts`` kept in sync by triggers on this table; on PostgreSQL a
``document`` tsvector column filled by a trigger and indexed with GIN (see migration 0002).
"""

from __future__ import annotations

from django.db import models

from metroscope.web.exchange.models.cases import CaseStudy


class SearchEntry(models.Model):
    """Searchable text (title > summary > body) and facet values of one case."""

    case = models.OneToOneField(
        CaseStudy, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    published = models.BooleanField(default=True)
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=100, blank=True)
    metro = models.CharField(max_length=100, blank=True, help_text="Effective metro slug.")
    scale = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    decade = models.CharField(max_length=6, blank=True, help_text='e.g. "2010s".')
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    title_sort = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["published", "country"], name="search_country"),
            models.Index(fields=["published", "region"], name="search_region"),
            models.Index(fields=["published", "metro"], name="search_metro"),
            models.Index(fields=["published", "scale"], name="search_scale"),
            models.Index(fields=["published", "status"], name="search_status"),
            models.Index(fields=["published", "decade"], name="search_decade"),
            models.Index(fields=["published", "start_year"], name="search_start_year"),
            models.Index(fields=["published", "title_sort"], name="search_title"),
            models.Index(fields=["lat", "lon"], name="search_point"),
        )

    def __str__(self) -> str:
        return f"search entry of case {self.case_id}"
