"""Exit 0 when the PostgreSQL server of the URL given answers, 1 otherwise."""

import sys

import psycopg

url = sys.argv[1].replace("postgres://", "postgresql://", 1)
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    with psycopg.connect(base, connect_timeout=3):
        pass
except psycopg.Error as exc:
    print(f"PostgreSQL not reachable at {url}: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
