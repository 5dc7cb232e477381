"""What one reader reads: article lists (Latest, Starred, a source, a folder), stories as
that reader sees them (only articles of their subscriptions), and story read state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Article, ReadState
from tidings.store import NotFound
from tidings.store.articles import to_article
from tidings.store.db import in_ids
from tidings.store.library import IS_HIDDEN, IS_READ, IS_STARRED, visible
from tidings.store.prepared import Prepared
from tidings.store.schema import article_entities, articles, read_state, stories, subscriptions

WHEN = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)


class NotYours(NotFound):
    """An id that exists, but not in this reader's library: answered exactly like unknown."""


@dataclass
class Listed:
    article: Article
    state: ReadState


@dataclass(frozen=True)
class ListQuery:
    view: str = "latest"  # latest | starred
    source_id: int | None = None
    folder: str | None = None
    unread_only: bool = True
    before: tuple[datetime, int] | None = None  # cursor: (fetched_at, id) of the last shown
    limit: int = 50


def list_articles(conn: Connection, user_id: int, q: ListQuery) -> list[Listed]:
    """Newest arrivals first; hidden ones never, read ones unless asked for."""
    stmt = (sa.select(articles, IS_READ.label("is_read"), IS_STARRED.label("is_starred"))
            .select_from(visible(user_id)).where(sa.not_(IS_HIDDEN)))
    if q.view == "starred":
        stmt = stmt.where(IS_STARRED)
    elif q.unread_only:
        stmt = stmt.where(sa.not_(IS_READ))
    if q.source_id is not None:
        stmt = stmt.where(articles.c.source_id == q.source_id)
    if q.folder is not None:
        stmt = stmt.where(subscriptions.c.folder == q.folder)
    if q.before is not None:
        at, last_id = q.before
        stmt = stmt.where(sa.or_(articles.c.fetched_at < at,
                                 sa.and_(articles.c.fetched_at == at, articles.c.id < last_id)))
    stmt = stmt.order_by(articles.c.fetched_at.desc(), articles.c.id.desc()).limit(q.limit)
    return [Listed(to_article(r), ReadState(bool(r.is_read), bool(r.is_starred)))
            for r in conn.execute(stmt)]


def story_articles(conn: Connection, user_id: int, story_ids: Sequence[int]
                   ) -> dict[int, list[Article]]:
    """Each story's articles that the reader can see, oldest first."""
    out: dict[int, list[Article]] = {sid: [] for sid in story_ids}
    if not story_ids:
        return out
    stmt = (sa.select(articles).select_from(visible(user_id))
            .where(articles.c.story_id.in_(list(story_ids)), sa.not_(IS_HIDDEN))
            .order_by(WHEN, articles.c.id))
    for row in conn.execute(stmt):
        out[row.story_id].append(to_article(row))
    return out


def visible_story_articles(conn: Connection, user_id: int, story_id: int) -> list[Article]:
    """The story as this reader sees it; NotYours when none of it is in their library."""
    arts = story_articles(conn, user_id, [story_id])[story_id]
    if not arts:
        raise NotYours(f"no story with id {story_id}")
    return arts


def visible_article(conn: Connection, user_id: int, article_id: int) -> Article:
    row = conn.execute(sa.select(articles).select_from(visible(user_id))
                       .where(articles.c.id == article_id)).first()
    if row is None:
        raise NotYours(f"no article with id {article_id}")
    return to_article(row)


@dataclass(frozen=True)
class StoryState:
    total: int
    unread: int

    @property
    def read(self) -> bool:
        return self.unread == 0

    @property
    def updated(self) -> bool:
        """Read before, and new articles have joined since."""
        return 0 < self.unread < self.total


def story_states(conn: Connection, user_id: int, story_ids: Sequence[int]
                 ) -> dict[int, StoryState]:
    if not story_ids:
        return {}
    rows = _STATES.rows(conn, {"user_id": user_id, "story_ids": list(story_ids)})
    return {r[0]: StoryState(int(r[1]), int(r[2] or 0)) for r in rows}


_STATES = Prepared(sa.select(articles.c.story_id, sa.func.count(),
                             sa.func.sum(sa.case((IS_READ, 0), else_=1)))
                   .select_from(visible(sa.bindparam("user_id", type_=sa.Integer)))
                   .where(in_ids(articles.c.story_id, "story_ids"), sa.not_(IS_HIDDEN))
                   .group_by(articles.c.story_id))  # built once: every feed page reads it


def new_since_read(conn: Connection, user_id: int, story_id: int) -> set[int]:
    """Articles of a story the reader has partly read that they have not read yet."""
    stmt = (sa.select(articles.c.id, IS_READ.label("is_read")).select_from(visible(user_id))
            .where(articles.c.story_id == story_id, sa.not_(IS_HIDDEN)))
    rows = conn.execute(stmt).all()
    if all(not r.is_read for r in rows):
        return set()  # never read: everything is new, nothing is "updated"
    return {r.id for r in rows if not r.is_read}


def stories_visible_with(conn: Connection, user_id: int, entity_id: int,
                         limit: int = 100) -> list[int]:
    """Stories that mention an entity in an article of the reader's library."""
    stmt = (sa.select(stories.c.id)
            .select_from(visible(user_id)
                         .join(stories, stories.c.id == articles.c.story_id)
                         .join(article_entities, article_entities.c.article_id == articles.c.id))
            .where(article_entities.c.entity_id == entity_id)
            .group_by(stories.c.id, stories.c.last_seen)
            .order_by(stories.c.last_seen.desc()).limit(limit))
    return [r[0] for r in conn.execute(stmt)]


def recent_story_ids(conn: Connection, user_id: int, since: datetime, limit: int) -> list[int]:
    """The reader's most recently active stories (by their own articles' arrival)."""
    newest = sa.func.max(WHEN)
    stmt = (sa.select(articles.c.story_id).select_from(visible(user_id))
            .where(articles.c.story_id.is_not(None), since <= WHEN)
            .group_by(articles.c.story_id).order_by(newest.desc(), articles.c.story_id.desc())
            .limit(limit))
    return [r[0] for r in conn.execute(stmt)]


def prune_read_articles(conn: Connection, before: datetime) -> int:
    """Delete articles that arrived before `before`, that nobody starred and that no
    subscriber still has unread. Starred articles are never pruned."""
    starred = sa.exists().where(read_state.c.article_id == articles.c.id,
                                read_state.c.starred.is_(True))
    rs = read_state.alias("rs")
    unread_for_someone = (
        sa.select(subscriptions.c.id)
        .select_from(subscriptions.outerjoin(rs, sa.and_(rs.c.user_id == subscriptions.c.user_id,
                                                         rs.c.article_id == articles.c.id)))
        .where(subscriptions.c.source_id == articles.c.source_id,
               sa.not_(sa.func.coalesce(rs.c.read,
                                        articles.c.fetched_at <= subscriptions.c.read_until,
                                        sa.false())))
        .exists())
    stmt = sa.delete(articles).where(articles.c.fetched_at < before, sa.not_(starred),
                                     sa.not_(unread_for_someone))
    return int(conn.execute(stmt).rowcount or 0)
