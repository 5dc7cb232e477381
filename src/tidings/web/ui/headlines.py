"""/headlines: the reader's stories by coverage (how many outlets, how fast), not by what the
reader likes; what they hid, muted or blocked with a rule stays out.

Until `rank.feed.feed_for_user(..., view="headlines")` is merged, `_headlines` here stands in
for it (same answer type; the reader's recent stories as `rank.feed.story_views` reads them,
ranked by `rank.model.headlines`): swap the one call in `headlines_page`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from tidings.models import FeedItem, Story, utcnow
from tidings.rank import model
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.feed import CANDIDATES, WINDOW, story_views
from tidings.rank.score import StoryView
from tidings.store import rules as rule_store
from tidings.store import users as user_store
from tidings.web.deps import Conn, uid
from tidings.web.deps import Reader as Signed
from tidings.web.ui.render import page

router = APIRouter()
LIMIT = 30


def _headlines(conn: Connection, user_id: int, *, limit: int) -> list[FeedItem]:
    now = utcnow()
    views = {v.story_id: v for v in story_views(conn, user_id, since=now - WINDOW,
                                                  limit=CANDIDATES) if v.articles}
    reader = _reader(conn, user_id)
    shown = [c for c in map(_candidate, views.values()) if not model.excluded(c, reader)]
    items = []
    for s in model.headlines(shown, now, limit=limit):
        view = views[s.candidate.story_id]
        story = view.story or Story(view.title, view.last_seen, view.last_seen,
                                    len(view.articles), len(view.sources), id=view.story_id)
        items.append(FeedItem(story=story, lead=view.articles[-1], score=round(s.score, 4),
                              sources=list(s.candidate.outlets), why=s.why))
    return items


def _candidate(v: StoryView) -> Candidate:
    return Candidate(v.story_id, v.title, v.articles[-1].id or 0,
                     v.story.first_seen if v.story else v.last_seen, v.last_seen,
                     len(v.articles), tuple(sorted({a.source_id or 0 for a in v.articles})),
                     len(set(v.sources)), 0.0, topics=tuple(sorted(v.topics)),
                     entity_ids=frozenset(e.id for e in v.entities if e.id is not None),
                     entities=tuple((e.id or 0, e.name, e.salience) for e in v.entities),
                     outlets=tuple(dict.fromkeys(v.sources)))


def _reader(conn: Connection, user_id: int) -> Reader:
    hidden, _ = rule_store.reader_marks(conn, user_id)
    hides = user_store.seen_story_ids(conn, user_id, ("hide",))
    return Reader(user_id, follows=user_store.list_follows(conn, user_id),
                  hidden=hidden | frozenset(hides))


@router.get("/headlines", response_class=HTMLResponse)
def headlines_page(request: Request, conn: Conn, user: Signed) -> HTMLResponse:
    """Not personalised: the most widely covered of your stories first."""
    return page(request, conn, "headlines.html", user,
                items=_headlines(conn, uid(user), limit=LIMIT))
