"""/api/v1/search and saved searches: the query grammar over the caller's library, as JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from tidings import auth
from tidings.models import utcnow
from tidings.search import SearchError, parse
from tidings.search.snippet import to_html, to_text
from tidings.store import saved_searches as saved
from tidings.store import search as search_store
from tidings.web.api.shapes import article_brief, iso
from tidings.web.deps import ApiUser, Conn, state, uid
from tidings.web.guards import SafeText

router = APIRouter(tags=["search"])
MAX_QUERY = 20_000  # longer is refused before parsing; the grammar's own limit is lower
FEED_PREFIX = "tds_"
# Query text stays str: the grammar answers a NUL with the position of the problem (400).
QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="the search query")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next` of the last page")]
Name = Annotated[SafeText, Field(min_length=1, max_length=saved.MAX_NAME)]
NameInPath = Annotated[SafeText, Path(description="a saved search's name")]


class SavedIn(BaseModel):
    name: Name
    query: str = Field(min_length=1, max_length=MAX_QUERY)


def search_failed(exc: ValueError) -> JSONResponse:
    """400 with the reason and, for a query, the 1-based position of the problem."""
    body: dict[str, Any] = {"detail": str(exc)}
    if isinstance(exc, SearchError):
        body |= {"reason": exc.reason, "position": exc.position}
    return JSONResponse(body, status_code=400)


def hit_json(hit: search_store.Hit) -> dict[str, Any]:
    return {"article": article_brief(hit.article, hit.state), "story_id": hit.article.story_id,
            "matched": hit.matched, "snippet": to_text(hit.snippet),
            "snippet_html": str(to_html(hit.snippet))}


def run(conn: Conn, user_id: int, q: str, *, cursor: str | None, group: search_store.Group,
        order: search_store.Order, limit: int) -> dict[str, Any] | JSONResponse:
    try:
        tree = parse(q, now=utcnow())
        page = search_store.search(conn, user_id, tree, order=order, group=group,
                                   cursor=cursor, limit=limit)
    except ValueError as exc:  # SearchError or BadCursor
        return search_failed(exc)
    return {"query": q, "group": group, "order": order,
            "items": [hit_json(h) for h in page.hits], "next": page.next}


@router.get("/search", response_model=None)
def search(user: ApiUser, conn: Conn, q: QueryText, *, cursor: Cursor = None,
           group: Literal["articles", "stories"] = "articles",
           order: Literal["newest", "relevant"] = "newest",
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any] | JSONResponse:
    """Search your subscriptions: words, "phrases", -not, OR, (groups), title: author:
    source: folder: topic: entity: said: speaker: is:unread|read|starred before: after:."""
    return run(conn, uid(user), q, cursor=cursor, group=group, order=order, limit=limit)


def _saved_json(s: saved.SavedSearch) -> dict[str, Any]:
    return {"name": s.name, "query": s.query, "created_at": iso(s.created_at)}


def feed_url(request: Request, secret: str) -> str:
    return f"{state(request).settings.public_url}/feeds/search/{secret}.atom"


@router.get("/saved-searches")
def list_saved(user: ApiUser, conn: Conn) -> dict[str, Any]:
    return {"items": [_saved_json(s) for s in saved.list_saved_searches(conn, uid(user))]}


@router.post("/saved-searches", status_code=201, response_model=None)
def create_saved(body: SavedIn, request: Request, user: ApiUser, conn: Conn
                 ) -> dict[str, Any] | JSONResponse:
    """Save a query under a name; the answer carries its Atom feed address, shown only now."""
    try:
        parse(body.query, now=utcnow())
        secret = auth.new_secret(FEED_PREFIX)
        made = saved.save_search(conn, uid(user), body.name.strip(), body.query,
                                 auth.secret_hash(secret))
    except saved.NameTaken as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    except ValueError as exc:
        return search_failed(exc)
    return _saved_json(made) | {"feed_url": feed_url(request, secret)}


@router.get("/saved-searches/{name}/items", response_model=None)
def saved_items(name: NameInPath, user: ApiUser, conn: Conn, *, cursor: Cursor = None,
                limit: Annotated[int, Query(ge=1, le=100)] = 20
                ) -> dict[str, Any] | JSONResponse:
    """The saved search as a stream, newest first."""
    found = saved.get_saved_search(conn, uid(user), name)
    return run(conn, uid(user), found.query, cursor=cursor, group="articles", order="newest",
               limit=limit)


@router.post("/saved-searches/{name}/feed")
def new_feed_address(name: NameInPath, request: Request, user: ApiUser,
                     conn: Conn) -> dict[str, str]:
    """A new secret Atom address for the saved search; the old one stops working."""
    secret = auth.new_secret(FEED_PREFIX)
    saved.set_feed_hash(conn, uid(user), name, auth.secret_hash(secret))
    return {"feed_url": feed_url(request, secret)}


@router.delete("/saved-searches/{name}", status_code=204)
def delete_saved(name: NameInPath, user: ApiUser, conn: Conn) -> Response:
    if len(name) > saved.MAX_NAME:
        raise HTTPException(status_code=404, detail=f"you have no saved search named {name!r}")
    saved.delete_saved_search(conn, uid(user), name)
    return Response(status_code=204)
