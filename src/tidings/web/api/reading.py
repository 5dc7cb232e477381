"""What the reader reads: /api/v1/feed, articles (Latest, Starred, by source or folder),
stories, entities, read state and interactions."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio.to_thread
import orjson
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, Field

from tidings.models import InteractionKind, article_json, utcnow
from tidings.rank.feed import View, feed_for_user
from tidings.store import entities as entity_store
from tidings.store import library, reading
from tidings.store import stories as story_store
from tidings.store.db import read_transaction
from tidings.web.api import feedback
from tidings.web.api.shapes import MAX_ID, Id, article_brief, item_json, same
from tidings.web.deps import ApiUser, ClientGone, Conn, api_caller, state, uid, watch_client

router = APIRouter(tags=["reading"])


class StateIn(BaseModel):
    read: bool | None = None
    starred: bool | None = None
    hidden: bool | None = None


class MarkReadIn(BaseModel):
    seen_at: AwareDatetime = Field(description="When the reader saw the list: later arrivals "
                                   "stay unread")
    source_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    folder: str | None = Field(default=None, max_length=200)


class InteractionIn(BaseModel):
    kind: InteractionKind
    story_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    article_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    dwell_ms: int | None = Field(default=None, ge=0, le=86_400_000)


@router.get("/feed", response_model=dict[str, Any])
async def feed(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 50,
               view: Literal["for_you", "headlines"] = "for_you") -> Response:
    """Your ranked stories, each saying why it is there (`view=headlines`: by coverage).

    The busiest route: who asks, the ranking and the JSON are one step on one worker thread
    (each step of a dependency chain waits for a thread and for the interpreter again), and
    a client that goes away stops the work at the next phase (see `deps.watch_client`). At
    most `rank_threads` of them run at once (`AppState.rankers`)."""
    async with watch_client(request) as gone:
        body = await anyio.to_thread.run_sync(_feed_body, request, gone, limit, view,
                                              limiter=state(request).rankers)
    return Response(body, media_type="application/json")


def _feed_body(request: Request, gone: threading.Event, limit: int, view: View) -> bytes:
    if gone.is_set():  # went away while this waited for a thread: no ranking
        raise ClientGone
    with read_transaction(state(request).engine) as conn:
        user = api_caller(request, conn)
        items = feed_for_user(conn, uid(user), limit=limit, view=view)
    if gone.is_set():
        raise ClientGone
    return orjson.dumps({"user": user.name, "items": [item_json(i, same) for i in items]})


@router.get("/articles")
def list_articles(
    user: ApiUser, conn: Conn, *,
    view: Literal["latest", "starred"] = "latest",
    source_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    folder: Annotated[str | None, Query(max_length=200)] = None,
    unread_only: bool = True,
    cursor: Annotated[str | None, Query(max_length=100, description="`next` of the last page")
                      ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Newest arrivals first (unread only by default); `view=starred` for stars."""
    q = reading.ListQuery(view=view, source_id=source_id, folder=folder,
                          unread_only=unread_only, before=_cursor(cursor), limit=limit)
    rows = reading.list_articles(conn, uid(user), q)
    nxt = (f"{rows[-1].article.fetched_at.isoformat()}~{rows[-1].article.id}"
           if len(rows) == limit and rows[-1].article.fetched_at else None)
    return {"items": [article_brief(r.article, r.state) for r in rows], "next": nxt,
            "seen_at": utcnow().isoformat()}


def _cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw:
        return None
    try:
        at, _, last = raw.rpartition("~")
        when, last_id = datetime.fromisoformat(at), int(last)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail="cursor: pass the `next` value of the "
                            "previous page unchanged") from exc
    if when.tzinfo is None or not 1 <= last_id <= MAX_ID:
        raise HTTPException(status_code=422, detail="cursor: not one this server made")
    return when, last_id


@router.get("/stories/{story_id}")
def get_story(story_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """A story as you see it; `new` lists articles that joined since you read it."""
    arts = reading.visible_story_articles(conn, uid(user), story_id)
    story = story_store.get_story(conn, story_id)
    marks = library.states(conn, uid(user), [a.id or 0 for a in arts])
    new = reading.new_since_read(conn, uid(user), story_id)
    return {"id": story.id, "title": story.title, "article_count": len(arts),
            "source_count": len({a.source_id for a in arts}), "new": sorted(new),
            "articles": [article_brief(a, marks.get(a.id or 0)) for a in arts]}


@router.post("/stories/{story_id}/read")
def read_story(story_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Mark every article of the story read (what opening it in the UI does)."""
    arts = reading.visible_story_articles(conn, uid(user), story_id)
    return {"marked": library.set_state(conn, uid(user), [a.id or 0 for a in arts], read=True)}


@router.get("/articles/{article_id}")
def get_article(article_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    article = reading.visible_article(conn, uid(user), article_id)
    article.entities = entity_store.entities_of(conn, [article_id])[article_id]
    article.quotes = entity_store.quotes_of(conn, article_id)
    mark = library.states(conn, uid(user), [article_id])[article_id]
    return ({"id": article.id, "story_id": article.story_id, "source_id": article.source_id,
             "html": article.html, "read": mark.read, "starred": mark.starred,
             "hidden": mark.hidden} | article_json(article))


@router.put("/articles/{article_id}/state")
def set_article_state(article_id: Id, body: StateIn, user: ApiUser,
                      conn: Conn) -> dict[str, Any]:
    """Mark read or unread, star or unstar, hide or show one article."""
    article = reading.visible_article(conn, uid(user), article_id)
    library.set_state(conn, uid(user), [article_id], read=body.read, hidden=body.hidden)
    if body.starred:  # a star is feedback too; unstarring takes it back
        feedback.give(conn, uid(user), InteractionKind.SAVE, story_id=article.story_id,
                      article_id=article_id)
    elif body.starred is not None:
        feedback.unstar(conn, uid(user), article_id)
    mark = library.states(conn, uid(user), [article_id])[article_id]
    return {"id": article_id, "read": mark.read, "starred": mark.starred,
            "hidden": mark.hidden}


@router.post("/mark-read")
def mark_all_read(body: MarkReadIn, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Mark all (or one folder's, or one source's) articles read, as of `seen_at`."""
    if body.source_id is not None:
        library.get_subscription(conn, uid(user), body.source_id)
    changed = library.mark_all_read(conn, uid(user), body.seen_at, source_id=body.source_id,
                                    folder=body.folder)
    return {"subscriptions": changed}


@router.get("/entities/{entity_id}")
def get_entity(entity_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """A person, organisation or place, and your stories that mention it."""
    entity = entity_store.get_entity(conn, entity_id)
    ids = reading.stories_visible_with(conn, uid(user), entity_id)
    if not ids:
        raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}")
    return {"id": entity.id, "name": entity.name, "kind": str(entity.kind),
            "aliases": entity.aliases,
            "stories": [{"id": s.id, "title": s.title, "last_seen": s.last_seen.isoformat(),
                         "source_count": s.source_count}
                        for s in story_store.stories_by_id(conn, ids)]}


@router.post("/interactions", status_code=201)
def add_interaction(body: InteractionIn, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Record what you did (read, like, hide, …); `hide` removes the story from the feed."""
    if body.story_id is None and body.article_id is None:
        raise HTTPException(status_code=422, detail="give story_id or article_id (or both)")
    story_id = body.story_id
    if body.article_id is not None:
        article = reading.visible_article(conn, uid(user), body.article_id)
        if story_id is not None and article.story_id != story_id:
            raise HTTPException(status_code=422, detail=f"article {body.article_id} is not "
                                f"in story {story_id}")
        story_id = article.story_id
    elif story_id is not None:
        reading.visible_story_articles(conn, uid(user), story_id)  # 404 when not yours
    interaction_id = feedback.give(conn, uid(user), body.kind, article_id=body.article_id,
                                   story_id=story_id, dwell_ms=body.dwell_ms)
    return {"id": interaction_id, "user": user.name, "kind": str(body.kind),
            "story_id": story_id, "article_id": body.article_id}

