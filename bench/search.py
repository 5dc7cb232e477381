"""Search latency at scale: p50/p95 of one results page (20 hits with snippets) for single
words, phrases, field queries and entity queries over N generated articles, beside a plain
indexed lookup (the reader's Latest page, and a primary-key read) in the same run.

The corpus is built with bulk inserts (Zipf-distributed invented words, 2,000 people, quotes,
50 sources, one reader subscribed to all), then indexed with `search_index.index_everything`
as migration 0003 would. SQLite always; PostgreSQL when TIDINGS_TEST_DATABASE_URL is set.

Usage: python -m bench.search [--articles 100000] [--queries 40]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.models import utcnow
from tidings.search import parse
from tidings.store import accounts, reading, search_index
from tidings.store import search as search_store
from tidings.store.articles import get_article
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import (
    article_entities,
    articles,
    entities,
    quotes,
    sources,
    subscriptions,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "ba", "do", "fe", "gu",
             "ha", "ji", "ko", "lu", "ma", "no", "pe")


def vocabulary(rng: random.Random, n: int = 20_000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Corpus:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocab = vocabulary(rng)
        self.cum_weights = list(itertools.accumulate(1 / (r + 1)
                                                     for r in range(len(self.vocab))))  # Zipf
        self.people = [f"{rng.choice(self.vocab).title()} {rng.choice(self.vocab).title()}"
                       for _ in range(2000)]

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=n)


def build(engine: Engine, n: int, corpus: Corpus, batch: int = 2000) -> int:
    rng = corpus.rng
    with transaction(engine) as conn:
        user = accounts.create_user(conn, "bench", None)
        conn.execute(sa.insert(sources), [
            {"url": f"https://example.org/{i}", "kind": "page", "title": f"Outlet {i}",
             "created_at": NOW} for i in range(50)])
        src_ids = list(conn.execute(sa.select(sources.c.id)).scalars())
        conn.execute(sa.insert(subscriptions), [
            {"user_id": user.id, "source_id": s, "created_at": NOW} for s in src_ids])
        conn.execute(sa.insert(entities), [
            {"key": p, "kind": "person", "name": p, "aliases": []} for p in corpus.people])
        ent_ids = list(conn.execute(sa.select(entities.c.id).order_by(entities.c.id)).scalars())
    for start in range(0, n, batch):
        rows = [_article(corpus, rng.choice(src_ids), start + i) for i in range(min(batch,
                                                                                    n - start))]
        with transaction(engine) as conn:
            ids = list(conn.execute(sa.insert(articles).returning(articles.c.id), rows).scalars())
            _annotate(conn, corpus, ids, ent_ids)
    return user.id or 0


def _article(corpus: Corpus, source_id: int, i: int) -> dict[str, object]:
    when = NOW - timedelta(minutes=i * 3)
    return {"source_id": source_id, "entry_key": f"k{i}", "url": f"https://example.org/a/{i}",
            "title": " ".join(corpus.words(8)), "byline": corpus.rng.choice(corpus.people),
            "published_at": when, "fetched_at": when, "language": "en", "topics": [],
            "key_points": [], "text": " ".join(corpus.words(corpus.rng.randint(60, 160))),
            "captions": [], "related": []}


def _annotate(conn: Connection, corpus: Corpus, ids: list[int], ent_ids: list[int]) -> None:
    rng = corpus.rng
    mentions, said = [], []
    for aid in ids:
        for e in rng.sample(ent_ids, 3):
            mentions.append({"article_id": aid, "entity_id": e, "count": 1, "salience": 0.5})
        said.append({"article_id": aid, "speaker": corpus.people[rng.randrange(2000)],
                     "text": " ".join(corpus.words(12)), "direct": True})
    conn.execute(sa.insert(article_entities), mentions)
    conn.execute(sa.insert(quotes), said)


def queries(corpus: Corpus, n: int) -> dict[str, list[str]]:
    rng = corpus.rng

    def word() -> str:  # log-uniform over frequency ranks 20..20,000
        return corpus.vocab[int(10 ** rng.uniform(1.3, 4.3)) - 1]

    def phrase() -> str:
        w = corpus.words(2)
        return f'"{w[0]} {w[1]}"'

    fields = [lambda: f"title:{word()}", lambda: f'author:"{rng.choice(corpus.people)}"',
              lambda: f"{word()} is:unread after:30d", lambda: f'said:{word()} -{word()}']
    return {
        "word": [word() for _ in range(n)],
        "phrase": [phrase() for _ in range(n)],
        "field": [rng.choice(fields)() for _ in range(n)],
        "entity": [f'entity:"{rng.choice(corpus.people)}"' for _ in range(n)],
        "entity+word": [f"entity:{rng.choice(corpus.people).split()[1]} {word()}"
                        for _ in range(n)],
    }


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def measure(engine: Engine, user_id: int, qs: dict[str, list[str]], n_ids: int
            ) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    with engine.connect() as conn:
        latest = reading.ListQuery(unread_only=False, limit=20)
        out["baseline: Latest page"] = _timed(lambda: reading.list_articles(conn, user_id,
                                                                            latest), 40)
        rng = random.Random(5)
        out["baseline: article by id"] = _timed(lambda: get_article(conn, rng.randint(1, n_ids)),
                                                40)
        for kind, texts in qs.items():
            out[kind] = []
            for text in texts:
                tree = parse(text, now=utcnow())
                out[kind] += _timed(lambda t=tree: search_store.search(conn, user_id, t), 1)
    return out


def report(name: str, n: int, build_s: float, index_s: float, times: dict[str, list[float]]
           ) -> None:
    base = _p(times["baseline: Latest page"], 95)
    print(f"\n{name}: {n:,} articles (bulk insert {build_s:.0f} s, index {index_s:.0f} s)")
    print(f"  {'query':26} {'p50 ms':>8} {'p95 ms':>8} {'p95 / Latest p95':>17}")
    for kind, values in times.items():
        print(f"  {kind:26} {_p(values, 50):8.1f} {_p(values, 95):8.1f} "
              f"{_p(values, 95) / base:17.1f}")


def run(name: str, url: str, n: int, n_queries: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    corpus = Corpus(random.Random(11))
    t = time.perf_counter()
    user_id = build(engine, n, corpus)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    with transaction(engine) as conn:
        search_index.index_everything(conn, batch=2000)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # as autovacuum would soon: statistics, and GIN's pending list merged into the index
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                             else "ANALYZE")
    index_s = time.perf_counter() - t
    report(name, n, build_s, index_s, measure(engine, user_id, queries(corpus, n_queries), n))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=40, help="per kind of query")
    args = ap.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite (FTS5)", f"sqlite:///{Path(tmp) / 'bench.db'}", args.articles, args.queries)
    base = os.environ.get("TIDINGS_TEST_DATABASE_URL")
    if not base:
        print("\nPostgreSQL skipped: set TIDINGS_TEST_DATABASE_URL")
        return 0
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in base else "?"
        run("PostgreSQL (tsvector + GIN)", f"{base}{sep}options=-csearch_path%3D{schema}",
            args.articles, args.queries)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
