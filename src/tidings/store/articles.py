"""Articles aggregate: one row per distinct item, whichever feed brought it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Article
from tidings.store import NotFound
from tidings.store.schema import articles, now, sources, story_keys


class UnknownArticle(NotFound):
    pass


@dataclass(frozen=True)
class StoredFingerprint:
    """What the story assigner needs of a recent article."""

    article_id: int
    story_id: int
    fingerprint: str
    published_at: datetime | None


def find_duplicate(conn: Connection, source_id: int | None, entry_key: str,
                   canonical_url: str, title: str) -> int | None:
    """An article already stored under this feed's key, or the same article elsewhere: same
    canonical URL *and* same title (a feed that rewrites its guids, or a second feed carrying
    it). The URL alone is not enough: some feeds link every item to their home page."""
    cond = sa.and_(articles.c.source_id == source_id, articles.c.entry_key == entry_key)
    if canonical_url:
        same = sa.and_(articles.c.canonical_url == canonical_url, articles.c.title == title)
        cond = sa.or_(cond, same)
    return conn.execute(sa.select(articles.c.id).where(cond).limit(1)).scalar()


def insert_article(conn: Connection, article: Article, *, entry_key: str,
                   fingerprint: str | None = None) -> int:
    values = {
        "source_id": article.source_id, "entry_key": entry_key, "url": article.url,
        "canonical_url": article.canonical_url, "guid": article.guid, "title": article.title,
        "byline": article.byline, "published_at": article.published_at,
        "fetched_at": article.fetched_at or now(), "language": article.language,
        "topic_label": article.topic_label, "topics": list(article.topics),
        "key_points": list(article.key_points), "text": article.text, "html": article.html,
        "captions": list(article.captions), "related": list(article.related),
        "lead_image": article.lead_image, "content_hash": article.content_hash,
        "fingerprint": fingerprint, "story_id": article.story_id,
    }
    return int(conn.execute(_INSERT, values).scalar_one())


_INSERT = sa.insert(articles).returning(articles.c.id)  # built once: one per stored article


def set_story(conn: Connection, article_id: int, story_id: int) -> None:
    """Move an article to another story, and its story-index postings with it."""
    conn.execute(sa.update(articles).where(articles.c.id == article_id).values(story_id=story_id))
    conn.execute(sa.update(story_keys).where(story_keys.c.article_id == article_id)
                 .values(story_id=story_id))


def to_article(row: Any) -> Article:
    return Article(
        id=row.id, source_id=row.source_id, url=row.url, canonical_url=row.canonical_url,
        guid=row.guid, title=row.title, byline=row.byline, published_at=row.published_at,
        fetched_at=row.fetched_at, language=row.language, topic_label=row.topic_label,
        topics=list(row.topics or []), key_points=list(row.key_points or []), text=row.text,
        html=row.html, captions=list(row.captions or []), related=list(row.related or []),
        lead_image=row.lead_image, content_hash=row.content_hash, story_id=row.story_id,
    )


def get_article(conn: Connection, article_id: int) -> Article:
    row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
    if row is None:
        raise UnknownArticle(f"no article with id {article_id}")
    return to_article(row)


def articles_for_stories(conn: Connection, story_ids: Sequence[int]) -> dict[int, list[Article]]:
    """Articles of each story, oldest first (the first one broke the story)."""
    out: dict[int, list[Article]] = {sid: [] for sid in story_ids}
    if not story_ids:
        return out
    stmt = (sa.select(articles).where(articles.c.story_id.in_(story_ids))
            .order_by(sa.func.coalesce(articles.c.published_at, articles.c.fetched_at),
                      articles.c.id))
    for row in conn.execute(stmt):
        out[row.story_id].append(to_article(row))
    return out


def recent_fingerprints(conn: Connection, since: datetime) -> list[StoredFingerprint]:
    when = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)
    stmt = (sa.select(articles.c.id, articles.c.story_id, articles.c.fingerprint,
                      articles.c.published_at)
            .where(when >= since, articles.c.story_id.is_not(None),
                   articles.c.fingerprint.is_not(None))
            .order_by(articles.c.id))
    return [StoredFingerprint(r.id, r.story_id, r.fingerprint, r.published_at)
            for r in conn.execute(stmt)]


def source_titles(conn: Connection, source_ids: Sequence[int]) -> dict[int, str]:
    rows = conn.execute(sa.select(sources.c.id, sources.c.title, sources.c.url)
                        .where(sources.c.id.in_(set(source_ids))))
    return {r.id: r.title or r.url for r in rows}


def count_articles(conn: Connection, source_id: int | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(articles)
    if source_id is not None:
        stmt = stmt.where(articles.c.source_id == source_id)
    return int(conn.execute(stmt).scalar_one())
