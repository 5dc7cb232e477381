"""Story assignment through the store at scale, and with concurrent workers.

Scale: a SQLite database is filled with N stories of one article each (fingerprints and
index keys written the way the pipeline writes them; words drawn from a Zipf-distributed
vocabulary of invented words, so common words are common and rare ones rare), then new
articles are placed through `pipeline.store_article` (no enrichment: only assignment and
storage are timed; story assignment alone, the assigner's part of it, is timed too).
Baseline in the same run: the previous way, every recent fingerprint loaded, parsed and
scanned for each refresh and article (`assign_story` over all of them), timed on fewer
articles because it is slow.

Workers: the same ECB+ documents stored by one worker, then by two threads sharing one
database (each its own connections; articles interleaved): stories formed and BCubed F1
against the gold events, and the agreement of the two runs.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import sqlalchemy as sa

from tidings import cluster
from tidings.models import Article, Source, utcnow
from tidings.pipeline import store_article
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
            keys += [{"key": k, "article_id": aid, "at": at} for k in cluster.index_keys(fp)]
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
    """The pipeline's assigner, timing its own part of `store_article` (placing, filing,
    merging and splitting), apart from writing the article, its search index and story."""

    spent: float = 0.0

    def place(self, conn: sa.Connection, article: Article,
              embedding: Sequence[float] = ()) -> Placement:
        start = time.perf_counter()
        try:
            return super().place(conn, article, embedding)
        finally:
            self.spent += time.perf_counter() - start

    def added(self, conn: sa.Connection, article_id: int, placement: Placement,
              when: datetime) -> list[int]:
        start = time.perf_counter()
        try:
            return super().added(conn, article_id, placement, when)
        finally:
            self.spent += time.perf_counter() - start


def ours_rates(engine: sa.Engine, docs: Sequence[Article]) -> tuple[float, float]:
    """Documents per second through `store_article`, and through its story assignment."""
    assigner = TimedAssigner()  # no encoder: full texts are not embedded-compared
    start = time.perf_counter()
    for i, article in enumerate(docs):
        with transaction(engine) as conn:
            store_article(conn, article, f"new-{time.monotonic_ns()}-{i}", assigner)
    return len(docs) / (time.perf_counter() - start), len(docs) / assigner.spent


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


def _engine(directory: str, name: str) -> sa.Engine:
    engine = make_engine(f"sqlite:///{Path(directory) / name}")
    migrate(engine)
    with transaction(engine) as conn:
        source_store.add_source(conn, Source(url="https://example.test/feed", title="bench"))
    return engine


def scale_rows(sizes: Sequence[int], new_docs: int, baseline_docs: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            engine = _engine(tmp, "scale.db")
            corpus = Corpus()
            topics = fill(engine, corpus, size)
            ours, assignment = ours_rates(engine, _new_articles(corpus, topics, new_docs))
            base = scan_all_rate(engine, _new_articles(corpus, topics, baseline_docs))
            engine.dispose()
        rows.append({"stories": size, "ours": ours, "assignment": assignment,
                     "scan all": base})
    return rows


def worker_rows(scorer: ModuleType, docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The same documents stored by 1 worker and by 2 concurrent workers."""
    now = utcnow()
    items = [Article(title="", text=d["text"], source_id=1, published_at=now, fetched_at=now,
                     url=f"https://example.test/{d['doc_id']}") for d in docs]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            engine = _engine(tmp, f"workers{workers}.db")
            _store_concurrently(engine, items, workers)
            with transaction(engine) as conn:
                got = dict(conn.execute(sa.select(articles.c.url, articles.c.story_id)).all())
            engine.dispose()
            pred = {d["doc_id"]: got[a.url] for d, a in zip(docs, items, strict=True)}
            gold = {d["doc_id"]: d["gold_cluster"] for d in docs}
            out[f"{workers} worker"] = {"stories": len(set(pred.values())),
                                        "b_f1": scorer.bcubed(gold, pred)[2], "labels": pred}
    one, two = out["1 worker"]["labels"], out["2 worker"]["labels"]
    out["agreement b_f1"] = scorer.bcubed(one, two)[2]
    return out


def _store_concurrently(engine: sa.Engine, items: Sequence[Article], workers: int) -> None:
    def work(part: Sequence[Article]) -> None:
        assigner = StoryAssigner()
        for i, article in enumerate(part):
            with transaction(engine) as conn:
                store_article(conn, replace(article), f"{article.url}#{i}", assigner)

    threads = [threading.Thread(target=work, args=(items[w::workers],)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
