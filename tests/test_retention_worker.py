"""Retention runs by itself: an idle worker prunes read, unstarred articles past the setting
(at most once an hour per process)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.models import Article, Source, utcnow
from tidings.store import articles as article_store
from tidings.store import library
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store.db import transaction
from tidings.store.schema import articles
from tidings.worker import Crew, WorkerStats, maybe_prune


def test_an_idle_worker_prunes_old_read_articles_once_an_hour(engine: Engine,
                                                               settings: Settings) -> None:
    old = utcnow() - timedelta(days=settings.retention_days + 1)
    with transaction(engine) as conn:
        src = source_store.add_source(conn, Source(url="https://r.example/feed"))[0].id or 0
        user = subscribe(conn, src)
        story = story_store.create_story(conn, "Old news", old)
        ids = [article_store.insert_article(conn, Article(
            url=f"https://r.example/{k}", title=k, source_id=src, story_id=story,
            fetched_at=old), entry_key=k) for k in ("read", "starred", "unread")]
        library.set_state(conn, user.id or 0, ids[:2], read=True)
        library.set_state(conn, user.id or 0, ids[1:2], starred=True)
    with Fetcher(settings) as fetcher:
        crew = Crew(engine, fetcher, settings, WorkerStats())
        first, second = maybe_prune(crew), maybe_prune(crew)
    with engine.connect() as conn:
        left = set(conn.execute(sa.select(articles.c.title)).scalars())
    assert (first, second) == (1, 0) and left == {"starred", "unread"}
