"""Case studies with their quantified outcomes and their sources."""

from __future__ import annotations

from django.db import models

from metroscope.web.exchange.models.places import City, MetroArea
from metroscope.web.exchange.models.reference import SdgGoal, SdgTarget, Topic

SCALES = ["neighbourhood", "municipal", "metropolitan", "national", "international"]
STATUSES = ["planned", "ongoing", "completed", "discontinued"]


class ReviewStatus(models.TextChoices):
    """Where a case stands in the editorial workflow; only ``published`` cases are public."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class CaseStudy(models.Model):
    """A real project a city or metropolis carried out, described so it can be compared."""

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="cases")
    metro_area = models.ForeignKey(
        MetroArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    lat = models.FloatField(
        null=True, blank=True, help_text="Site latitude [deg]; city's if empty."
    )
    lon = models.FloatField(
        null=True, blank=True, help_text="Site longitude [deg]; city's if empty."
    )
    location_note = models.CharField(max_length=300, blank=True)
    scale = models.CharField(max_length=20, choices=[(s, s.title()) for s in SCALES])
    status = models.CharField(max_length=20, choices=[(s, s.title()) for s in STATUSES])
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, related_name="cases", blank=True)
    sdgs = models.ManyToManyField(SdgGoal, related_name="cases", blank=True)
    sdg_targets = models.ManyToManyField(SdgTarget, related_name="cases", blank=True)
    summary = models.TextField()
    challenge = models.TextField(blank=True)
    solution = models.TextField(blank=True)
    results = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    stakeholders = models.JSONField(default=list, blank=True)
    budget_amount = models.FloatField(null=True, blank=True, help_text="In budget_currency.")
    budget_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. EUR.")
    budget_note = models.CharField(max_length=300, blank=True)
    budget_source = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=8, default="en")
    licence = models.CharField(max_length=50, default="CC-BY-4.0")
    contact = models.CharField(max_length=300, blank=True)
    energy_scenario = models.CharField(max_length=100, blank=True)
    status_review = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PUBLISHED, db_index=True
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title",)
        verbose_name = "case study"
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/cases/{self.slug}/"

    @property
    def point(self) -> tuple[float, float]:
        """The site point ``(lat, lon)`` [deg]: the case's own, else its city's."""
        if self.lat is not None and self.lon is not None:
            return (self.lat, self.lon)
        return (self.city.lat, self.city.lon)

    @property
    def effective_metro(self) -> MetroArea | None:
        """The metro area given on the case, else the city's."""
        return self.metro_area or self.city.metro_area

    @property
    def decade(self) -> str:
        """Decade of the start year, e.g. ``"2010s"``; empty when the start is unknown."""
        return f"{self.start_year // 10 * 10}s" if self.start_year else ""


class Source(models.Model):
    """A public document backing a case; ``position`` n is cited as marker [n+1]."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    accessed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("case_id", "position")
        constraints = (
            models.UniqueConstraint(fields=["case", "url"], name="source_url_once_per_case"),
        )

    def __str__(self) -> str:
        return self.title or self.url


class Outcome(models.Model):
    """A quantified result, comparable across cases through its ``metric`` slug."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    metric = models.SlugField(max_length=100, help_text="snake_case, reused across cases.")
    label = models.CharField(max_length=300)
    value = models.FloatField()
    unit = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="outcomes")

    class Meta:
        ordering = ("case_id", "position")
        indexes = (models.Index(fields=["metric"]),)

    def __str__(self) -> str:
        return f"{self.label}: {self.value:g} {self.unit}"
