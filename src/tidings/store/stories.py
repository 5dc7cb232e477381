"""Stories aggregate: one event, many articles from many sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Story
from tidings.store import NotFound
from tidings.store.schema import articles, stories


class UnknownStory(NotFound):
    pass


def _to_story(row: Any) -> Story:
    return Story(id=row.id, title=row.title, first_seen=row.first_seen, last_seen=row.last_seen,
                 article_count=row.article_count, source_count=row.source_count)


_CREATE = sa.insert(stories).returning(stories.c.id)


def create_story(conn: Connection, title: str, at: datetime) -> int:
    return int(conn.execute(_CREATE, {"title": title, "first_seen": at, "last_seen": at,
                                      "article_count": 0, "source_count": 0}).scalar_one())


_WHEN = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)
_OF_STORY = articles.c.story_id == stories.c.id
# Built once (one refresh per stored article): the counts and time span recomputed in the
# UPDATE itself, one statement (one round trip) for a story that has articles.
_REFRESH = (
    sa.update(stories)
    .where(stories.c.id == sa.bindparam("story_id"), sa.exists().where(_OF_STORY))
    .values({
        stories.c.article_count: sa.select(sa.func.count()).where(_OF_STORY).scalar_subquery(),
        stories.c.source_count: sa.select(sa.func.count(sa.distinct(articles.c.source_id)))
        .where(_OF_STORY).scalar_subquery(),
        stories.c.first_seen: sa.select(sa.func.min(_WHEN)).where(_OF_STORY).scalar_subquery(),
        stories.c.last_seen: sa.select(sa.func.max(_WHEN)).where(_OF_STORY).scalar_subquery(),
    }))
_DELETE = sa.delete(stories).where(stories.c.id == sa.bindparam("story_id"))


def refresh_story(conn: Connection, story_id: int) -> None:
    """Recompute counts and the time span from the story's articles; a story left without
    articles is deleted."""
    if not conn.execute(_REFRESH, {"story_id": story_id}).rowcount:
        conn.execute(_DELETE, {"story_id": story_id})


def get_story(conn: Connection, story_id: int) -> Story:
    row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
    if row is None:
        raise UnknownStory(f"no story with id {story_id}")
    return _to_story(row)


def recent_stories(conn: Connection, since: datetime | None = None,
                   limit: int = 500) -> list[Story]:
    newest_first = (stories.c.last_seen.desc(), stories.c.id.desc())
    stmt = sa.select(stories).order_by(*newest_first).limit(limit)
    if since is not None:
        stmt = stmt.where(stories.c.last_seen >= since)
    return [_to_story(r) for r in conn.execute(stmt)]


def count_stories(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(stories)).scalar_one())


def stories_by_id(conn: Connection, story_ids: list[int]) -> list[Story]:
    """The stories, in the order of `story_ids` (unknown ids left out)."""
    if not story_ids:
        return []
    rows = {r.id: _to_story(r) for r in conn.execute(
        sa.select(stories).where(stories.c.id.in_(story_ids)))}
    return [rows[i] for i in story_ids if i in rows]


def delete_empty_stories(conn: Connection) -> int:
    """Stories whose every article was pruned."""
    empty = ~sa.exists().where(articles.c.story_id == stories.c.id)
    return int(conn.execute(sa.delete(stories).where(empty)).rowcount or 0)
