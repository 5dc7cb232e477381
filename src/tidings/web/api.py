"""JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from tidings import pipeline
from tidings.models import (
    Article,
    FeedItem,
    Follow,
    InteractionKind,
    Source,
    TargetKind,
    article_json,
)
from tidings.rank.feed import feed_for_user
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.web.deps import current_user, db, state

router = APIRouter(prefix="/api/v1", tags=["api"])
Conn = Annotated[Connection, Depends(db)]


class InteractionIn(BaseModel):
    kind: InteractionKind
    story_id: int | None = Field(default=None, ge=1)
    article_id: int | None = Field(default=None, ge=1)
    dwell_ms: int | None = Field(default=None, ge=0, le=86_400_000)


class FollowIn(BaseModel):
    kind: TargetKind
    target: str = Field(min_length=1, max_length=200)
    weight: float = Field(default=1.0, ge=0.1, le=5.0)
    muted: bool = False


class SourceIn(BaseModel):
    url: str = Field(min_length=1, max_length=2048, description="Feed URL or a site URL")
    title: str = Field(default="", max_length=500)
    folder: str = Field(default="", max_length=200)
    full_text: bool = Field(default=False, description="Fetch each entry's page (teaser feeds)")


def source_json(s: Source) -> dict[str, Any]:
    return {
        "id": s.id, "url": s.url, "title": s.title, "site_url": s.site_url, "folder": s.folder,
        "kind": str(s.kind), "full_text": s.full_text, "last_error": s.last_error,
        "error_count": s.error_count,
        "last_checked_at": s.last_checked_at.isoformat() if s.last_checked_at else None,
        "next_check_at": s.next_check_at.isoformat() if s.next_check_at else None,
    }


def _article_brief(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "url": a.url, "source_id": a.source_id,
            "published": a.published_at.isoformat() if a.published_at else None}


def item_json(item: FeedItem) -> dict[str, Any]:
    return {
        "story": {"id": item.story.id, "title": item.story.title,
                  "article_count": item.story.article_count,
                  "source_count": item.story.source_count,
                  "first_seen": item.story.first_seen.isoformat(),
                  "last_seen": item.story.last_seen.isoformat()},
        "lead": _article_brief(item.lead) | {"key_points": item.lead.key_points},
        "sources": item.sources, "score": item.score, "why": item.why,
    }


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/feed")
def feed(request: Request, conn: Conn,
         limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    user = current_user(request, conn)
    items = feed_for_user(conn, user.id or 0, limit=limit)
    return {"user": user.name, "items": [item_json(i) for i in items]}


@router.get("/sources")
def list_sources(conn: Conn) -> list[dict[str, Any]]:
    return [source_json(s) for s in source_store.list_sources(conn)]


@router.post("/sources", status_code=201)
def add_source(request: Request, body: SourceIn) -> dict[str, Any]:
    try:
        source, report = pipeline.subscribe(state(request).engine, body.url,
                                            settings=state(request).settings,
                                            title=body.title, folder=body.folder,
                                            full_text=body.full_text)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return source_json(source) | {"new_articles": report.new if report else 0}


@router.get("/stories/{story_id}")
def get_story(story_id: int, conn: Conn) -> dict[str, Any]:
    story = story_store.get_story(conn, story_id)
    arts = article_store.articles_for_stories(conn, [story_id])[story_id]
    return {"id": story.id, "title": story.title, "article_count": story.article_count,
            "source_count": story.source_count, "articles": [_article_brief(a) for a in arts]}


@router.get("/articles/{article_id}")
def get_article(article_id: int, conn: Conn) -> dict[str, Any]:
    article = article_store.get_article(conn, article_id)
    article.entities = entity_store.entities_of(conn, [article_id])[article_id]
    article.quotes = entity_store.quotes_of(conn, article_id)
    return {"id": article.id, "story_id": article.story_id, "source_id": article.source_id,
            "html": article.html} | article_json(article)


@router.post("/interactions", status_code=201)
def add_interaction(request: Request, body: InteractionIn, conn: Conn) -> dict[str, Any]:
    """Record what the user did (read, like, hide, …); `hide` removes the story from the feed."""
    if body.story_id is None and body.article_id is None:
        raise HTTPException(status_code=422, detail="give story_id or article_id (or both)")
    story_id = body.story_id
    if body.article_id is not None:
        story_id = story_id or article_store.get_article(conn, body.article_id).story_id
    if story_id is not None:
        story_store.get_story(conn, story_id)  # 404 when unknown
    user = current_user(request, conn)
    user_store.record_interaction(conn, user.id or 0, body.kind, article_id=body.article_id,
                                  story_id=story_id, dwell_ms=body.dwell_ms)
    return {"user": user.name, "kind": str(body.kind), "story_id": story_id,
            "article_id": body.article_id}


def follow_json(f: Follow) -> dict[str, Any]:
    return {"id": f.id, "kind": str(f.target_kind), "target": f.target, "weight": f.weight,
            "muted": f.muted}


@router.get("/follows")
def list_follows(request: Request, conn: Conn) -> list[dict[str, Any]]:
    """What the user follows (lifts stories) and mutes (hides them)."""
    user = current_user(request, conn)
    return [follow_json(f) for f in user_store.list_follows(conn, user.id or 0)]


@router.post("/follows", status_code=201)
def add_follow(request: Request, body: FollowIn, conn: Conn) -> dict[str, Any]:
    """Follow or mute a topic, entity, source or keyword; again for the same target replaces."""
    user = current_user(request, conn)
    follow = Follow(user.id or 0, body.kind, body.target.strip(), weight=body.weight,
                    muted=body.muted)
    user_store.set_follow(conn, follow)
    stored = next(f for f in user_store.list_follows(conn, user.id or 0)
                  if (f.target_kind, f.target) == (follow.target_kind, follow.target))
    return follow_json(stored)


@router.delete("/follows/{follow_id}", status_code=204)
def remove_follow(follow_id: int, request: Request, conn: Conn) -> Response:
    user = current_user(request, conn)
    if not user_store.delete_follow(conn, user.id or 0, follow_id):
        raise HTTPException(status_code=404, detail=f"no follow with id {follow_id}")
    return Response(status_code=204)


@router.get("/entities/{entity_id}")
def get_entity(entity_id: int, conn: Conn) -> dict[str, Any]:
    """A person, organisation or place, and the stories that mention it."""
    entity = entity_store.get_entity(conn, entity_id)
    story_ids = entity_store.stories_mentioning(conn, entity_id)
    return {"id": entity.id, "name": entity.name, "kind": str(entity.kind),
            "aliases": entity.aliases,
            "stories": [{"id": s.id, "title": s.title, "last_seen": s.last_seen.isoformat(),
                         "source_count": s.source_count}
                        for s in (story_store.get_story(conn, sid) for sid in story_ids)]}
