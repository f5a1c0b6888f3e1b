"""Reference vocabularies: topics and the UN Sustainable Development Goals with their targets."""

from __future__ import annotations

from django.db import models


class Topic(models.Model):
    """A thematic tag such as ``energy`` or ``mobility``; the slug is the primary key."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class SdgGoal(models.Model):
    """One of the 17 Sustainable Development Goals; the goal number is the primary key."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    title = models.TextField()
    short_title = models.CharField(max_length=100)
    colour = models.CharField(max_length=7, help_text="Official UN colour, e.g. #FCC30B.")

    class Meta:
        ordering = ("number",)
        verbose_name = "SDG"

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.short_title}"


class SdgTarget(models.Model):
    """One of the 169 SDG targets, e.g. ``7.2`` or ``7.a``; the code is the primary key."""

    code = models.CharField(max_length=8, primary_key=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.CASCADE, related_name="targets")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the goal.")

    class Meta:
        ordering = ("goal_id", "position")
        verbose_name = "SDG target"

    def __str__(self) -> str:
        return f"Target {self.code}"
