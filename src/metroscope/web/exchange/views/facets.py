"""Facet display: labels and ordering of facet values, and the active-filter chips.

The search returns bare values and counts (``{"topic": {"energy": 12}}``); this module turns
them into what the results page shows. Each facet has one entry in :data:`FACET_DISPLAY`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import QueryDict

from metroscope.web.exchange.models import SCALES, STATUSES, MetroArea, SdgGoal, Topic
from metroscope.web.exchange.templatetags.exchange_tags import country_name

Labeller = Callable[[list[str]], dict[str, str]]
SortKey = Callable[[tuple[str, int]], object]


def _topic_labels(values: list[str]) -> dict[str, str]:
    return dict(Topic.objects.filter(slug__in=values).values_list("slug", "name"))


def _sdg_labels(values: list[str]) -> dict[str, str]:
    numbers = [int(v) for v in values if v.isdigit()]
    goals = SdgGoal.objects.filter(number__in=numbers).values_list("number", "short_title")
    return {str(n): f"{n} · {title}" for n, title in goals}


def _metro_labels(values: list[str]) -> dict[str, str]:
    return dict(MetroArea.objects.filter(slug__in=values).values_list("slug", "name"))


def _country_labels(values: list[str]) -> dict[str, str]:
    return {v: country_name(v) for v in values}


def _titled(values: list[str]) -> dict[str, str]:
    return {v: v.replace("-", " ").capitalize() for v in values}


def _same(values: list[str]) -> dict[str, str]:
    return {v: v for v in values}


def _by_count(item: tuple[str, int]) -> object:
    return (-item[1], item[0])


def _by_number(item: tuple[str, int]) -> object:
    return int(item[0]) if item[0].isdigit() else 999


def _in_order(order: list[str]) -> SortKey:
    def key(item: tuple[str, int]) -> object:
        return order.index(item[0]) if item[0] in order else len(order)

    return key


def _by_value(item: tuple[str, int]) -> object:
    return item[0]


@dataclass(frozen=True)
class FacetSpec:
    """How one facet shows: its heading, value labels and value order."""

    title: str
    labels: Labeller
    order: SortKey
    visible: int = 8  # values shown before "more"


FACET_DISPLAY: dict[str, FacetSpec] = {
    "topic": FacetSpec("Topic", _topic_labels, _by_count),
    "sdg": FacetSpec("Sustainable Development Goal", _sdg_labels, _by_number, visible=17),
    "metro": FacetSpec("Metropolitan area", _metro_labels, _by_count),
    "country": FacetSpec("Country", _country_labels, _by_count),
    "region": FacetSpec("World region", _same, _by_count),
    "scale": FacetSpec("Scale", _titled, _in_order(SCALES)),
    "status": FacetSpec("Status", _titled, _in_order(STATUSES)),
    "decade": FacetSpec("Started", _same, _by_value),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    checked: bool
    input_id: str


@dataclass
class FacetView:
    name: str
    title: str
    values: list[FacetValue] = field(default_factory=list)
    visible: int = 8

    @property
    def shown(self) -> list[FacetValue]:
        """Values listed up front: the first ``visible`` plus every checked one."""
        return [v for i, v in enumerate(self.values) if i < self.visible or v.checked]

    @property
    def more(self) -> list[FacetValue]:
        return [v for i, v in enumerate(self.values) if i >= self.visible and not v.checked]

    @property
    def active(self) -> bool:
        return any(v.checked for v in self.values)


@dataclass
class ActiveFilter:
    """A chip naming one applied filter, with the address that removes it."""

    label: str
    remove_url: str


def facet_views(
    counts: dict[str, dict[str, int]], selected: dict[str, list[str]]
) -> list[FacetView]:
    """Facets in display order, each value labelled, counted and marked when selected.

    A selected value missing from ``counts`` is still listed (count 0) so it can be unticked.
    """
    views: list[FacetView] = []
    for name, spec in FACET_DISPLAY.items():
        values = dict(counts.get(name, {}))
        for chosen in selected.get(name, []):
            values.setdefault(chosen, 0)
        if not values:
            continue
        labels = spec.labels(list(values))
        facet = FacetView(name=name, title=spec.title, visible=spec.visible)
        for value, count in sorted(values.items(), key=spec.order):
            facet.values.append(
                FacetValue(
                    value=value,
                    label=labels.get(value, value),
                    count=count,
                    checked=value in selected.get(name, []),
                    input_id=f"f-{name}-{value}".replace(" ", "_"),
                )
            )
        views.append(facet)
    return views


def active_filters(params: QueryDict, facets: list[FacetView], path: str) -> list[ActiveFilter]:
    """One chip per selected facet value (and the area filter), each with a removal link."""
    chips: list[ActiveFilter] = []

    def without(key: str, value: str | None) -> str:
        query = params.copy()
        query.pop("page", None)
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [v for v in query.getlist(key) if v != value])
        encoded = query.urlencode()
        return f"{path}?{encoded}" if encoded else path

    for facet in facets:
        for value in facet.values:
            if value.checked:
                chips.append(
                    ActiveFilter(f"{facet.title}: {value.label}", without(facet.name, value.value))
                )
    if params.get("bbox"):
        chips.append(ActiveFilter("Map area", without("bbox", None)))
    return chips
