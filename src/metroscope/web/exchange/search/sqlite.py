"""SQLite backend: FTS5 table ``exchange_case_fts`` (content: ``exchange_searchtext``), BM25.

Column weights title 10 > summary 4 > body 1; tokenizer ``porter unicode61
remove_diacritics 2`` (see migration 0004), so accents and English word endings are folded.
A text query is evaluated ONCE: its matches, facet columns, BM25 rank and sort keys go to a
connection-private TEMP table, from which the facet counts and the page are read.
"""

from __future__ import annotations

from django.db import connection

from metroscope.web.exchange.search.base import (
    ENTRY,
    MARK_CLOSE,
    MARK_OPEN,
    SearchBackend,
    TextMatch,
    mark_up,
)
from metroscope.web.exchange.search.facets import SCALAR_FACETS, Counts, run_facets
from metroscope.web.exchange.search.query import ParsedQuery, to_fts5

FTS = "exchange_case_fts"
WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body
HITS = "temp.exchange_search_hits"
_SCALARS = list(SCALAR_FACETS.values())
HITS_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS exchange_search_hits (case_id INTEGER PRIMARY KEY, "
    + ", ".join(f"{c} TEXT" for c in _SCALARS)
    + ", rank REAL, sort_year INTEGER, title_sort TEXT)"
)
# Connection settings that keep sorting and grouping in memory (set once per connection).
PRAGMAS = (
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
    "PRAGMA mmap_size = 268435456",
)


class SqliteBackend(SearchBackend):
    """Full-text search with FTS5 and BM25."""

    vendor = "sqlite"
    facet_join = "CROSS JOIN"

    def text_match(self, parsed: ParsedQuery) -> TextMatch:
        weights = ", ".join(str(w) for w in WEIGHTS)
        return TextMatch(
            # CROSS JOIN fixes the order: walk the full-text matches, then look up each facet
            # row by rowid (= case id); never probe the FTS index once per facet row.
            from_sql=f"{FTS} CROSS JOIN {ENTRY} e ON e.case_id = {FTS}.rowid",
            where_sql=f"{FTS} MATCH %s",
            where_params=[to_fts5(parsed)],
            rank_sql=f"-bm25({FTS}, {weights})",
        )

    def gather_text(
        self, text: TextMatch, where: str, params: list[object], order: str, limit: int, offset: int
    ) -> tuple[Counts, list[tuple[int, float]]]:
        columns = ", ".join(
            [
                "e.case_id",
                *(f"e.{c}" for c in _SCALARS),
                text.rank_sql,
                "e.sort_year",
                "e.title_sort",
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(HITS_DDL)
            cursor.execute(f"DELETE FROM {HITS}")
            cursor.execute(
                f"INSERT INTO {HITS} SELECT {columns} FROM {text.from_sql} WHERE {where}", params
            )
        try:
            counts = run_facets(f"{HITS} e", join=self.facet_join)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT e.case_id, e.rank FROM {HITS} e ORDER BY {order} LIMIT %s OFFSET %s",
                    [limit, offset],
                )
                page = [(int(pk), float(rank or 0.0)) for pk, rank in cursor.fetchall()]
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {HITS}")
        return counts, page

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


def configure_connection(sender: object, connection: object, **kwargs: object) -> None:
    """``connection_created`` handler: in-memory temp storage and a larger page cache."""
    if getattr(connection, "vendor", "") != "sqlite":
        return
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        for pragma in PRAGMAS:
            cursor.execute(pragma)
