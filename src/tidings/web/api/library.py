"""The reader's library: /api/v1/sources (subscribe, rename, move, refresh, leave), OPML,
unread counts, and what they follow or mute."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, field_validator

from tidings import pipeline
from tidings.fetch import Fetcher
from tidings.models import Follow, SourceKind, TargetKind
from tidings.sources import FeedError, parse_opml, write_opml
from tidings.store import library
from tidings.store import users as user_store
from tidings.store.db import transaction
from tidings.web.api.shapes import Id, follow_json, subscription_json
from tidings.web.deps import ApiUser, ApiUserAlone, Conn, state, uid
from tidings.web.guards import FiniteFloat, SafeText

router = APIRouter(tags=["library"])


class SourceIn(BaseModel):
    url: SafeText = Field(min_length=1, max_length=2048, description="Feed URL or a site URL")
    title: SafeText = Field(default="", max_length=500)
    folder: SafeText = Field(default="", max_length=200)
    full_text: bool = Field(default=False, description="Fetch each entry's page (teaser feeds)")


class SourceChange(BaseModel):
    title: SafeText | None = Field(default=None, max_length=500)
    folder: SafeText | None = Field(default=None, max_length=200)
    full_text: bool | None = None


class FollowIn(BaseModel):
    kind: TargetKind
    target: SafeText = Field(min_length=1, max_length=200)
    weight: FiniteFloat = Field(default=1.0, ge=0.1, le=5.0)
    muted: bool = False

    @field_validator("target")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say what to follow or mute: the target is blank")
        return value.strip()


@router.get("/sources")
def list_sources(user: ApiUser, conn: Conn) -> list[dict[str, Any]]:
    """Your subscriptions with their state, last error and unread count."""
    return [subscription_json(s) for s in library.list_subscriptions(conn, uid(user))]


@router.post("/sources", status_code=201)
def add_source(body: SourceIn, request: Request, user: ApiUserAlone) -> dict[str, Any]:
    """Subscribe to a feed (or a site whose feed is discovered)."""
    st = state(request)
    try:
        sub, report = pipeline.subscribe(st.engine, body.url, settings=st.settings,
                                         user_id=uid(user), title=body.title.strip(),
                                         folder=body.folder.strip(), full_text=body.full_text)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return subscription_json(sub) | {"new_articles": report.new if report else 0}


@router.get("/sources/{source_id}")
def get_source(source_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    sub = library.get_subscription(conn, uid(user), source_id)
    sub.unread = library.unread_counts(conn, uid(user)).get(source_id, 0)
    return subscription_json(sub)


@router.patch("/sources/{source_id}")
def change_source(source_id: Id, body: SourceChange, user: ApiUser,
                  conn: Conn) -> dict[str, Any]:
    """Rename, move to a folder (empty: none), or change the full-text choice."""
    changes = {k: (v.strip() if isinstance(v, str) else v)
               for k, v in body.model_dump(exclude_none=True).items()}
    library.update_subscription(conn, uid(user), source_id, **changes)
    return get_source(source_id, user, conn)


@router.delete("/sources/{source_id}", status_code=204)
def remove_source(source_id: Id, user: ApiUser, conn: Conn) -> Response:
    """Unsubscribe; a source nobody subscribes to is no longer fetched."""
    library.unsubscribe(conn, uid(user), source_id)
    return Response(status_code=204)


@router.post("/sources/{source_id}/refresh")
def refresh_source(source_id: Id, request: Request, user: ApiUserAlone) -> dict[str, Any]:
    """Check the source now (the answer waits for it)."""
    st = state(request)
    with transaction(st.engine) as conn:
        sub = library.get_subscription(conn, uid(user), source_id)
    if sub.source.kind != SourceKind.FEED:
        raise HTTPException(status_code=409, detail="bundled samples and saved pages are "
                            "not fetched")
    with Fetcher(st.settings) as fetcher:
        report = pipeline.refresh_source(st.engine, fetcher, source_id, settings=st.settings)
    return {"id": source_id, "new": report.new, "seen": report.seen, "error": report.error,
            "not_modified": report.not_modified}


@router.get("/opml", response_class=PlainTextResponse)
def export_opml(user: ApiUser, conn: Conn) -> PlainTextResponse:
    text = write_opml(library.outlines(conn, uid(user)))
    return PlainTextResponse(text, media_type="text/x-opml; charset=utf-8")


@router.post("/opml")
def import_opml(user: ApiUser, conn: Conn,
                data: Annotated[bytes, Body(media_type="text/x-opml")]) -> dict[str, Any]:
    """Subscribe to every feed of an OPML document (folders kept; fetched on the next run)."""
    try:
        found = parse_opml(data)
    except FeedError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    added = library.import_subscriptions(conn, uid(user), found)
    return {"feeds": len(found), "new": added}


@router.get("/counts")
def unread_counts(user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Unread articles: in total, per folder and per source."""
    subs = library.list_subscriptions(conn, uid(user))
    folders: dict[str, int] = {}
    for s in subs:
        folders[s.folder] = folders.get(s.folder, 0) + s.unread
    return {"total": sum(s.unread for s in subs), "folders": folders,
            "sources": {str(s.source.id): s.unread for s in subs}}


@router.get("/follows")
def list_follows(user: ApiUser, conn: Conn) -> list[dict[str, Any]]:
    """What you follow (lifts stories) and mute (hides them)."""
    return [follow_json(f) for f in user_store.list_follows(conn, uid(user))]


@router.post("/follows", status_code=201)
def add_follow(body: FollowIn, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Follow or mute a topic, entity, source or keyword; again for the same target replaces."""
    follow = Follow(uid(user), body.kind, body.target, weight=body.weight, muted=body.muted)
    user_store.set_follow(conn, follow)
    stored = next(f for f in user_store.list_follows(conn, uid(user))
                  if (f.target_kind, f.target) == (follow.target_kind, follow.target))
    return follow_json(stored)


@router.delete("/follows/{follow_id}", status_code=204)
def remove_follow(follow_id: Id, user: ApiUser, conn: Conn) -> Response:
    if not user_store.delete_follow(conn, uid(user), follow_id):
        raise HTTPException(status_code=404, detail=f"you have no follow with id {follow_id}")
    return Response(status_code=204)
