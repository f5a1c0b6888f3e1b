"""SQLite backend: FTS5 external-content table ``exchange_case_fts`` ranked with BM25.

Column weights title 10 > summary 4 > body 1; tokenizer ``porter unicode61
remove_diacritics 2`` (see migration 0002), so accents and English word endings are folded.
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
from metroscope.web.exchange.search.query import ParsedQuery, to_fts5

FTS = "exchange_case_fts"
WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body


class SqliteBackend(SearchBackend):
    """Full-text search with FTS5 and BM25."""

    vendor = "sqlite"

    def text_match(self, parsed: ParsedQuery) -> TextMatch:
        weights = ", ".join(str(w) for w in WEIGHTS)
        return TextMatch(
            from_sql=f"{FTS} JOIN {ENTRY} e ON e.case_id = {FTS}.rowid",
            where_sql=f"{FTS} MATCH %s",
            where_params=[to_fts5(parsed)],
            rank_sql=f"-bm25({FTS}, {weights})",
        )

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
