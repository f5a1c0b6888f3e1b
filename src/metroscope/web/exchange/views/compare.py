"""Compare 2–4 cases side by side, with outcomes aligned by metric.

The selection lives in the address (``/compare/?cases=a,b,c``) so a comparison can be shared;
the last one viewed is also kept in the session so "Add to compare" on a case page extends it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from metroscope.web.exchange.models import CaseStudy, Outcome
from metroscope.web.exchange.views.common import published_cases

MAX_CASES = 4
MIN_CASES = 2
PICKER_LIMIT = 300  # above this many published cases the picker points to search instead
SESSION_KEY = "compare"


def _split(values: list[str]) -> list[str]:
    """Slugs from ``cases=a,b`` and/or repeated ``cases=a&cases=b``, in order, once each."""
    slugs: list[str] = []
    for value in values:
        for slug in value.split(","):
            slug = slug.strip()
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs


def compare_url(slugs: list[str]) -> str:
    """Address of the comparison of ``slugs``."""
    base = reverse("exchange:compare")
    return f"{base}?{urlencode({'cases': ','.join(slugs)}, safe=',')}" if slugs else base


def compare_url_adding(request: HttpRequest, slug: str) -> str:
    """Address of the session's current comparison with ``slug`` added (the oldest drops out)."""
    current = [s for s in request.session.get(SESSION_KEY, []) if s != slug]
    return compare_url([*current, slug][-MAX_CASES:])


@dataclass
class OutcomeRow:
    """One metric across the compared cases: a list of outcomes per case (maybe empty)."""

    metric: str
    label: str
    cells: list[list[Outcome]] = field(default_factory=list)

    @property
    def shared_by(self) -> int:
        return sum(1 for cell in self.cells if cell)


# How metric slugs read as row headings: abbreviations kept, unit suffixes dropped
# (each cell shows its own value, unit and label).
_ABBREVIATIONS: dict[str, str] = {
    "pv": "PV",
    "co2": "CO2",
    "no2": "NO2",
    "pm10": "PM10",
    "v2g": "V2G",
    "ev": "EV",
    "evs": "EVs",
}
_UNIT_SUFFIXES = frozenset(
    ["kw", "kwp", "kwh", "mw", "mwh", "gwh", "pct", "t", "eur", "usd", "per", "year", "day", "m2"]
)
_LEADING_UNITS: dict[str, str] = {"km": "Kilometres"}


def metric_title(metric: str) -> str:
    """``"solar_pv_capacity_kw"`` → ``"Solar PV capacity"``: a heading for a shared metric."""
    words = metric.split("_")
    while len(words) > 1 and words[-1] in _UNIT_SUFFIXES:
        words.pop()
    if words[0] in _LEADING_UNITS:
        words[0] = _LEADING_UNITS[words[0]]
    text = " ".join(_ABBREVIATIONS.get(word, word) for word in words)
    return text[:1].upper() + text[1:]


def outcome_rows(cases: list[CaseStudy]) -> list[OutcomeRow]:
    """Align outcomes by metric slug; metrics held by more cases come first."""
    by_metric: dict[str, list[list[Outcome]]] = defaultdict(lambda: [[] for _ in cases])
    labels: dict[str, list[str]] = defaultdict(list)
    for i, case in enumerate(cases):
        for outcome in case.outcomes.all():
            by_metric[outcome.metric][i].append(outcome)
            labels[outcome.metric].append(outcome.label)
    rows = []
    for metric, cells in by_metric.items():
        shared = sum(1 for cell in cells if cell) > 1
        label = metric_title(metric) if shared else labels[metric][0]
        rows.append(OutcomeRow(metric=metric, label=label, cells=cells))
    rows.sort(key=lambda row: (-row.shared_by, row.label.lower()))
    return rows


def compare(request: HttpRequest) -> HttpResponse:
    """The comparison table and a picker to add cases."""
    requested = _split(request.GET.getlist("cases"))
    added = _split(request.GET.getlist("add"))
    if added:
        return HttpResponseRedirect(
            compare_url([*requested, *(s for s in added if s not in requested)])
        )
    notices: list[str] = []
    if len(requested) > MAX_CASES:
        notices.append(
            f"At most {MAX_CASES} cases can be compared; the first {MAX_CASES} are shown."
        )
        requested = requested[:MAX_CASES]
    found = {
        case.slug: case
        for case in published_cases()
        .filter(slug__in=requested)
        .prefetch_related("outcomes", "sources")
    }
    unknown = [slug for slug in requested if slug not in found]
    if unknown:
        notices.append(
            "No published case has the address " + ", ".join(f"“{s}”" for s in unknown) + "."
        )
    cases = [found[slug] for slug in requested if slug in found]
    slugs = [case.slug for case in cases]
    request.session[SESSION_KEY] = slugs
    columns = [
        {"case": case, "remove_url": compare_url([s for s in slugs if s != case.slug])}
        for case in cases
    ]
    published = published_cases()
    choices = None
    if len(cases) < MAX_CASES and published.count() <= PICKER_LIMIT:
        choices = list(
            published.exclude(slug__in=slugs)
            .select_related("city")
            .order_by("city__country", "city__name", "title")
        )
    context = {
        "cases": cases,
        "columns": columns,
        "slugs": ",".join(slugs),
        "outcome_rows": outcome_rows(cases),
        "notices": notices,
        "choices": choices,
        "enough": len(cases) >= MIN_CASES,
        "can_add": len(cases) < MAX_CASES,
        "max_cases": MAX_CASES,
    }
    return render(request, "exchange/compare.html", context)
