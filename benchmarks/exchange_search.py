"""Exchange search benchmark: query + all facet counts over 100,000 SYNTHETIC case studies.

What is measured, in one run, on the same generated data and the same query list:

1. ``search_cases`` in-process (one page of 20 hits with snippets, the total count and all
   eight facet counts) on SQLite (FTS5) and on PostgreSQL (tsvector + GIN): p50/p95 [ms];
2. over HTTP on loopback: Metroscope's ``GET /api/cases`` (waitress, SQLite) beside
   Datasette serving the same cases from the same SQLite file as one flat table with FTS5,
   asked for the same query with the same facets (``_facet`` / ``_facet_array``).

The cases are generated (titles start with "[synthetic]"); their words are drawn from the
shipped demo cases so the text statistics resemble real case studies. Nothing here is a fact.

Usage::

    python benchmarks/exchange_search.py [--cases 100000] [--queries 200]
        [--postgres-url postgres://postgres@127.0.0.1:5432/metroscope_bench] [--no-http]

Datasette runs from its own virtual environment under benchmarks/.work/ (created on first
use with pip), so its dependencies never mix with Metroscope's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's folder

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
DATASETTE_VENV = WORK / "datasette-venv"
FACETS = ("topic", "sdg", "country", "region", "metro", "scale", "status", "decade")


# ---------------------------------------------------------------- data generation (child)


def _setup(home: Path, database_url: str | None) -> None:
    os.environ["METROSCOPE_HOME"] = str(home)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(HERE.parent / "src"))
    from metroscope.commands.django_setup import setup_django

    setup_django()


def _vocabulary() -> list[str]:
    from metroscope.web.exchange.demo import demo_dir, read_case_files

    records, _ = read_case_files(demo_dir())
    text = " ".join(
        " ".join(str(r.get(k) or "") for k in ("title", "summary", "challenge", "solution"))
        for r in records
    )
    words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]{4,}", text)]
    return words  # with repetitions: sampling keeps the demo's word frequencies


def generate(n_cases: int, seed: int) -> dict[str, float]:
    """Fill the configured (empty, migrated) database with ``n_cases`` synthetic cases."""
    from django.db import transaction

    from metroscope.web.exchange.demo import ensure_reference_loaded
    from metroscope.web.exchange.models import (
        CaseStudy,
        City,
        SdgGoal,
        Source,
        Topic,
    )
    from metroscope.web.exchange.search.index import deferred_indexing, rebuild_index

    started = time.perf_counter()
    ensure_reference_loaded()
    rng = random.Random(seed)
    words = _vocabulary()
    cities = list(City.objects.all())
    topics = list(Topic.objects.all())
    goals = list(SdgGoal.objects.all())
    scales = ["neighbourhood", "municipal", "metropolitan", "national", "international"]
    statuses = ["planned", "ongoing", "completed", "discontinued"]

    def sentence(k: int) -> str:
        return " ".join(rng.choice(words) for _ in range(k)).capitalize() + "."

    with deferred_indexing(), transaction.atomic():
        batch = 2000
        for start in range(0, n_cases, batch):
            cases = []
            for i in range(start, min(start + batch, n_cases)):
                city = rng.choice(cities)
                year = rng.randint(1990, 2026)
                cases.append(
                    CaseStudy(
                        slug=f"synthetic-{i:06d}",
                        title="[synthetic] " + sentence(rng.randint(4, 9))[:-1],
                        city=city,
                        lat=city.lat + rng.uniform(-0.05, 0.05),
                        lon=city.lon + rng.uniform(-0.05, 0.05),
                        scale=rng.choice(scales),
                        status=rng.choice(statuses),
                        start_year=year,
                        end_year=None,
                        summary=" ".join(sentence(rng.randint(8, 16)) for _ in range(3)),
                        challenge=" ".join(sentence(rng.randint(8, 16)) for _ in range(4)),
                        solution=" ".join(sentence(rng.randint(8, 16)) for _ in range(5)),
                        results=" ".join(sentence(rng.randint(8, 16)) for _ in range(3)),
                        lessons=sentence(12),
                        licence="synthetic",
                    )
                )
            made = CaseStudy.objects.bulk_create(cases)
            topic_links = CaseStudy.topics.through
            sdg_links = CaseStudy.sdgs.through
            topic_links.objects.bulk_create(
                topic_links(casestudy_id=c.pk, topic_id=t.pk)
                for c in made
                for t in rng.sample(topics, rng.randint(1, 3))
            )
            sdg_links.objects.bulk_create(
                sdg_links(casestudy_id=c.pk, sdggoal_id=g.pk)
                for c in made
                for g in rng.sample(goals, rng.randint(1, 3))
            )
            Source.objects.bulk_create(
                Source(case=c, position=0, url=f"https://example.org/synthetic/{c.slug}")
                for c in made
            )
        generated = time.perf_counter() - started
        rebuild_index()
    return {"generate_s": generated, "index_s": time.perf_counter() - started - generated}


def make_queries(n: int, seed: int) -> list[dict[str, object]]:
    """A fixed list of queries: words, phrases, prefixes, with and without facet filters."""
    from metroscope.web.exchange.models import SearchEntry

    rng = random.Random(seed + 1)
    words = [w for w in _vocabulary() if len(w) >= 5]
    countries = list(SearchEntry.objects.values_list("country", flat=True).distinct())
    queries: list[dict[str, object]] = []
    for i in range(n):
        kind = i % 10
        if kind < 5:
            q = " ".join(rng.sample(words, rng.randint(1, 2)))
        elif kind < 7:
            q = '"' + " ".join(rng.sample(words, 2)) + '"'
        elif kind < 8:
            q = rng.choice(words)[:4] + "*"
        else:
            q = ""
        filters: dict[str, list[str]] = {}
        if i % 3 == 0:
            filters["scale"] = [rng.choice(["municipal", "metropolitan"])]
        if i % 4 == 1:
            filters["country"] = [rng.choice(countries)]
        if i % 5 == 2:
            filters["sdg"] = [str(rng.randint(1, 17))]
        queries.append({"q": q, "filters": filters})
    return queries


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": statistics.median(ordered),
        "p95_ms": p95,
        "mean_ms": statistics.fmean(ordered),
        "n": len(ordered),
    }


def measure_in_process(queries: list[dict[str, object]]) -> dict[str, float]:
    from metroscope.web.exchange.search import CaseQuery, search_cases

    def run(query: dict[str, object]) -> None:
        result = search_cases(
            CaseQuery(q=str(query["q"]), filters=dict(query["filters"]))  # type: ignore[arg-type]
        )
        assert set(result.facets) >= set(FACETS), result.facets.keys()

    for query in queries[: max(1, len(queries) // 10)]:  # warm caches
        run(query)
    samples = []
    for query in queries:
        t0 = time.perf_counter()
        run(query)
        samples.append((time.perf_counter() - t0) * 1000)
    return percentiles(samples)


def child(args: argparse.Namespace) -> None:
    """Generate into one database and measure in-process; print one JSON line."""
    _setup(Path(args.home), args.database_url)
    from django.db import connection

    out: dict[str, object] = {"vendor": connection.vendor}
    out.update(generate(args.cases, args.seed))
    queries = make_queries(args.queries, args.seed)
    out["queries"] = queries
    out["search"] = measure_in_process(queries)
    print("RESULT " + json.dumps(out))


# ---------------------------------------------------------------- HTTP side by side (parent)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def flat_table(sqlite_path: Path, target: Path) -> None:
    """Copy the cases into one flat table with FTS5, the shape Datasette serves."""
    if target.exists():
        target.unlink()
    src = sqlite3.connect(sqlite_path)
    dst = sqlite3.connect(target)
    dst.execute(
        "CREATE TABLE cases (id INTEGER PRIMARY KEY, title TEXT, summary TEXT, body TEXT, "
        "country TEXT, region TEXT, metro TEXT, scale TEXT, status TEXT, decade TEXT, "
        "topics TEXT, sdgs TEXT)"
    )
    topics: dict[int, list[str]] = {}
    for case_id, slug in src.execute(
        "SELECT casestudy_id, topic_id FROM exchange_casestudy_topics"
    ):
        topics.setdefault(case_id, []).append(slug)
    sdgs: dict[int, list[str]] = {}
    for case_id, number in src.execute(
        "SELECT casestudy_id, sdggoal_id FROM exchange_casestudy_sdgs"
    ):
        sdgs.setdefault(case_id, []).append(str(number))
    rows = (
        (*row[:10], json.dumps(topics.get(row[0], [])), json.dumps(sdgs.get(row[0], [])))
        for row in src.execute(
            "SELECT e.case_id, t.title, t.summary, t.body, e.country, e.region, e.metro, "
            "e.scale, e.status, e.decade FROM exchange_searchentry e "
            "JOIN exchange_searchtext t ON t.case_id = e.case_id WHERE e.published"
        )
    )
    dst.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    for column in ("country", "region", "metro", "scale", "status", "decade"):
        dst.execute(f"CREATE INDEX cases_{column} ON cases({column})")
    dst.commit()
    dst.close()
    src.close()
    subprocess.run(
        [
            str(DATASETTE_VENV / "bin" / "sqlite-utils"),
            "enable-fts",
            str(target),
            "cases",
            "title",
            "summary",
            "body",
            "--fts5",
            "--create-triggers",
            "--tokenize",
            "porter unicode61 remove_diacritics 2",
        ],
        check=True,
    )


def ensure_datasette() -> None:
    if (DATASETTE_VENV / "bin" / "datasette").exists():
        return
    WORK.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
    subprocess.run(
        [str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette", "sqlite-utils"],
        check=True,
    )


def datasette_version() -> str:
    out = subprocess.run(
        [str(DATASETTE_VENV / "bin" / "datasette"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def ours_url(base: str, query: dict[str, object]) -> str:
    params: list[tuple[str, str]] = [("per_page", "20")]
    if query["q"]:
        params.append(("q", str(query["q"])))
    for name, values in dict(query["filters"]).items():  # type: ignore[call-overload]
        params.extend((name, v) for v in values)
    return f"{base}/api/cases?{urllib.parse.urlencode(params)}"


def datasette_url(base: str, query: dict[str, object]) -> str:
    params: list[tuple[str, str]] = [("_size", "20"), ("_extra", "count")]
    if query["q"]:
        params += [("_search", str(query["q"])), ("_search_mode", "raw")]
    for column in ("country", "region", "metro", "scale", "status", "decade"):
        params.append(("_facet", column))
    params += [("_facet_array", "topics"), ("_facet_array", "sdgs")]
    for name, values in dict(query["filters"]).items():  # type: ignore[call-overload]
        if name == "sdg":
            params.append(("sdgs__arraycontains", values[0]))
        else:
            params.append((name, values[0]))
    return f"{base}/flat/cases.json?{urllib.parse.urlencode(params)}"


def fts5_raw(q: str) -> str:
    """Datasette's raw mode passes the query to FTS5: quote bare words like ours does."""
    if not q:
        return q
    if q.startswith('"') or q.endswith("*"):
        return q
    return " ".join(f'"{word}"' for word in q.split())


def measure_http(urls: list[str]) -> dict[str, float]:
    for url in urls[: max(1, len(urls) // 10)]:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
    samples = []
    for url in urls:
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
        samples.append((time.perf_counter() - t0) * 1000)
        data = json.loads(body)
        if data.get("facets_timed_out"):
            raise RuntimeError(f"datasette facets timed out: {url}")
    return percentiles(samples)


def run_child(home: Path, cases: int, queries: int, seed: int, database_url: str | None) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--home",
        str(home),
        "--cases",
        str(cases),
        "--queries",
        str(queries),
        "--seed",
        str(seed),
    ]
    if database_url:
        cmd += ["--database-url", database_url]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def reset_postgres(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL not available ({exc}); its row is skipped", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/metroscope_bench"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP side by side")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    print(f"exchange search benchmark: {args.cases:,} synthetic cases, {args.queries} queries")
    print(f"machine: {machine()}; date: {time.strftime('%Y-%m-%d')}")
    rows: list[tuple[str, dict[str, float]]] = []

    def record(label: str, figures: dict[str, float]) -> None:
        rows.append((label, figures))
        print(
            f"  {label}: p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"mean {figures['mean_ms']:.1f} ms (n={figures['n']})",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "sqlite"
        home.mkdir()
        sqlite_run = run_child(home, args.cases, args.queries, args.seed, None)
        print(
            f"generated on SQLite in {sqlite_run['generate_s']:.0f} s, "
            f"indexed in {sqlite_run['index_s']:.0f} s",
            flush=True,
        )
        record("Metroscope search_cases, SQLite FTS5 (in-process)", sqlite_run["search"])
        if reset_postgres(args.postgres_url):
            pg_home = Path(tmp) / "pg"
            pg_home.mkdir()
            pg_run = run_child(pg_home, args.cases, args.queries, args.seed, args.postgres_url)
            record("Metroscope search_cases, PostgreSQL (in-process)", pg_run["search"])

        if not args.no_http:
            ensure_datasette()
            queries = sqlite_run["queries"]
            db = home / "metroscope.sqlite3"
            flat = Path(tmp) / "flat.db"
            flat_table(db, flat)
            ours_port, ds_port = free_port(), free_port()
            env = {**os.environ, "METROSCOPE_HOME": str(home)}
            env.pop("DATABASE_URL", None)
            ours = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "metroscope.cli",
                    "serve",
                    "--port",
                    str(ours_port),
                    "--no-demo",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            theirs = subprocess.Popen(
                [
                    str(DATASETTE_VENV / "bin" / "datasette"),
                    "serve",
                    str(flat),
                    "--port",
                    str(ds_port),
                    "--setting",
                    "facet_time_limit_ms",
                    "60000",
                    "--setting",
                    "sql_time_limit_ms",
                    "60000",
                    "--setting",
                    "num_sql_threads",
                    "3",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                ours_base = f"http://127.0.0.1:{ours_port}"
                ds_base = f"http://127.0.0.1:{ds_port}"
                wait_http(f"{ours_base}/api/cases?per_page=1")
                wait_http(f"{ds_base}/flat/cases.json?_size=1")
                ds_queries = [{**q, "q": fts5_raw(str(q["q"]))} for q in queries]
                record(
                    "Metroscope GET /api/cases, SQLite (HTTP, waitress)",
                    measure_http([ours_url(ours_base, q) for q in queries]),
                )
                record(
                    f"{datasette_version()}: same table + FTS5, same facets (HTTP)",
                    measure_http([datasette_url(ds_base, q) for q in ds_queries]),
                )
            finally:
                ours.terminate()
                theirs.terminate()
                ours.wait()
                theirs.wait()

    print()
    print(f"| {'what (query + all facet counts, 20 hits)':<62} | p50 ms | p95 ms | mean ms |")
    print(f"|{'-' * 64}|-------:|-------:|--------:|")
    for label, figures in rows:
        print(
            f"| {label:<62} | {figures['p50_ms']:6.1f} | {figures['p95_ms']:6.1f} "
            f"| {figures['mean_ms']:7.1f} |"
        )


if __name__ == "__main__":
    main()
