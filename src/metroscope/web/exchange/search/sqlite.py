"""SQLite backend: FTS5 table ``exchange_case_fts`` (content: ``exchange_searchtext``), BM25.

Column weights title 10 > summary 4 > body 1; tokenizer ``porter unicode61
remove_diacritics 2`` (see migration 0002), so accents and English word endings are folded.
"""

from __future__ import annotations

from django.db import connection

from metroscope.web.exchange.search.base import (
    ENTRY,
    MARK_CLOSE,
    MARK_OPEN,
    MULTI_FACETS,
    SCALAR_FACETS,
    SearchBackend,
    TextMatch,
    facet_sql,
    mark_up,
    tally,
)
from metroscope.web.exchange.search.query import ParsedQuery, to_fts5

FTS = "exchange_case_fts"
WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body
HITS = "temp.exchange_search_hits"
HITS_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS exchange_search_hits (case_id INTEGER PRIMARY KEY, "
    f"{', '.join(f'{c} TEXT' for c in SCALAR_FACETS.values())})"
)


class SqliteBackend(SearchBackend):
    """Full-text search with FTS5 and BM25."""

    vendor = "sqlite"

    def text_match(self, parsed: ParsedQuery) -> TextMatch:
        weights = ", ".join(str(w) for w in WEIGHTS)
        return TextMatch(
            from_sql=f"{FTS} JOIN {ENTRY} e ON e.case_id = {FTS}.rowid",  # rowid = case id
            where_sql=f"{FTS} MATCH %s",
            where_params=[to_fts5(parsed)],
            rank_sql=f"-bm25({FTS}, {weights})",
        )

    def count_facets(
        self, hits_sql: str, params: list[object]
    ) -> tuple[int, dict[str, dict[str, int]]]:
        """Gather the hits once into a connection-private temporary table, then group.

        SQLite may evaluate a CTE once per arm of a compound query, so the hits go to a TEMP
        table (private to this connection, never locking the main database) instead.
        """
        with connection.cursor() as cursor:
            cursor.execute(HITS_DDL)
            cursor.execute(f"DELETE FROM {HITS}")
            cursor.execute(f"INSERT INTO {HITS} {hits_sql}", params)
            scalar, *multi = facet_sql(HITS)
            cursor.execute(scalar)
            combos = [tuple(row) for row in cursor.fetchall()]
            grouped = {}
            for name, sql in zip(MULTI_FACETS, multi, strict=True):
                cursor.execute(sql)
                grouped[name] = [(value, n) for value, n in cursor.fetchall()]
            cursor.execute(f"DELETE FROM {HITS}")
        return tally(combos, grouped)

    def snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet({FTS}, 1, %s, %s, '…', 30), snippet({FTS}, 2, %s, %s, '…', 30) "
            f"FROM {FTS} WHERE {FTS} MATCH %s AND rowid IN ({marks})"
        )
        out: dict[int, str] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [MARK_OPEN, MARK_CLOSE, MARK_OPEN, MARK_CLOSE, to_fts5(parsed), *ids]
            )
            for pk, summary, body in cursor.fetchall():
                for raw in (summary, body):
                    if raw and MARK_OPEN in raw:
                        out[int(pk)] = mark_up(raw)
                        break
        return out
