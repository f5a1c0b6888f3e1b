"""Registry of search backends by database vendor."""

from __future__ import annotations

from django.db import connection

from metroscope.web.exchange.search.base import SearchBackend
from metroscope.web.exchange.search.postgres import PostgresBackend
from metroscope.web.exchange.search.sqlite import SqliteBackend

BACKENDS: dict[str, type[SearchBackend]] = {
    "sqlite": SqliteBackend,
    "postgresql": PostgresBackend,
}


def backend() -> SearchBackend:
    """The backend for the default database's vendor."""
    try:
        return BACKENDS[connection.vendor]()
    except KeyError:
        raise RuntimeError(
            f"search supports {', '.join(BACKENDS)} databases, not {connection.vendor}"
        ) from None
