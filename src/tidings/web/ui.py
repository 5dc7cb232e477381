"""Server-rendered pages (Jinja2); no front-end build step."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Connection

from tidings import pipeline
from tidings.models import Follow, InteractionKind, TargetKind, utcnow
from tidings.rank.feed import feed_for_user
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.web.deps import current_user, db, state

router = APIRouter(include_in_schema=False)
Conn = Annotated[Connection, Depends(db)]
SAMPLE_FOLDER = "Sample newsroom"


def ago(when: datetime | None) -> str:
    if when is None:
        return ""
    minutes = int((utcnow() - when).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return when.strftime("%d %b %Y")


def _page(request: Request, conn: Connection, name: str, **context: Any) -> HTMLResponse:
    sources = source_store.list_sources(conn)
    sample = any(s.folder == SAMPLE_FOLDER for s in sources)
    return state(request).templates.TemplateResponse(
        request, name, {"sample": sample, **context})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Conn) -> HTMLResponse:
    user = current_user(request, conn)
    items = feed_for_user(conn, user.id or 0, limit=60)
    token = user_store.feed_token(conn, user.id or 0)
    return _page(request, conn, "feed.html", items=items, user=user, atom=f"/feeds/{token}.atom")


@router.post("/stories/{story_id}/hide")
def hide_story(story_id: int, request: Request, conn: Conn) -> Response:
    story_store.get_story(conn, story_id)
    user = current_user(request, conn)
    user_store.record_interaction(conn, user.id or 0, InteractionKind.HIDE, story_id=story_id)
    return RedirectResponse("/", status_code=303)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: int, request: Request, conn: Conn) -> HTMLResponse:
    story = story_store.get_story(conn, story_id)
    arts = article_store.articles_for_stories(conn, [story_id])[story_id]
    outlets = article_store.source_titles(conn, [a.source_id or 0 for a in arts])
    return _page(request, conn, "story.html", story=story, articles=arts, outlets=outlets)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: int, request: Request, conn: Conn) -> HTMLResponse:
    article = article_store.get_article(conn, article_id)
    entities = entity_store.entities_of(conn, [article_id])[article_id]
    quotes = entity_store.quotes_of(conn, article_id)
    outlet = article_store.source_titles(conn, [article.source_id or 0]).get(
        article.source_id or 0, "")
    # Extractive key points are sentences of the body: above it they would only repeat it.
    points = [p for p in article.key_points if p not in article.text]
    return _page(request, conn, "article.html", article=article, entities=entities,
                 quotes=quotes, outlet=outlet, points=points)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(entity_id: int, request: Request, conn: Conn) -> HTMLResponse:
    entity = entity_store.get_entity(conn, entity_id)
    stories = [story_store.get_story(conn, sid)
               for sid in entity_store.stories_mentioning(conn, entity_id)]
    return _page(request, conn, "entity.html", entity=entity, stories=stories)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, conn: Conn, added: str = "") -> HTMLResponse:
    return _page(request, conn, "sources.html", sources=source_store.list_sources(conn),
                 error="", added=added)


@router.post("/sources")
def add_source(request: Request, url: Annotated[str, Form(max_length=2048)],
               folder: Annotated[str, Form(max_length=200)] = "",
               full_text: Annotated[bool, Form()] = False) -> Response:
    try:
        source, _ = pipeline.subscribe(state(request).engine, url.strip(),
                                       settings=state(request).settings, folder=folder,
                                       full_text=full_text)
    except ValueError as exc:
        with pipeline.transaction(state(request).engine) as conn:
            return _page(request, conn, "sources.html", sources=source_store.list_sources(conn),
                         error=str(exc), added="")
    return RedirectResponse(f"/sources?added={source.id}", status_code=303)


@router.get("/follows", response_class=HTMLResponse)
def follows_page(request: Request, conn: Conn) -> HTMLResponse:
    user = current_user(request, conn)
    return _page(request, conn, "follows.html", follows=user_store.list_follows(conn, user.id or 0),
                 kinds=[str(k) for k in TargetKind])


@router.post("/follows")
def add_follow(request: Request, conn: Conn, *,
               kind: Annotated[TargetKind, Form()],
               target: Annotated[str, Form(min_length=1, max_length=200)],
               muted: Annotated[bool, Form()] = False,
               back: Annotated[str, Form(max_length=200)] = "/follows") -> Response:
    user = current_user(request, conn)
    user_store.set_follow(conn, Follow(user.id or 0, kind, target.strip(), muted=muted))
    return RedirectResponse(_local(back), status_code=303)


@router.post("/follows/{follow_id}/delete")
def remove_follow(follow_id: int, request: Request, conn: Conn) -> Response:
    user = current_user(request, conn)
    user_store.delete_follow(conn, user.id or 0, follow_id)
    return RedirectResponse("/follows", status_code=303)


def _local(path: str) -> str:
    """Only redirect within this site (a form's `back` field is user input)."""
    return path if path.startswith("/") and not path.startswith("//") else "/follows"
