"""Placing stored articles in stories: the story index read in one statement, the closest
story joined (or a new one started), and merges and splits repaired as articles arrive.
`pipeline.store_article` calls it in the article's transaction.

Which story an article joins depends on the articles placed before it, so articles are
placed in the order they were queued (`store.placement_queue`): a worker waits its turn
(`wait_turn`) before its transaction, whichever process or machine holds the earlier ones.
Measured on the 772 ECB+ dev documents (bench.cluster_scale): 1 worker and 2 concurrent
ones make the same 75 stories on both databases (agreement 1.0000); placing as soon as the
write lock allowed, 2 workers made 71-74 on SQLite (agreement 0.950-0.973).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from tidings import cluster
from tidings.cluster.centroids import Centroids
from tidings.cluster.repair import REPAIR_SPAN
from tidings.enrich import embeddings
from tidings.enrich.embeddings import Encoder
from tidings.models import Article, utcnow
from tidings.store import articles as article_store
from tidings.store import placement_queue, story_index
from tidings.store import stories as story_store
from tidings.store.db import read_engine, transaction

log = logging.getLogger(__name__)

CANDIDATE_WINDOW = cluster.STORY_WINDOW * 2  # an article may be dated a window back
STALL_S = 5.0  # articles queued earlier that make no progress this long are not waited for
PAUSE_S = (0.0005, 0.005)  # between looks at the queue: the first, and the longest


def article_time(article: Article) -> datetime:
    """When an article happened, for placing it: its date, else when it was first seen."""
    return article.published_at or article.fetched_at or utcnow()


def wait_turn(engine: Engine, ticket: int, *, stall_s: float = STALL_S) -> bool:
    """Wait until every article queued before `ticket` (`store.placement_queue`) is placed
    or given back, so that articles are placed in queue order whichever worker, process or
    machine stores them. Waits outside any transaction: the earlier articles' workers need
    the write lock. When the earlier ones make no progress for `stall_s` (their worker
    stopped, or is stuck), they are dropped from the queue and this article goes ahead:
    returns False then."""
    pending, since, pause = -1, time.monotonic(), PAUSE_S[0]
    # One connection, a short transaction per look: on SQLite a reader's (a writer's would
    # take the write lock), on PostgreSQL a plain one (READ ONLY is one more round trip).
    looks = read_engine(engine) if engine.dialect.name == "sqlite" else engine
    with looks.connect() as conn:
        while left := _ahead(conn, ticket):
            if left != pending:
                pending, since, pause = left, time.monotonic(), PAUSE_S[0]
            elif time.monotonic() - since >= stall_s:
                break
            time.sleep(pause)
            pause = min(2 * pause, PAUSE_S[1])
        else:
            return True
    with transaction(engine) as writer:
        dropped = placement_queue.abandon_before(writer, ticket)
    log.warning("%s articles queued before this one made no progress for %.0f s: placed "
                "without them", dropped, stall_s)
    return False


def _ahead(conn: Connection, ticket: int) -> int:
    try:
        return placement_queue.ahead(conn, ticket)
    finally:
        conn.rollback()  # the next look sees what was committed since


@dataclass(frozen=True)
class Placement:
    """Where `assign` put an article: its story, fingerprint, and the other stories it was
    close enough to join (candidates for a merge once it is stored). `members` are the
    recent articles of the story it joined as read for the placement (under the assignment
    lock they are still current when the article is added)."""

    story_id: int
    fingerprint: cluster.Fingerprint
    also_close: tuple[int, ...] = ()
    is_new: bool = False  # the article started this story
    members: tuple[Member, ...] = ()
    published_at: datetime | None = None  # the article's own date
    keys: tuple[int, ...] = ()  # its index keys (`cluster.index_keys`)
    stored: str = ""  # the fingerprint as stored (`PARSED.remember`)


@dataclass(frozen=True)
class Member:
    """A stored recent article of a story, its fingerprint read."""

    article_id: int
    fingerprint: cluster.Fingerprint
    published_at: datetime | None


class ParsedFingerprints:
    """Stored fingerprints as read, keyed by their text, the `size` most recently used kept:
    a fingerprint is parsed once per process while it stays recent (a recomputed one is read
    again), and one this process stored is not parsed at all (`remember`). Shared by the
    threads of a process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._read: OrderedDict[str, cluster.Fingerprint | None] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, text: str) -> cluster.Fingerprint | None:
        return self.read_all([text])[0]

    def read_all(self, texts: Sequence[str]) -> list[cluster.Fingerprint | None]:
        """`read` of each (one look at the cache for all)."""
        out: list[cluster.Fingerprint | None] = []
        missing = []
        with self._lock:
            for i, text in enumerate(texts):
                if text in self._read:
                    self._read.move_to_end(text)
                    out.append(self._read[text])
                else:
                    out.append(None)
                    missing.append(i)
        parsed: dict[str, cluster.Fingerprint | None] = {}
        for i in missing:  # one object for one text, as when read one at a time
            if texts[i] not in parsed:
                parsed[texts[i]] = self._parse(texts[i])
            out[i] = parsed[texts[i]]
        return out

    def _parse(self, text: str) -> cluster.Fingerprint | None:
        try:
            fp: cluster.Fingerprint | None = cluster.Fingerprint.from_json(text)
        except cluster.FingerprintError as exc:  # e.g. written by an older version
            log.info("stored fingerprint skipped (%s)", exc)
            fp = None
        self._keep(text, fp)
        return fp

    def remember(self, fp: cluster.Fingerprint) -> str:
        """`fp` as stored (its JSON), kept as read. A lead embedding is stored as int8, so
        one with an embedding is kept as read back: every process compares the same."""
        text = fp.to_json()
        self._keep(text, cluster.Fingerprint.from_json(text) if fp.embedding else fp)
        return text

    def _keep(self, text: str, fp: cluster.Fingerprint | None) -> None:
        with self._lock:
            self._read[text] = fp
            self._read.move_to_end(text)
            while len(self._read) > self.size:
                self._read.popitem(last=False)


PARSED = ParsedFingerprints(4096)  # about 17 KB each as read
# Stories' summed bags, kept while their candidate articles stay the same objects of PARSED
# (a story's sums are extended when an article joins, not summed again per look-up).
CENTROIDS = Centroids()


@dataclass
class StoryAssigner:
    """Places articles in stories through the story index kept in the store.

    An article's candidates are the recent articles of the stories filed under its index
    keys (names, strong words, embedding bands), read in one statement for every article so
    that concurrent workers see each other's articles; a stored fingerprint is parsed once
    per process (`PARSED`). The article joins the closest story (or starts one);
    two stories it could both join are merged when their articles are alike on the whole
    (`cluster.linked`), and the story it joined is split when it has grown into two events
    (`cluster.split_story`).
    """

    encoder: Encoder | None = None

    @classmethod
    def for_run(cls) -> StoryAssigner:
        """An assigner with the sentence encoder when the packaged model is installed."""
        try:
            return cls(embeddings.load_encoder())
        except embeddings.EmbeddingsUnavailable as exc:
            log.info("story assignment without lead embeddings: %s", exc)
            return cls()

    def embed(self, articles: Sequence[Article]) -> list[tuple[float, ...]]:
        """Lead embeddings of these articles (empty ones without an encoder)."""
        if self.encoder is None or not articles:
            return [() for _ in articles]
        leads = [cluster.lead(a.title, a.text) for a in articles]
        return [tuple(row.tolist()) for row in self.encoder.encode(leads)]

    def fingerprint(self, article: Article,
                    embedding: Sequence[float] = ()) -> cluster.Fingerprint:
        """The article's fingerprint (no database: computed before the assignment lock)."""
        return cluster.fingerprint(article.title, article.text,
                                   entities=[e.name for e in article.entities],
                                   embedding=embedding)

    def place(self, conn: Connection, article: Article, embedding: Sequence[float] = (), *,
              fingerprint: cluster.Fingerprint | None = None) -> Placement:
        """Where the article goes; `fingerprint` is `self.fingerprint(article, embedding)`
        when the caller computed it already."""
        fp = fingerprint if fingerprint is not None else self.fingerprint(article, embedding)
        when = article_time(article)
        # Undated articles are filed at their fetch time, so the look-up spans the whole
        # candidate window; close_stories then applies the story window to dates it knows.
        keys = tuple(cluster.index_keys(fp))
        by_story: dict[int, list[Member]] = {}
        rows = story_index.candidates(conn, keys, when - CANDIDATE_WINDOW,
                                      when + CANDIDATE_WINDOW, per_story=REPAIR_SPAN)
        for row, read in zip(rows, PARSED.read_all([r.fingerprint for r in rows]),
                             strict=True):
            if read is not None:
                by_story.setdefault(row.story_id, []).append(
                    Member(row.article_id, read, row.published_at))
        near = [cluster.Candidate(story, m.fingerprint, m.published_at)
                for story, members in by_story.items() for m in members]
        close = cluster.close_stories(fp, near, published_at=article.published_at,
                                      threshold=cluster.REPAIR_JOIN_THRESHOLD,
                                      centroids=CENTROIDS)
        if close:
            # Only a strong second link may merge two stories (cluster.MERGE_THRESHOLD).
            also = tuple(s for s, score in close[1:] if score >= cluster.MERGE_THRESHOLD)
            return Placement(close[0][0], fp, also, members=tuple(by_story[close[0][0]]),
                             published_at=article.published_at, keys=keys,
                             stored=PARSED.remember(fp))
        story_id = story_store.create_story(conn, article.title or "(untitled)", when)
        return Placement(story_id, fp, is_new=True, keys=keys, stored=PARSED.remember(fp))

    def _members(self, conn: Connection, story_id: int, since: datetime) -> list[Member]:
        rows = story_index.story_members(conn, [story_id], since, per_story=REPAIR_SPAN)
        return [Member(r.article_id, fp, r.published_at) for r in rows
                if (fp := PARSED.read(r.fingerprint)) is not None]

    def added(self, conn: Connection, article_id: int, placement: Placement,
              when: datetime) -> list[int]:
        """File a stored article; merge and split its story as needed. Returns the stories
        touched."""
        story_index.file_article(conn, article_id, placement.story_id,
                                 placement.keys or cluster.index_keys(placement.fingerprint),
                                 when)
        since = when - CANDIDATE_WINDOW
        touched = [placement.story_id]
        for other in placement.also_close:
            mine = self._members(conn, placement.story_id, since)
            theirs = self._members(conn, other, since)
            if cluster.linked([m.fingerprint for m in mine], [m.fingerprint for m in theirs],
                              published=[m.published_at for m in mine + theirs]):
                story_index.move_story(conn, other, placement.story_id, since)
                touched.append(other)
        if placement.is_new:
            return touched  # one article: nothing to split
        if len(touched) > 1:
            members = self._members(conn, placement.story_id, since)
        else:  # what the placement read, and the new article
            new = Member(article_id, placement.fingerprint, placement.published_at)
            members = [*placement.members, new][-REPAIR_SPAN:]
        return touched + self._split(conn, members)

    def _split(self, conn: Connection, members: Sequence[Member]) -> list[int]:
        groups = cluster.split_story([m.fingerprint for m in members],
                                     published=[m.published_at for m in members])
        new_stories: dict[int, int] = {}
        for member, group in zip(members, groups, strict=True):
            if group:
                if group not in new_stories:
                    first = article_store.get_article(conn, member.article_id)
                    new_stories[group] = story_store.create_story(
                        conn, first.title or "(untitled)", first.published_at or utcnow())
                article_store.set_story(conn, member.article_id, new_stories[group])
        return list(new_stories.values())
