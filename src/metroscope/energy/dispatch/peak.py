"""Exact search for the optimal peak of a demand charge (a convex 1-D problem).

With a demand charge ``λ`` on the period's peak import ``P`` (and no battery), the optimum
is ``min_P h(P) = λ·P + F(P)`` where ``F(P)`` is the optimal cost with the import limit
lowered to ``P``. For a fixed ``P`` the steps decouple again (the decomposed solve of
:mod:`~metroscope.energy.dispatch.optimal`), and ``F`` is convex and piecewise linear
(the value of an LP as a function of a right-hand side), so ``h`` is too. The LP duals of
the import bounds give a subgradient at every evaluated point, and a cutting-plane search in
one dimension — intersect the supporting lines of the nearest points left and right of the
minimum, evaluate there, keep the side given by the subgradient's sign — stops when the best
value found equals the lower bound of the cuts (to ``rtol``): the minimum is then proven.
Each step lands on a new linear piece, so it finishes after a handful of decomposed solves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["PeakResult", "minimise_convex_pwl"]


@dataclass
class _Point(Generic[T]):
    x: float
    value: float
    slope: float
    payload: T


@dataclass
class PeakResult(Generic[T]):
    """The minimiser, its value, the payload of its evaluation, and the proof of optimality.

    Attributes
    ----------
    peak_kw : float
        Best peak found [kW].
    value : float
        ``h`` at the best peak [EUR].
    lower_bound : float
        Lower bound of ``h`` over the whole interval from the cuts [EUR].
    evaluations : int
        Number of evaluations of ``h``.
    payload : T
        What the evaluation of the best peak returned (the dispatch).
    """

    peak_kw: float
    value: float
    lower_bound: float
    evaluations: int
    payload: T


def minimise_convex_pwl(
    evaluate: Callable[[float], tuple[float, float, T] | None],
    lo: float,
    hi: float,
    *,
    rtol: float = 1e-9,
    max_evaluations: int = 60,
) -> PeakResult[T]:
    """Minimise a convex piecewise-linear ``h`` on ``[lo, hi]`` from values and subgradients.

    Parameters
    ----------
    evaluate : callable
        ``x -> (h(x), a subgradient of h at x, payload)``, or ``None`` when ``x`` is
        infeasible (``h = +inf``; infeasible points lie left of the feasible ones).
    lo, hi : float
        Interval; ``hi`` must be feasible.
    rtol : float
        Stop when the best value exceeds the proven lower bound by at most
        ``rtol·max(1, |value|)``.
    max_evaluations : int
        Safety cap; the result's ``lower_bound`` tells how close the answer is then.

    Raises
    ------
    ValueError
        When ``hi`` is infeasible.
    """
    count = 1
    first = evaluate(hi)
    if first is None:
        raise ValueError(f"the problem is infeasible even with a peak of {hi:.6g} kW")
    right = _Point(hi, *first)
    best = right
    if right.slope <= 0:  # h does not increase up to hi: hi is the minimum on [lo, hi]
        return PeakResult(hi, right.value, right.value, count, right.payload)
    left: _Point[T] | None = None
    infeasible_below = lo
    lower_bound = -float("inf")
    candidate: float | None = lo
    while count < max_evaluations:
        if candidate is None:
            if left is None:
                candidate = 0.5 * (infeasible_below + right.x)
            else:
                if left.slope >= 0:
                    return PeakResult(left.x, left.value, left.value, count, left.payload)
                x = (right.value - left.value + left.slope * left.x - right.slope * right.x) / (
                    left.slope - right.slope
                )
                x = min(max(x, left.x), right.x)
                lower_bound = left.value + left.slope * (x - left.x)
                tol = rtol * max(1.0, abs(best.value))
                if best.value - lower_bound <= tol or right.x - left.x <= rtol * max(1.0, hi):
                    break
                candidate = x
        result = evaluate(candidate)
        count += 1
        if result is None:
            infeasible_below = candidate
            candidate = None
            continue
        point = _Point(candidate, *result)
        if point.value < best.value:
            best = point
        if point.slope == 0:
            return PeakResult(point.x, point.value, point.value, count, point.payload)
        if point.slope < 0:
            left = point
        else:
            right = point
        candidate = None
    return PeakResult(best.x, best.value, lower_bound, count, best.payload)
