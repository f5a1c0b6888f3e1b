"""PostgreSQL backend: weighted tsvector ``exchange_searchtext.document`` (A/B/C), GIN index.

Queries go through ``to_tsquery('metroscope', …)``: the ``metroscope`` configuration is
English with ``unaccent`` (migration 0002), prefixes use ``:*``, phrases ``<->``. Snippets
come from ``ts_headline``.
"""

from __future__ import annotations

from django.db import connection

from metroscope.web.exchange.models import SearchText
from metroscope.web.exchange.search.base import (
    ENTRY,
    MARK_CLOSE,
    MARK_OPEN,
    SearchBackend,
    TextMatch,
    mark_up,
)
from metroscope.web.exchange.search.query import ParsedQuery, to_tsquery

CONFIG = "metroscope"
TEXT = SearchText._meta.db_table
HEADLINE_OPTIONS = (
    f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


class PostgresBackend(SearchBackend):
    """Full-text search with tsvector/tsquery and ``ts_rank``."""

    vendor = "postgresql"

    def text_match(self, parsed: ParsedQuery) -> TextMatch:
        return TextMatch(
            from_sql=(
                f"{TEXT} t JOIN {ENTRY} e ON e.case_id = t.case_id "
                f"CROSS JOIN to_tsquery('{CONFIG}', %s) tsq"
            ),
            from_params=[to_tsquery(parsed)],
            where_sql="t.document @@ tsq",
            rank_sql="ts_rank(t.document, tsq)",
        )

    def snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT t.case_id, ts_headline('{CONFIG}', t.summary, tsq, %s), "
            f"ts_headline('{CONFIG}', t.body, tsq, %s) "
            f"FROM {TEXT} t CROSS JOIN to_tsquery('{CONFIG}', %s) tsq WHERE t.case_id IN ({marks})"
        )
        out: dict[int, str] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [HEADLINE_OPTIONS, HEADLINE_OPTIONS, to_tsquery(parsed), *ids])
            for pk, summary, body in cursor.fetchall():
                for raw in (summary, body):
                    if raw and MARK_OPEN in raw:
                        out[int(pk)] = mark_up(raw)
                        break
        return out
