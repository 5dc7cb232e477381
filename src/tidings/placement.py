"""Placing stored articles in stories: the story index read in one statement, the closest
story joined (or a new one started), and merges and splits repaired as articles arrive.
`pipeline.store_article` calls it in the article's transaction."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from tidings import cluster
from tidings.cluster.repair import REPAIR_SPAN
from tidings.enrich import embeddings
from tidings.enrich.embeddings import Encoder
from tidings.models import Article, utcnow
from tidings.store import articles as article_store
from tidings.store import stories as story_store
from tidings.store import story_index

log = logging.getLogger(__name__)

CANDIDATE_WINDOW = cluster.STORY_WINDOW * 2  # an article may be dated a window back


def article_time(article: Article) -> datetime:
    """When an article happened, for placing it: its date, else when it was first seen."""
    return article.published_at or article.fetched_at or utcnow()


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


@dataclass(frozen=True)
class Member:
    """A stored recent article of a story, its fingerprint read."""

    article_id: int
    fingerprint: cluster.Fingerprint
    published_at: datetime | None


@functools.lru_cache(maxsize=4096)
def _read_fingerprint(text: str) -> cluster.Fingerprint | None:
    """A stored fingerprint, read once per process while it stays recent (keyed by its text:
    a recomputed fingerprint is read again)."""
    try:
        return cluster.Fingerprint.from_json(text)
    except cluster.FingerprintError as exc:  # e.g. written by an older version
        log.info("stored fingerprint skipped (%s)", exc)
        return None


@dataclass
class StoryAssigner:
    """Places articles in stories through the story index kept in the store.

    An article's candidates are the recent articles of the stories filed under its index
    keys (names, strong words, embedding bands), read in one statement for every article so
    that concurrent workers see each other's articles; a stored fingerprint is parsed once
    per process (`_read_fingerprint`). The article joins the closest story (or starts one);
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
        for row in story_index.candidates(conn, keys,
                                          when - CANDIDATE_WINDOW, when + CANDIDATE_WINDOW,
                                          per_story=REPAIR_SPAN):
            read = _read_fingerprint(row.fingerprint)
            if read is not None:
                by_story.setdefault(row.story_id, []).append(
                    Member(row.article_id, read, row.published_at))
        near = [cluster.Candidate(story, m.fingerprint, m.published_at)
                for story, members in by_story.items() for m in members]
        close = cluster.close_stories(fp, near, published_at=article.published_at,
                                      threshold=cluster.REPAIR_JOIN_THRESHOLD)
        if close:
            # Only a strong second link may merge two stories (cluster.MERGE_THRESHOLD).
            also = tuple(s for s, score in close[1:] if score >= cluster.MERGE_THRESHOLD)
            return Placement(close[0][0], fp, also, members=tuple(by_story[close[0][0]]),
                             published_at=article.published_at, keys=keys)
        story_id = story_store.create_story(conn, article.title or "(untitled)", when)
        return Placement(story_id, fp, is_new=True, keys=keys)

    def _members(self, conn: Connection, story_id: int, since: datetime) -> list[Member]:
        rows = story_index.story_members(conn, [story_id], since, per_story=REPAIR_SPAN)
        return [Member(r.article_id, fp, r.published_at) for r in rows
                if (fp := _read_fingerprint(r.fingerprint)) is not None]

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
