"""The search pages: results with highlighted snippets, "save this search", and each saved
search as a view of its own (with its secret Atom address, shown once)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tidings import auth
from tidings.models import User, utcnow
from tidings.search import parse
from tidings.search.snippet import to_html
from tidings.store import library
from tidings.store import saved_searches as saved
from tidings.store import search as search_store
from tidings.web.api.search import FEED_PREFIX, MAX_QUERY, feed_url
from tidings.web.deps import Conn, Reader, uid
from tidings.web.guards import SafeText
from tidings.web.ui.render import page

router = APIRouter()
QueryText = Annotated[str, Query(max_length=MAX_QUERY)]  # the grammar judges it
Name = Annotated[SafeText, Path()]
Group = Literal["articles", "stories"]
Order = Literal["newest", "relevant"]


def _results(request: Request, conn: Conn, user: User, q: str, *, cursor: str | None = None,
             group: Group = "articles", order: Order = "newest", current: str = "",
             message: str = "", secret_url: str = "") -> HTMLResponse:
    ctx: dict[str, Any] = {"q": q, "group": group, "order": order, "current": current,
                              "message": message, "secret_url": secret_url, "hits": [],
                              "error": "", "more": "",
                              "saved": saved.list_saved_searches(conn, uid(user))}
    if q.strip():
        try:
            tree = parse(q, now=utcnow())
            found = search_store.search(conn, uid(user), tree, order=order, group=group,
                                        cursor=cursor)
        except ValueError as exc:
            ctx["error"] = str(exc)
            return page(request, conn, "search.html", user, status_code=400, **ctx)
        ctx["hits"] = [(h, to_html(h.snippet)) for h in found.hits]
        if found.next:
            ctx["more"] = request.url.path + "?" + urlencode(
                {"q": q, "group": group, "order": order, "cursor": found.next})
    ctx["outlets"] = library.source_names(conn, uid(user))
    return page(request, conn, "search.html", user, **ctx)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, conn: Conn, user: Reader, *, q: QueryText = "",
                cursor: Annotated[str | None, Query(max_length=200)] = None,
                group: Group = "articles", order: Order = "newest") -> HTMLResponse:
    return _results(request, conn, user, q, cursor=cursor, group=group, order=order)


@router.post("/search/saved")
def save_search(request: Request, conn: Conn, user: Reader,
                name: Annotated[SafeText, Form(min_length=1, max_length=saved.MAX_NAME)],
                q: Annotated[str, Form(max_length=MAX_QUERY)]) -> Response:
    try:
        parse(q, now=utcnow())
        secret = auth.new_secret(FEED_PREFIX)
        saved.save_search(conn, uid(user), name.strip(), q, auth.secret_hash(secret))
    except ValueError as exc:
        return _results(request, conn, user, q, message=str(exc))
    return _results(request, conn, user, q, current=name.strip(),
                    message=f"Saved as “{name.strip()}”. Its Atom feed address is shown once:",
                    secret_url=feed_url(request, secret))


@router.get("/search/saved/{name}", response_class=HTMLResponse)
def saved_view(name: Name, request: Request, conn: Conn, user: Reader,
               cursor: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    found = saved.get_saved_search(conn, uid(user), name)
    return _results(request, conn, user, found.query, cursor=cursor, current=found.name)


@router.post("/search/saved/{name}/feed")
def rotate_feed(name: Name, request: Request, conn: Conn, user: Reader) -> Response:
    found = saved.get_saved_search(conn, uid(user), name)
    secret = auth.new_secret(FEED_PREFIX)
    saved.set_feed_hash(conn, uid(user), name, auth.secret_hash(secret))
    return _results(request, conn, user, found.query, current=found.name,
                    message="New feed address (the old one no longer works):",
                    secret_url=feed_url(request, secret))


@router.post("/search/saved/{name}/delete")
def delete_saved(name: Name, conn: Conn, user: Reader) -> Response:
    saved.delete_saved_search(conn, uid(user), name)
    return RedirectResponse("/search", status_code=303)

