"""The reader's library in pages: sources (add, rename, move, refresh, leave, OPML), the
Latest and Starred lists, a source's or a folder's articles, marking read and starring."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from tidings import pipeline
from tidings.fetch import Fetcher
from tidings.models import InteractionKind, SourceKind, utcnow
from tidings.sources import FeedError, parse_opml, write_opml
from tidings.store import library, reading
from tidings.store.db import transaction
from tidings.web.api import feedback
from tidings.web.api.shapes import MAX_ID, Id
from tidings.web.deps import Conn, Reader, ReaderAlone, state, uid
from tidings.web.guards import SafeText
from tidings.web.ui.render import follow_index, local, page

router = APIRouter()
Text = Annotated[SafeText, Form(max_length=500)]
Folder = Annotated[SafeText, Form(max_length=200)]


def _sources(request: Request, conn: Conn, user: Reader, *, error: str = "", added: str = "",
             status_code: int = 200) -> HTMLResponse:
    subs = library.list_subscriptions(conn, uid(user))
    folders: dict[str, int] = {}
    for sub in subs:
        if sub.folder:
            folders[sub.folder] = folders.get(sub.folder, 0) + sub.unread
    return page(request, conn, "sources.html", user, subs=subs, error=error, added=added,
                folders=folders, follows=follow_index(conn, uid(user)),
                status_code=status_code)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, conn: Conn, user: Reader, added: str = "") -> HTMLResponse:
    return _sources(request, conn, user, added="yes" if added else "")


@router.post("/sources")
def add_source(request: Request, user: ReaderAlone, *,
               url: Annotated[SafeText, Form(max_length=2048)],
               folder: Folder = "",
               full_text: Annotated[bool, Form()] = False) -> Response:
    st = state(request)
    try:
        sub, _ = pipeline.subscribe(st.engine, url.strip(), settings=st.settings,
                                    user_id=uid(user), folder=folder.strip(),
                                    full_text=full_text)
    except ValueError as exc:
        with transaction(st.engine) as conn:
            return _sources(request, conn, user, error=str(exc), status_code=422)
    return RedirectResponse(f"/sources?added={sub.source.id}", status_code=303)


@router.post("/sources/{source_id}/edit")
def edit_source(source_id: Id, conn: Conn, user: Reader, *, title: Text = "",
                folder: Folder = "",
                full_text: Annotated[bool, Form()] = False) -> Response:
    library.update_subscription(conn, uid(user), source_id, title=title.strip(),
                                folder=folder.strip(), full_text=full_text)
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/delete")
def unsubscribe(source_id: Id, conn: Conn, user: Reader) -> Response:
    library.unsubscribe(conn, uid(user), source_id)
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/refresh")
def refresh_now(source_id: Id, request: Request, user: ReaderAlone) -> Response:
    st = state(request)
    with transaction(st.engine) as conn:
        sub = library.get_subscription(conn, uid(user), source_id)
    if sub.source.kind == SourceKind.FEED:
        with Fetcher(st.settings) as fetcher:
            pipeline.refresh_source(st.engine, fetcher, source_id, settings=st.settings)
    return RedirectResponse("/sources", status_code=303)


@router.get("/sources.opml")
def export_opml(conn: Conn, user: Reader) -> Response:
    text = write_opml(library.outlines(conn, uid(user)))
    return PlainTextResponse(text, media_type="text/x-opml; charset=utf-8",
                             headers={"Content-Disposition":
                                      'attachment; filename="subscriptions.opml"'})


@router.post("/sources/opml")
async def import_opml(request: Request, conn: Conn, user: Reader,
                      file: Annotated[bytes, File()]) -> Response:
    try:
        found = parse_opml(file)
    except FeedError as exc:
        return _sources(request, conn, user, error=f"OPML not imported: {exc}",
                        status_code=422)
    library.import_subscriptions(conn, uid(user), found)
    return RedirectResponse(f"/sources?added={len(found)}", status_code=303)


def _list(request: Request, conn: Conn, user: Reader, heading: str, *, q: reading.ListQuery,
          here: str) -> HTMLResponse:
    rows = reading.list_articles(conn, uid(user), q)
    last = rows[-1].article if len(rows) == q.limit else None
    more = (f"{here}{'&' if '?' in here else '?'}before={quote(last.fetched_at.isoformat())}"
            f"&last={last.id}" if last and last.fetched_at else "")
    return page(request, conn, "articles.html", user, heading=heading, rows=rows, q=q,
                here=here, more=more, seen_at=utcnow().isoformat(),
                outlets=library.source_names(conn, uid(user)))


def _before(before: str, last: int) -> tuple[datetime, int] | None:
    try:
        when = datetime.fromisoformat(before) if before else None
    except ValueError:
        return None
    return (when, last) if when and when.tzinfo and 1 <= last <= MAX_ID else None


@router.get("/latest", response_class=HTMLResponse)
def latest(request: Request, conn: Conn, user: Reader, *, all: bool = False,
           before: str = "", last: int = 0) -> HTMLResponse:
    q = reading.ListQuery(unread_only=not all, before=_before(before, last))
    here = "/latest" + ("?all=true" if all else "")
    return _list(request, conn, user, "Latest", q=q, here=here)


@router.get("/starred", response_class=HTMLResponse)
def starred(request: Request, conn: Conn, user: Reader, *, before: str = "",
            last: int = 0) -> HTMLResponse:
    q = reading.ListQuery(view="starred", before=_before(before, last))
    return _list(request, conn, user, "Starred", q=q, here="/starred")


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_articles(source_id: Id, request: Request, conn: Conn, user: Reader, *,
                    all: bool = False, before: str = "",
                    last: int = 0) -> HTMLResponse:
    sub = library.get_subscription(conn, uid(user), source_id)
    q = reading.ListQuery(source_id=source_id, unread_only=not all, before=_before(before, last))
    return _list(request, conn, user, sub.name, q=q, here=f"/sources/{source_id}"
                 + ("?all=true" if all else ""))


@router.get("/folders/{folder}", response_class=HTMLResponse)
def folder_articles(folder: Annotated[SafeText, Path()], request: Request, conn: Conn,
                    user: Reader, *,
                    all: bool = False, before: str = "",
                    last: int = 0) -> HTMLResponse:
    q = reading.ListQuery(folder=folder[:200], unread_only=not all,
                          before=_before(before, last))
    return _list(request, conn, user, folder[:200] or "(no folder)", q=q,
                 here=f"/folders/{quote(folder[:200])}" + ("?all=true" if all else ""))


@router.post("/mark-read")
def mark_read(conn: Conn, user: Reader, *, seen_at: Annotated[str, Form(max_length=64)],
              source_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
              folder: Annotated[SafeText | None, Form(max_length=200)] = None,
              back: Annotated[str, Form(max_length=300)] = "/latest") -> Response:
    try:
        when = datetime.fromisoformat(seen_at)
    except ValueError:
        when = utcnow()
    library.mark_all_read(conn, uid(user), when if when.tzinfo else utcnow(),
                          source_id=source_id, folder=folder)
    return RedirectResponse(local(back, "/latest"), status_code=303)


@router.post("/articles/{article_id}/state")
def article_state(article_id: Id, conn: Conn, user: Reader, *,
                  read: Annotated[bool | None, Form()] = None,
                  starred: Annotated[bool | None, Form()] = None,
                  back: Annotated[str, Form(max_length=300)] = "/latest") -> Response:
    article = reading.visible_article(conn, uid(user), article_id)
    library.set_state(conn, uid(user), [article_id], read=read)
    if starred:  # a star is feedback too; unstarring takes it back
        feedback.give(conn, uid(user), InteractionKind.SAVE, story_id=article.story_id,
                      article_id=article_id)
    elif starred is not None:
        feedback.unstar(conn, uid(user), article_id)
    return RedirectResponse(local(back, "/latest"), status_code=303)
