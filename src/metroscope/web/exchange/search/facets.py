"""Facet counting with SQL ``GROUP BY``: over the search entries, over a set of hits, cached.

Three statements count everything over a set of rows: one ``GROUP BY`` over all
single-valued facet columns together (the few combinations are summed per facet by
:func:`tally`), and one per join table (topics, SDGs). The counts of the unfiltered set (the
landing page of every search) are cached per index generation: the generation is a token in
the database, replaced on every index change, so every process sees a change at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from threading import Lock

from django.db import connection

from metroscope.web.exchange.models import CaseStudy, SearchGeneration
from metroscope.web.exchange.search import FACETS

Counts = tuple[int, dict[str, dict[str, int]]]

_TOPICS = CaseStudy.topics.through
_SDGS = CaseStudy.sdgs.through
# facet -> (join table, case column, value column) for the many-to-many facets
MULTI_FACETS: dict[str, tuple[str, str, str]] = {
    "topic": (
        _TOPICS._meta.db_table,
        _TOPICS._meta.get_field("casestudy").column,
        _TOPICS._meta.get_field("topic").column,
    ),
    "sdg": (
        _SDGS._meta.db_table,
        _SDGS._meta.get_field("casestudy").column,
        _SDGS._meta.get_field("sdggoal").column,
    ),
}
# facet -> column of the search entry for the single-valued facets
SCALAR_FACETS: dict[str, str] = {
    f: f for f in ("country", "region", "metro", "scale", "status", "decade")
}
SCALAR_COLUMNS = ", ".join(SCALAR_FACETS.values())
CACHE_ENABLED = True  # benchmarks may switch the unfiltered-set cache off

_cache: dict[tuple[str, str, int], Counts] = {}
_lock = Lock()


def facet_sql(source: str, where: str = "", join: str = "JOIN") -> list[str]:
    """Counting statements over ``source`` (rows with ``case_id`` and facet columns).

    ``source`` is a table with an alias (``exchange_searchentry e``) or a hits table; ``where``
    an optional condition on it. ``join`` is ``CROSS JOIN`` on SQLite, where it makes the
    planner walk the (usually smaller) source and probe the join table's index.
    """
    alias = source.split()[-1]
    condition = f" WHERE {where}" if where else ""
    statements = [
        f"SELECT {SCALAR_COLUMNS}, COUNT(*) FROM {source}{condition} GROUP BY {SCALAR_COLUMNS}"
    ]
    for table, case_col, value_col in MULTI_FACETS.values():
        statements.append(
            f"SELECT j.{value_col}, COUNT(*) FROM {source} "
            f"{join} {table} j ON j.{case_col} = {alias}.case_id{condition} GROUP BY j.{value_col}"
        )
    return statements


def tally(combos: list[tuple[object, ...]], multi: dict[str, list[tuple[object, int]]]) -> Counts:
    """Total and per-facet counts (largest first) from the grouped rows of :func:`facet_sql`."""
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    total = 0
    names = list(SCALAR_FACETS)
    for row in combos:
        n = int(row[-1])  # type: ignore[call-overload]
        total += n
        for name, value in zip(names, row[:-1], strict=True):
            if value:
                facets[name][str(value)] = facets[name].get(str(value), 0) + n
    for name, rows in multi.items():
        facets[name] = {str(value): int(n) for value, n in rows}
    for name in facets:
        facets[name] = dict(sorted(facets[name].items(), key=lambda kv: (-kv[1], kv[0])))
    return total, facets


def run_facets(
    source: str, where: str = "", params: list[object] | None = None, join: str = "JOIN"
) -> Counts:
    """Execute :func:`facet_sql` (each statement with the same ``params``) and tally."""
    scalar, *multi = facet_sql(source, where, join)
    with connection.cursor() as cursor:
        cursor.execute(scalar, params or [])
        combos = [tuple(row) for row in cursor.fetchall()]
        grouped: dict[str, list[tuple[object, int]]] = {}
        for name, sql in zip(MULTI_FACETS, multi, strict=True):
            cursor.execute(sql, params or [])
            grouped[name] = [(value, n) for value, n in cursor.fetchall()]
    return tally(combos, grouped)


def generation() -> int:
    """The current index generation token (0 before the first index change)."""
    value = SearchGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return int(value or 0)


def bump_generation() -> None:
    """Mark the index as changed: cached facet counts of every process become stale.

    The new token is random rather than incremented, so a rolled-back change can never bring
    back a token that already named other contents.
    """
    token = secrets.randbits(62) or 1
    if not SearchGeneration.objects.filter(pk=1).update(value=token):
        SearchGeneration.objects.update_or_create(pk=1, defaults={"value": token})


def cached(compute: Callable[[], Counts]) -> Counts:
    """``compute()`` memoised per database and index generation (unfiltered set only)."""
    if not CACHE_ENABLED:
        return compute()
    key = (connection.vendor, str(connection.settings_dict.get("NAME")), generation())
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit[0], {name: dict(values) for name, values in hit[1].items()}
    counts = compute()
    with _lock:
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = counts
    return counts[0], {name: dict(values) for name, values in counts[1].items()}
