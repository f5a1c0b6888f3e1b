"""Admin screens for editors: cases with their outcomes and sources inline."""

from __future__ import annotations

from django.contrib import admin

from metroscope.web.exchange.models import (
    CaseStudy,
    City,
    MetroArea,
    Outcome,
    SdgGoal,
    SdgTarget,
    Source,
    Topic,
)


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ("title", "city", "scale", "status", "start_year", "status_review", "updated")
    list_filter = ("status_review", "scale", "status", "topics", "city__country")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}  # noqa: RUF012
    autocomplete_fields = ("city", "metro_area")
    filter_horizontal = ("topics", "sdgs", "sdg_targets")
    inlines = (SourceInline, OutcomeInline)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "region", "metro_area", "population", "population_year")
    list_filter = ("country", "metro_area")
    search_fields = ("name", "slug")


@admin.register(MetroArea)
class MetroAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "core_city")
    search_fields = ("name", "slug")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")


class SdgTargetInline(admin.TabularInline):
    model = SdgTarget
    extra = 0


@admin.register(SdgGoal)
class SdgGoalAdmin(admin.ModelAdmin):
    list_display = ("number", "short_title", "colour")
    inlines = (SdgTargetInline,)
