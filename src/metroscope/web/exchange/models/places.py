"""Places: metropolitan areas and the cities (municipalities) that belong to them."""

from __future__ import annotations

from django.db import models


class MetroArea(models.Model):
    """A metropolitan area, e.g. the Barcelona Metropolitan Area (AMB).

    Its member municipalities are the :class:`City` rows pointing at it (``cities``).
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. ES.")
    region = models.CharField(max_length=100, blank=True, help_text="UN M49 sub-region.")
    population = models.PositiveBigIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.URLField(max_length=1000, blank=True)
    population_note = models.TextField(blank=True, help_text="What the figure covers.")
    core_city = models.ForeignKey(
        "exchange.City",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The metropolis' central city, when there is one.",
    )
    sources = models.JSONField(default=list, blank=True, help_text="URLs backing this record.")

    class Meta:
        ordering = ("name",)
        verbose_name = "metropolitan area"

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    """A municipality with a reference point and, when sourced, its population."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. ES.")
    region = models.CharField(max_length=100, blank=True, help_text="UN M49 sub-region.")
    metro_area = models.ForeignKey(
        MetroArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="cities"
    )
    lat = models.FloatField(help_text="Latitude [deg], WGS84.")
    lon = models.FloatField(help_text="Longitude [deg], WGS84.")
    coords_note = models.CharField(max_length=300, blank=True)
    population = models.PositiveBigIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.URLField(max_length=1000, blank=True)
    population_note = models.TextField(blank=True, help_text="What the figure covers.")

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return self.name
