"""A user's feed: candidates read through `store` (story features, never article or entity
rows), ranked by `model`, then one query for the lead articles shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Article, FeedItem, Story, utcnow
from tidings.rank import model, vector
from tidings.store import catalogue, columns, profiles, reading
from tidings.store import story_features as features
from tidings.store.db import in_ids
from tidings.store.prepared import Prepared
from tidings.store.schema import articles

WINDOW = timedelta(days=7)
CANDIDATES = 300  # the most recently active stories considered for one page
LEAD_TEXT = 400  # characters of the lead's text an item shows (the Atom summary)
View = Literal["for_you", "headlines"]


def feed_for_user(conn: Connection, user_id: int, *, now: datetime | None = None,
                  limit: int = 50, window: timedelta = WINDOW,
                  view: View = "for_you") -> list[FeedItem]:
    """The reader's stories, ranked for them (`for_you`) or by coverage (`headlines`)."""
    now = now or utcnow()
    who = features.reader(conn, user_id, at=now)
    who.profile = profiles.load(conn, user_id)
    chosen, subs = features.choose(conn, user_id, now - window, max(CANDIDATES, 3 * limit),
                                   follows=who.follows)
    if view == "headlines":
        cands = [columns.candidate(chosen, i, subs) for i in range(len(chosen))]
        ranked = model.headlines([c for c in cands if not model.excluded(c, who)], now,
                                 limit=limit)
    else:
        ranked = vector.rank(chosen, subs, who, now, limit=limit)
    ranked = ranked[:limit]
    leads = lead_articles(conn, [s.candidate.lead_article_id for s in ranked])
    marks = reading.story_states(conn, user_id, [s.candidate.story_id for s in ranked])
    items = []
    for s in ranked:
        c = s.candidate
        lead = leads.get(c.lead_article_id)
        if lead is None or lead.story_id != c.story_id:  # gone or merged since it was read
            catalogue.leads(conn).pop(c.lead_article_id, None)
            catalogue.stale(conn)
            continue
        mark = marks.get(c.story_id)
        items.append(FeedItem(
            story=Story(c.headline, c.first_seen, c.last_seen, c.article_count,
                        len(c.source_ids), id=c.story_id),
            lead=lead, score=round(s.score, 4), sources=list(c.outlets), why=list(s.why),
            unread=mark.unread if mark else 0, updated=bool(mark and mark.updated)))
    return items


def lead_articles(conn: Connection, article_ids: Sequence[int]) -> dict[int, Article]:
    """The articles a page shows: no HTML, the text's lead only; those this process has not
    shown lately in one query (`catalogue.leads` keeps them while their story is unchanged)."""
    cache = catalogue.leads(conn)
    out = {i: cache[i] for i in article_ids if i in cache}
    missing = sorted({i for i in article_ids if i and i not in out})
    if missing:
        read = _read_leads(conn, missing)
        cache.update(read)
        out.update(read)
    return out


def _read_leads(conn: Connection, ids: list[int]) -> dict[int, Article]:
    return {r.id: Article(
        id=r.id, source_id=r.source_id, story_id=r.story_id, url=r.url,
        canonical_url=r.canonical_url, title=r.title, byline=r.byline,
        published_at=r.published_at, fetched_at=r.fetched_at, language=r.language,
        topic_label=r.topic_label, key_points=list(r.key_points or []),
        lead_image=r.lead_image, text=r.text or "") for r in _LEADS.rows(conn, {"ids": ids})}


_LEADS = Prepared(sa.select(  # built once: every feed page reads it
    articles.c.id, articles.c.source_id, articles.c.story_id, articles.c.url,
    articles.c.canonical_url, articles.c.title, articles.c.byline, articles.c.published_at,
    articles.c.fetched_at, articles.c.language, articles.c.topic_label,
    articles.c.key_points, articles.c.lead_image,
    sa.func.substr(articles.c.text, 1, LEAD_TEXT).label("text"),
).where(in_ids(articles.c.id, "ids")))
