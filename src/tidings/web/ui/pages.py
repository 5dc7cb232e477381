"""The reading pages: the ranked feed, a story's full coverage, an article, an entity, and
what the reader follows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tidings.models import Follow, InteractionKind, TargetKind
from tidings.rank.feed import feed_for_user
from tidings.store import entities as entity_store
from tidings.store import library, reading
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, uid
from tidings.web.ui.render import local, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    items = feed_for_user(conn, uid(user), limit=60)
    return page(request, conn, "feed.html", user, items=items)


@router.post("/stories/{story_id}/hide")
def hide_story(story_id: Id, conn: Conn, user: Reader) -> Response:
    reading.visible_story_articles(conn, uid(user), story_id)
    user_store.record_interaction(conn, uid(user), InteractionKind.HIDE, story_id=story_id)
    return RedirectResponse("/", status_code=303)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    """Full coverage; opening it marks its articles read, and what joined since the reader
    last read it is marked new."""
    arts = reading.visible_story_articles(conn, uid(user), story_id)
    story = story_store.get_story(conn, story_id)
    new = reading.new_since_read(conn, uid(user), story_id)
    library.set_state(conn, uid(user), [a.id or 0 for a in arts], read=True)
    user_store.record_interaction(conn, uid(user), InteractionKind.OPEN, story_id=story_id)
    outlets = library.source_names(conn, uid(user))
    return page(request, conn, "story.html", user, story=story, articles=arts, outlets=outlets,
                new=new, sources=len({a.source_id for a in arts}))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    article = reading.visible_article(conn, uid(user), article_id)
    entities = entity_store.entities_of(conn, [article_id])[article_id]
    quotes = entity_store.quotes_of(conn, article_id)
    outlet = library.source_names(conn, uid(user)).get(article.source_id or 0, "")
    library.set_state(conn, uid(user), [article_id], read=True)
    mark = library.states(conn, uid(user), [article_id])[article_id]
    # Extractive key points are sentences of the body: above it they would only repeat it.
    points = [p for p in article.key_points if p not in article.text]
    return page(request, conn, "article.html", user, article=article, entities=entities,
                quotes=quotes, outlet=outlet, points=points, mark=mark)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(entity_id: Id, request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    ids = reading.stories_visible_with(conn, uid(user), entity_id)
    if not ids:
        raise entity_store.UnknownEntity(f"no entity with id {entity_id}")
    entity = entity_store.get_entity(conn, entity_id)
    return page(request, conn, "entity.html", user, entity=entity,
                stories=story_store.stories_by_id(conn, ids))


@router.get("/follows", response_class=HTMLResponse)
def follows_page(request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    return page(request, conn, "follows.html", user,
                follows=user_store.list_follows(conn, uid(user)),
                kinds=[str(k) for k in TargetKind])


@router.post("/follows")
def add_follow(conn: Conn, user: Reader, *,
               kind: Annotated[TargetKind, Form()],
               target: Annotated[str, Form(min_length=1, max_length=200)],
               muted: Annotated[bool, Form()] = False,
               back: Annotated[str, Form(max_length=200)] = "/follows") -> Response:
    if target.strip():
        user_store.set_follow(conn, Follow(uid(user), kind, target.strip(), muted=muted))
    return RedirectResponse(local(back, "/follows"), status_code=303)


@router.post("/follows/{follow_id}/delete")
def remove_follow(follow_id: Id, conn: Conn, user: Reader) -> Response:
    user_store.delete_follow(conn, uid(user), follow_id)
    return RedirectResponse("/follows", status_code=303)
