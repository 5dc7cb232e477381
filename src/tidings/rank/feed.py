"""A user's feed: stories read through `store`, ranked by `score`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from tidings.models import FeedItem, Story, utcnow
from tidings.rank.score import StoryView, rank
from tidings.store import entities as entity_store
from tidings.store import library, reading
from tidings.store import stories as story_store
from tidings.store import users as user_store

WINDOW = timedelta(days=7)
CANDIDATES = 300  # the most recently active stories considered for one page


def story_views(conn: Connection, user_id: int, since: datetime,
                limit: int = 500) -> list[StoryView]:
    """The reader's recent stories, each made of the articles in their own library."""
    stories = story_store.stories_by_id(conn, reading.recent_story_ids(conn, user_id, since,
                                                                      limit))
    by_story = reading.story_articles(conn, user_id, [s.id or 0 for s in stories])
    all_articles = [a for arts in by_story.values() for a in arts]
    titles = library.source_names(conn, user_id)
    ents = entity_store.entities_of(conn, [a.id or 0 for a in all_articles])
    views = []
    for s in stories:
        arts = by_story.get(s.id or 0, [])
        if not arts:
            continue
        outlets = list(dict.fromkeys(titles.get(a.source_id or 0, "") for a in arts))
        merged = {e.name: e for a in arts for e in ents.get(a.id or 0, [])}
        mine = replace(s, article_count=len(arts), source_count=len(outlets),
                       last_seen=max(a.published_at or a.fetched_at or s.last_seen
                                     for a in arts))
        views.append(StoryView(s.id or 0, s.title, mine.last_seen, arts, outlets,
                               sorted(merged.values(), key=lambda e: -e.salience), story=mine))
    return views


def feed_for_user(conn: Connection, user_id: int, *, now: datetime | None = None,
                  limit: int = 50, window: timedelta = WINDOW) -> list[FeedItem]:
    now = now or utcnow()
    views = story_views(conn, user_id, since=now - window, limit=max(CANDIDATES, 3 * limit))
    hidden = user_store.seen_story_ids(conn, user_id, ("hide",))
    follows = user_store.list_follows(conn, user_id)
    ranked = rank([v for v in views if v.story_id not in hidden], follows, now)[:limit]
    items = [_to_item(s.view, s.score, s.why) for s in ranked]
    marks = reading.story_states(conn, user_id, [i.story.id or 0 for i in items])
    for item in items:
        mark = marks.get(item.story.id or 0)
        item.unread = mark.unread if mark else 0
        item.updated = bool(mark and mark.updated)
    return items


def _to_item(view: StoryView, score: float, why: list[str]) -> FeedItem:
    lead = max(view.articles, key=lambda a: len(a.text))  # the fullest account leads
    story = view.story or Story(view.title, view.last_seen, view.last_seen, len(view.articles),
                                len(view.sources), id=view.story_id)
    return FeedItem(story=story, lead=lead, score=round(score, 4), sources=view.sources,
                    why=why)
