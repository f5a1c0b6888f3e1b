"""The Sustainable Development Goals: an index of the 17 goals and one page per goal."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from metroscope.web.exchange.models import SdgGoal
from metroscope.web.exchange.views.common import PUBLISHED, published_cases, recent_first

_PUBLISHED_CASES = Q(cases__status_review=PUBLISHED)


def sdg_index(request: HttpRequest) -> HttpResponse:
    """The 17 goals in their official colours, with how many cases address each."""
    goals = SdgGoal.objects.annotate(case_count=Count("cases", filter=_PUBLISHED_CASES)).order_by(
        "number"
    )
    return render(request, "exchange/sdgs.html", {"goals": goals})


def sdg_detail(request: HttpRequest, number: int) -> HttpResponse:
    """One goal: its full title, its targets (with the cases citing each) and its cases."""
    try:
        goal = SdgGoal.objects.get(number=number)
    except SdgGoal.DoesNotExist:
        raise Http404(f"There are 17 Sustainable Development Goals; {number} is not one.") from None
    targets = goal.targets.annotate(case_count=Count("cases", filter=_PUBLISHED_CASES)).order_by(
        "position", "code"
    )
    cases = list(recent_first(published_cases().filter(sdgs=goal)))
    return render(request, "exchange/sdg.html", {"goal": goal, "targets": targets, "cases": cases})
