"""The story index: which recent articles a new article should be compared with.

Articles are filed under their index keys (`tidings.cluster.index`). A look-up returns the
recent articles sharing the most keys with the new one, and the recent articles of their
stories (a story is judged by its centroid, so it is compared whole, up to `per_story`
articles). Every look-up reads committed rows, so concurrent workers see each other's
articles as soon as they are stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.store.articles import StoredFingerprint
from tidings.store.schema import articles, story_keys

_WHEN = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)
_ASSIGNMENT_LOCK = 0x7469646E  # any constant: the key of PostgreSQL's advisory lock


def lock_assignment(conn: Connection) -> None:
    """Take the story-assignment lock until the transaction ends.

    Two workers placing articles of one new event at the same moment would otherwise each
    miss the other's uncommitted article and start two stories. With the lock, the second
    waits and then reads the first's article. Only assignment and storage are serialised
    (milliseconds); fetching and enrichment stay parallel. PostgreSQL: a transaction-level
    advisory lock. SQLite needs nothing more: every transaction begins IMMEDIATE there
    (`store.db.make_engine`), which is its one write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ASSIGNMENT_LOCK)))


def file_article(conn: Connection, article_id: int, keys: Sequence[int], at: datetime) -> None:
    """File a stored article under its keys."""
    if keys:
        conn.execute(sa.insert(story_keys),
                     [{"key": k, "article_id": article_id, "at": at} for k in set(keys)])


def candidate_stories(conn: Connection, keys: Sequence[int], since: datetime, until: datetime,
                      *, limit: int = 30, per_key: int = 200) -> list[int]:
    """Stories of the articles filed in [since, until] that share the most keys.

    Each key contributes at most its `per_key` most recent postings: a word every story
    uses would otherwise make the look-up read the whole window, while the rarer keys of
    the same article find its story anyway. So the cost is bounded by keys × `per_key`.
    """
    if not keys:
        return []
    postings = [sa.select(story_keys.c.article_id)
                .where(story_keys.c.key == key, story_keys.c.at.between(since, until))
                .order_by(story_keys.c.at.desc()).limit(per_key).subquery()
                for key in sorted(set(keys))]
    hits = sa.union_all(*[sa.select(p.c.article_id) for p in postings]).subquery()
    shared = (sa.select(hits.c.article_id, sa.func.count().label("shared"))
              .group_by(hits.c.article_id).subquery())
    stmt = (sa.select(articles.c.story_id, sa.func.max(shared.c.shared).label("best"))
            .join(shared, shared.c.article_id == articles.c.id)
            .where(articles.c.story_id.is_not(None))
            .group_by(articles.c.story_id)
            .order_by(sa.desc("best"), articles.c.story_id.desc())
            .limit(limit))
    return [int(r.story_id) for r in conn.execute(stmt)]


def story_members(conn: Connection, story_ids: Sequence[int], since: datetime, *,
                  per_story: int = 60) -> list[StoredFingerprint]:
    """The most recent articles (since `since`, at most `per_story` each) of these stories,
    oldest first."""
    if not story_ids:
        return []
    rank = sa.func.row_number().over(partition_by=articles.c.story_id,
                                     order_by=articles.c.id.desc()).label("rank")
    recent = (sa.select(articles.c.id, articles.c.story_id, articles.c.fingerprint,
                        articles.c.published_at, rank)
              .where(articles.c.story_id.in_(sorted(set(story_ids))), since <= _WHEN,
                     articles.c.fingerprint.is_not(None))
              .subquery())
    stmt = sa.select(recent).where(recent.c.rank <= per_story).order_by(recent.c.id)
    return [StoredFingerprint(r.id, r.story_id, r.fingerprint, r.published_at)
            for r in conn.execute(stmt)]


def move_story(conn: Connection, from_story: int, to_story: int, since: datetime) -> None:
    """Merge: the recent articles of `from_story` join `to_story` (older ones stay)."""
    conn.execute(sa.update(articles)
                 .where(articles.c.story_id == from_story, since <= _WHEN)
                 .values(story_id=to_story))
