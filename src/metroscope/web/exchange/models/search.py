"""The search index: one narrow facet row and one text row per case.

Maintained by :mod:`metroscope.web.exchange.search.index` (on every case save, and in bulk by
the importer). :class:`SearchEntry` is deliberately narrow (facet values, sort keys, point)
so that filtering, sorting and facet counting over 100,000 cases scan little data;
:class:`SearchText` holds the weighted text. The full-text index lives outside the ORM: on
SQLite an FTS5 external-content table ``exchange_case_fts`` over ``exchange_searchtext`` kept
in sync by triggers; on PostgreSQL a ``document`` tsvector column of ``exchange_searchtext``
filled by a trigger and indexed with GIN (see migration 0004).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from metroscope.web.exchange.models.cases import CaseStudy


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key declared ``integer`` on SQLite, making it the table's rowid.

    SQLite then finds a row by case id in one b-tree descent instead of two (index, then
    table): joining 100,000 full-text matches to their facet rows gets about 3x faster.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)

    def rel_db_type(self, connection: Any) -> str | None:
        return self.db_type(connection)


class SearchEntry(models.Model):
    """Facet values, sort keys and site point of one case."""

    case = RowidOneToOneField(
        CaseStudy, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    published = models.BooleanField(default=True)
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=100, blank=True)
    metro = models.CharField(max_length=100, blank=True, help_text="Effective metro slug.")
    scale = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    decade = models.CharField(max_length=6, blank=True, help_text='e.g. "2010s".')
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sort_year = models.PositiveSmallIntegerField(default=0, help_text="start_year, 0 if unknown.")
    title_sort = models.CharField(max_length=300, blank=True, help_text="Folded title prefix.")
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
            models.Index(
                fields=["published", "-sort_year", "title_sort", "case"], name="search_newest"
            ),
            models.Index(fields=["published", "title_sort", "case"], name="search_title"),
            models.Index(fields=["lat", "lon"], name="search_point"),
        )

    def __str__(self) -> str:
        return f"search entry of case {self.case_id}"


class SearchText(models.Model):
    """The searchable text of one case, weighted title > summary > body."""

    case = RowidOneToOneField(
        CaseStudy, primary_key=True, on_delete=models.CASCADE, related_name="search_text"
    )
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search text of case {self.case_id}"


class SearchGeneration(models.Model):
    """A single counter bumped whenever the index changes: the key of cached facet counts."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"search index generation {self.value}"
