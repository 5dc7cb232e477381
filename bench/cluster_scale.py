"""Story assignment through the store at scale, and with concurrent workers.

Scale: a SQLite database is filled with N stories of one article each (fingerprints and
index keys written the way the pipeline writes them; words drawn from a Zipf-distributed
vocabulary of invented words, so common words are common and rare ones rare), then new
articles are placed through `pipeline.store_article` (no enrichment: only assignment and
storage are timed; story assignment alone, the assigner's part of it, is timed too), in a
process whose heap is settled as a worker's is once started (`as_worker`).
Baseline in the same run: the previous way, every recent fingerprint loaded, parsed and
scanned for each refresh and article (`assign_story` over all of them), timed on fewer
articles because it is slow.

Rates are given by the clock and per CPU-second of this process (the machine is shared).

Workers: the same ECB+ documents stored by one worker, then by two threads sharing one
database (each its own connections; articles interleaved), then by one worker in the order
the two committed them: stories formed and BCubed F1 against the gold events, and the
agreement of the runs (SQLite; PostgreSQL too with TIDINGS_BENCH_PG). `python -m
bench.cluster_scale` prints all of it and the cost of the lead embedding that the pipeline
computes before storing; `python -m bench.clustering --scale --workers` prints the first two.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import sqlalchemy as sa

from bench import pg_schema
from tidings import cluster, worker
from tidings.models import Article, Source, utcnow
from tidings.pipeline import queue_placements, store_article, store_queued
from tidings.placement import CANDIDATE_WINDOW, Placement, StoryAssigner
from tidings.store import articles as article_store
from tidings.store import sources as source_store
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import articles, stories, story_keys

VOCAB = 40_000
WORDS_PER_DOC = 120
SEED = 7


def _vocabulary() -> list[str]:
    rng = random.Random(SEED)
    letters = "bcdfghjklmnprstvz"
    vowels = "aeiou"
    return ["".join(rng.choice(letters) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
            for _ in range(VOCAB)]


class Corpus:
    """Invented articles: each story has its own few topic words over Zipfian filler."""

    def __init__(self) -> None:
        self.words = _vocabulary()
        ranks = np.arange(1, VOCAB + 1, dtype=np.float64)
        self.p = (1 / ranks) / (1 / ranks).sum()
        self.rng = np.random.default_rng(SEED)

    def story_words(self) -> list[str]:
        return [self.words[i] for i in self.rng.integers(2000, VOCAB, size=8)]

    def article(self, topic: Sequence[str]) -> tuple[str, str]:
        filler = [self.words[i] for i in self.rng.choice(VOCAB, size=WORDS_PER_DOC, p=self.p)]
        picks = list(self.rng.choice(list(topic), size=30))
        body = filler + picks + [w.capitalize() for w in topic[:3]]
        self.rng.shuffle(body)
        title = " ".join(w.capitalize() for w in topic[:5])
        return title, ". ".join(" ".join(body[i:i + 15]) for i in range(0, len(body), 15))


def fill(engine: sa.Engine, corpus: Corpus, n_stories: int) -> list[list[str]]:
    """N stories of one article each, written in bulk as the pipeline would write them."""
    now = utcnow()
    topics = [corpus.story_words() for _ in range(n_stories)]
    with transaction(engine) as conn:
        conn.execute(sa.insert(stories), [
            {"id": i + 1, "title": f"story {i}", "first_seen": now, "last_seen": now,
             "article_count": 1, "source_count": 1} for i in range(n_stories)])
        rows, keys = [], []
        for i, topic in enumerate(topics):
            aid = i + 1
            title, text = corpus.article(topic)
            fp = cluster.fingerprint(title, text)
            at = now - timedelta(minutes=(n_stories - i) % 5000)  # all within the window
            rows.append({"id": aid, "source_id": 1, "entry_key": f"k{aid}", "title": title,
                         "text": text, "fetched_at": at, "published_at": at,
                         "topics": [], "key_points": [], "captions": [], "related": [],
                         "fingerprint": fp.to_json(), "story_id": aid})
            keys += [{"key": k, "article_id": aid, "story_id": aid, "at": at}
                     for k in cluster.index_keys(fp)]
        for start in range(0, len(rows), 2000):
            conn.execute(sa.insert(articles), rows[start:start + 2000])
        for start in range(0, len(keys), 20000):
            conn.execute(sa.insert(story_keys), keys[start:start + 20000])
    return topics


def _new_articles(corpus: Corpus, topics: Sequence[list[str]], count: int) -> list[Article]:
    rng = random.Random(SEED + count)
    out = []
    for i in range(count):
        # Half follow up a stored story, half are new events.
        topic = rng.choice(topics) if i % 2 == 0 else corpus.story_words()
        title, text = corpus.article(topic)
        out.append(Article(title=title, text=text, source_id=1, published_at=utcnow(),
                           fetched_at=utcnow(), url=f"https://example.test/{count}/{i}"))
    return out


class TimedAssigner(StoryAssigner):
    """The pipeline's assigner, timing its own part of `store_article` (its fingerprint,
    placing, filing, merging and splitting), apart from writing the article, its search
    index and story: wall time and this process's CPU time (the machine is shared)."""

    spent: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def _timed(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.spent += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu

    def fingerprint(self, article: Article,
                    embedding: Sequence[float] = ()) -> cluster.Fingerprint:
        with self._timed():
            return super().fingerprint(article, embedding)

    def place(self, conn: sa.Connection, article: Article, embedding: Sequence[float] = (), *,
              fingerprint: cluster.Fingerprint | None = None) -> Placement:
        with self._timed():
            return super().place(conn, article, embedding, fingerprint=fingerprint)

    def added(self, conn: sa.Connection, article_id: int, placement: Placement,
              when: datetime) -> list[int]:
        with self._timed():
            return super().added(conn, article_id, placement, when)


def as_worker() -> None:
    """The process's heap as a worker's once it starts taking jobs (`worker.freeze_heap`):
    what is loaded by then is out of the collector's sight."""
    worker.freeze_heap()


def ours_rates(engine: sa.Engine, docs: Sequence[Article]) -> dict[str, float]:
    """Documents per second through `store_article` and through its story assignment, by
    the clock and per CPU-second of this process."""
    assigner = TimedAssigner()  # no encoder: full texts are not embedded-compared
    wall, cpu = time.perf_counter(), time.process_time()
    for i, article in enumerate(docs):
        with transaction(engine) as conn:
            store_article(conn, article, f"new-{time.monotonic_ns()}-{i}", assigner)
    return {"ours": len(docs) / (time.perf_counter() - wall),
            "assignment": len(docs) / assigner.spent,
            "ours cpu": len(docs) / (time.process_time() - cpu),
            "assignment cpu": len(docs) / assigner.cpu}


def scan_all_rate(engine: sa.Engine, docs: Sequence[Article]) -> float:
    """The previous assigner: load and parse every recent fingerprint, scan them all."""
    start = time.perf_counter()
    with transaction(engine) as conn:
        rows = article_store.recent_fingerprints(conn, utcnow() - CANDIDATE_WINDOW)
    candidates = [cluster.Candidate(r.story_id, cluster.Fingerprint.from_json(r.fingerprint),
                                    r.published_at) for r in rows]
    for article in docs:
        fp = cluster.fingerprint(article.title, article.text)
        cluster.assign_story(fp, candidates, published_at=article.published_at,
                             threshold=cluster.REPAIR_JOIN_THRESHOLD)
    return len(docs) / (time.perf_counter() - start)


def _engine(url: str) -> sa.Engine:
    engine = make_engine(url)
    migrate(engine)
    with transaction(engine) as conn:
        source_store.add_source(conn, Source(url="https://example.test/feed", title="bench"))
    return engine


def scale_rows(sizes: Sequence[int], new_docs: int, baseline_docs: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        with sqlite_database("scale") as url:
            engine = _engine(url)
            corpus = Corpus()
            topics = fill(engine, corpus, size)
            new = _new_articles(corpus, topics, new_docs)
            as_worker()
            ours = ours_rates(engine, new)
            base = scan_all_rate(engine, _new_articles(corpus, topics, baseline_docs))
            engine.dispose()
        rows.append({"stories": size, **ours, "scan all": base,
                     "load": os.getloadavg()[0]})
    return rows


@contextmanager
def sqlite_database(name: str) -> Iterator[str]:
    """A fresh SQLite database (a temporary file)."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / name}.db"


def postgresql_databases(base_url: str) -> Callable[[str], AbstractContextManager[str]]:
    """Fresh PostgreSQL databases: a schema of their own in `base_url`'s database."""
    def database(name: str) -> AbstractContextManager[str]:
        return pg_schema(base_url, f"bench_{name}")
    return database


def worker_rows(scorer: ModuleType, docs: Sequence[dict[str, Any]],
                database: Callable[[str], AbstractContextManager[str]] = sqlite_database
                ) -> dict[str, Any]:
    """The same documents stored by 1 worker (file order), by 2 concurrent workers placing
    them in queue order (`pipeline.queue_placements`, `pipeline.store_queued`: the file is
    the queue), by 2 workers each placing as soon as it can (the way before the queue), and
    by 1 worker in the order those 2 committed them: when the last agrees with them exactly,
    the workers saw each other's work, and their difference from file order is the
    clusterer's dependence on arrival order."""
    now = utcnow()
    items = [Article(title="", text=d["text"], source_id=1, published_at=now, fetched_at=now,
                     url=f"https://example.test/{d['doc_id']}") for d in docs]
    doc_of = {a.url: d["doc_id"] for d, a in zip(docs, items, strict=True)}
    gold = {d["doc_id"]: d["gold_cluster"] for d in docs}
    out: dict[str, Any] = {}
    order: list[str] = []
    runs = (("1 worker", 1, True), ("2 worker", 2, True), ("2 unordered", 2, False),
            ("replayed", 1, True))
    for run, workers, ordered in runs:
        with database(run.replace(" ", "")) as url:
            engine = _engine(url)
            by_url = {a.url: a for a in items}
            todo = [by_url[u] for u in order] if run == "replayed" else items
            wall, cpu = time.perf_counter(), time.process_time()
            _store_concurrently(engine, todo, workers, ordered=ordered)
            spent = (time.perf_counter() - wall, time.process_time() - cpu)
            with transaction(engine) as conn:
                got = conn.execute(sa.select(articles.c.url, articles.c.story_id)
                                   .order_by(articles.c.id)).all()
            engine.dispose()
        committed = [r.url for r in got]
        if run == "2 unordered":
            order = committed
        pred = {doc_of[r.url]: r.story_id for r in got}
        out[run] = {"stories": len(set(pred.values())), "b_f1": scorer.bcubed(gold, pred)[2],
                    "labels": pred, "docs/s": len(items) / spent[0],
                    "docs/cpu-s": len(items) / spent[1],
                    "in file position": sum(u == a.url for u, a in zip(committed, items,
                                                                       strict=True))}
    one = out["1 worker"]["labels"]
    out["agreement b_f1"] = scorer.bcubed(one, out["2 worker"]["labels"])[2]
    out["unordered agreement b_f1"] = scorer.bcubed(one, out["2 unordered"]["labels"])[2]
    out["replay agreement b_f1"] = scorer.bcubed(out["2 unordered"]["labels"],
                                                 out["replayed"]["labels"])[2]
    return out


def _store_concurrently(engine: sa.Engine, items: Sequence[Article], workers: int, *,
                        ordered: bool = True) -> None:
    """`items` stored by `workers` threads, each its own connections, items dealt out in
    turn; `ordered`: queued first (one ticket each, in order), as `ingest_entries` does."""
    tickets: list[int | None] = [None] * len(items)
    if ordered:
        tickets = list(queue_placements(engine, len(items)))

    def work(part: Sequence[tuple[Article, int | None]]) -> None:
        assigner = StoryAssigner()
        for i, (article, ticket) in enumerate(part):
            key = f"{article.url}#{i}"
            if ticket is not None:
                store_queued(engine, replace(article), key, assigner, ticket=ticket)
            else:
                with transaction(engine) as conn:
                    store_article(conn, replace(article), key, assigner)

    queued = list(zip(items, tickets, strict=True))
    threads = [threading.Thread(target=work, args=(queued[w::workers],))
               for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def embedding_cost(docs: Sequence[dict[str, Any]]) -> dict[str, float] | None:
    """Milliseconds per article of the lead embedding the pipeline computes before storing
    (`StoryAssigner.embed`, batched per feed, outside the assignment lock); None without
    the packaged model."""
    assigner = StoryAssigner.for_run()
    if assigner.encoder is None:
        return None
    items = [Article(title="", text=d["text"]) for d in docs]
    assigner.embed(items[:8])  # warm
    out = {}
    for label, batch in (("batched", len(items)), ("one at a time", 1)):
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(items), batch):
            assigner.embed(items[start:start + batch])
        out[label] = 1000 * (time.perf_counter() - wall) / len(items)
        out[f"{label} cpu"] = 1000 * (time.process_time() - cpu) / len(items)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.cluster_scale [--sizes 1000,10000,50000] [--workers-docs 772]
    [--shared PATH]`;
    with TIDINGS_BENCH_PG (a PostgreSQL URL) the workers run there too."""
    import argparse  # noqa: PLC0415

    from bench import clustering  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--new-docs", type=int, default=300)
    parser.add_argument("--workers-docs", type=int, default=772)
    parser.add_argument("--shared", type=Path, default=clustering.SHARED, help="../shared")
    args = parser.parse_args(list(argv) if argv is not None else [])
    sizes = [int(n) for n in args.sizes.split(",") if n]
    if sizes:
        print("story assignment through the store (SQLite), new articles placed per second "
              "(by the clock / per CPU-second of this process):", flush=True)
    for row in scale_rows(sizes, new_docs=args.new_docs, baseline_docs=10):
        print(f"  {row['stories']:>6} stored stories: store_article {row['ours']:6.1f} / "
              f"{row['ours cpu']:6.1f}, its story assignment alone {row['assignment']:6.1f} / "
              f"{row['assignment cpu']:6.1f}; scan-all {row['scan all']:6.1f} (load "
              f"{row['load']:.1f})", flush=True)
    shared = args.shared
    if not (shared / clustering.ECB).is_file():
        print(f"workers skipped: {shared / clustering.ECB} not found")
        return 0
    scorer, docs = clustering.load_scorer(shared), clustering.load_docs(shared)
    databases = [("SQLite", sqlite_database)]
    if os.environ.get("TIDINGS_BENCH_PG"):
        databases.append(("PostgreSQL", postgresql_databases(os.environ["TIDINGS_BENCH_PG"])))
    for name, database in databases:
        out = worker_rows(scorer, docs[:args.workers_docs], database)
        print(f"workers, {name}, first {args.workers_docs} ECB+ documents:", flush=True)
        for run in ("1 worker", "2 worker", "2 unordered", "replayed"):
            row = out[run]
            print(f"  {run:12s} {row['stories']:4d} stories, B³ F1 {row['b_f1']:.4f}, "
                  f"{row['in file position']} committed at their file position, "
                  f"{row['docs/s']:.1f} docs/s ({row['docs/cpu-s']:.1f} per CPU-second)")
        print(f"  agreement with 1 worker (B³ F1): 2 workers in queue order "
              f"{out['agreement b_f1']:.4f}, 2 unordered {out['unordered agreement b_f1']:.4f}"
              f"; 2 unordered vs their order replayed by 1: {out['replay agreement b_f1']:.4f}"
              f" (load {os.getloadavg()[0]:.1f})", flush=True)
    cost = embedding_cost(docs[:128])
    if cost:
        print(f"lead embedding (MiniLM, before the store): {cost['batched']:.1f} ms an article "
              f"batched ({cost['batched cpu']:.1f} CPU), {cost['one at a time']:.1f} ms one "
              f"at a time ({cost['one at a time cpu']:.1f} CPU)", flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
