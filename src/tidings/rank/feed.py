"""A user's feed: stories read through `store`, ranked by `score`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from tidings.models import FeedItem, Story, utcnow
from tidings.rank.score import StoryView, rank
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import stories as story_store
from tidings.store import users as user_store

WINDOW = timedelta(days=7)
CANDIDATES = 300  # the most recently active stories considered for one page


def story_views(conn: Connection, since: datetime | None, limit: int = 500) -> list[StoryView]:
    stories = story_store.recent_stories(conn, since=since, limit=limit)
    by_story = article_store.articles_for_stories(conn, [s.id or 0 for s in stories])
    all_articles = [a for arts in by_story.values() for a in arts]
    titles = article_store.source_titles(conn, [a.source_id or 0 for a in all_articles])
    ents = entity_store.entities_of(conn, [a.id or 0 for a in all_articles])
    views = []
    for s in stories:
        arts = by_story.get(s.id or 0, [])
        if not arts:
            continue
        outlets = list(dict.fromkeys(titles.get(a.source_id or 0, "") for a in arts))
        merged = {e.name: e for a in arts for e in ents.get(a.id or 0, [])}
        views.append(StoryView(s.id or 0, s.title, s.last_seen, arts, outlets,
                               sorted(merged.values(), key=lambda e: -e.salience), story=s))
    return views


def feed_for_user(conn: Connection, user_id: int, *, now: datetime | None = None,
                  limit: int = 50, window: timedelta = WINDOW) -> list[FeedItem]:
    now = now or utcnow()
    views = story_views(conn, since=now - window, limit=max(CANDIDATES, 3 * limit))
    hidden = user_store.seen_story_ids(conn, user_id, ("hide",))
    follows = user_store.list_follows(conn, user_id)
    ranked = rank([v for v in views if v.story_id not in hidden], follows, now)[:limit]
    return [_to_item(s.view, s.score, s.why) for s in ranked]


def _to_item(view: StoryView, score: float, why: list[str]) -> FeedItem:
    lead = max(view.articles, key=lambda a: len(a.text))  # the fullest account leads
    story = view.story or Story(view.title, view.last_seen, view.last_seen, len(view.articles),
                                len(view.sources), id=view.story_id)
    return FeedItem(story=story, lead=lead, score=round(score, 4), sources=view.sources,
                    why=why)
