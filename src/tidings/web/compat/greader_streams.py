"""Google Reader API streams: item ids, item contents (JSON, and Atom for newsboat), and the
two streams only Tidings has: `user/-/label/For you` in the ranker's order and
`user/-/label/Headlines` by how many of the reader's outlets cover the story."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Connection

from tidings.extract.urls import web_url
from tidings.models import utcnow
from tidings.rank.feed import View, feed_for_user
from tidings.store import library, reading, sync
from tidings.web.atom import to_xml
from tidings.web.compat import ids
from tidings.web.compat.auth import SyncReader
from tidings.web.compat.ids import LABEL, STATE, STORY_CATEGORY, BadRequest, Stream
from tidings.web.compat.marks import opened
from tidings.web.compat.params import Params, SyncParams
from tidings.web.deps import Conn, state, uid, writes

router = APIRouter(include_in_schema=False)
API = "/reader/api/0"
RANKED_STORIES = 200  # For you / Headlines: stories considered for one request
MAX_CONTENTS = 1000


def _query(p: Params, s: Stream, limit_high: int) -> sync.StreamQuery:
    """The filters of a stream request: xt/it (read, starred), ot/nt, r=o, c, n."""
    exclude, include = p.one("xt"), p.one("it")
    read = False if exclude == f"{STATE}read" else None
    if include == f"{STATE}read" or s.kind == "read":
        read = True
    if s.kind == "kept-unread":
        read = False
    starred = include == f"{STATE}starred" or s.kind == "starred"
    ot, nt, c = p.one("ot", max_chars=30), p.one("nt", max_chars=30), p.one("c", max_chars=30)
    if c and not c.isdigit():
        raise BadRequest("c: pass the continuation of the previous answer unchanged")
    after = int(c) if c else None
    if after is not None and not 0 <= after <= ids.MAX_ID:
        raise BadRequest("c: not a continuation this server made")
    return sync.StreamQuery(
        source_id=s.source_id, folder=s.label if s.kind == "label" else None,
        starred=starred or None, read=read,
        oldest=ids.timestamp(ot, "ot") if ot else None,
        newest=ids.timestamp(nt, "nt") if nt else None,
        ascending=p.one("r", max_chars=5) == "o", after_id=after,
        limit=min(p.number("n", 20, 1, 1_000_000), limit_high))


def _ids(conn: Connection, user_id: int, s: Stream, q: sync.StreamQuery) -> list[int]:
    """The ids of one page of a stream, and nothing about them yet."""
    if s.kind in {"for-you", "headlines"}:
        return _ranked(conn, user_id, s, q)
    if s.kind == "feed" and s.source_id is not None:
        library.get_subscription(conn, user_id, s.source_id)  # someone else's: 404
    return sync.stream_ids(conn, user_id, q)


def _ranked(conn: Connection, user_id: int, s: Stream, q: sync.StreamQuery) -> list[int]:
    """For you: each ranked story's lead article, then its others. Headlines: the stories
    most outlets cover, lead first. Continuation is an offset here."""
    view: View = "for_you" if s.kind == "for-you" else "headlines"
    stories = [(i.lead.id or 0, i.story.id)
               for i in feed_for_user(conn, user_id, limit=RANKED_STORIES, view=view)]
    by_story = reading.story_articles(conn, user_id, [sid for _, sid in stories if sid])
    order: list[int] = []
    for lead, sid in stories:
        order += [lead] + [a.id or 0 for a in by_story.get(sid or 0, []) if a.id != lead]
    kept = sync.stream_ids(conn, user_id, sync.StreamQuery(
        read=q.read, starred=q.starred, oldest=q.oldest, newest=q.newest, ids=order,
        limit=sync.MAX_IDS))
    wanted = set(kept)
    page = [i for i in dict.fromkeys(order) if i in wanted]
    start = q.after_id or 0
    return page[start:start + q.limit]


def _continuation(s: Stream, q: sync.StreamQuery, page: list[int]) -> str | None:
    if len(page) < q.limit or not page:
        return None
    if s.kind in {"for-you", "headlines"}:
        return str((q.after_id or 0) + len(page))
    return str(page[-1])


@router.api_route(f"{API}/stream/items/ids", methods=["GET", "POST"])
def stream_item_ids(p: SyncParams, user: SyncReader, conn: Conn) -> Response:
    s = ids.stream(p.need("s"))
    q = _query(p, s, sync.MAX_IDS)
    page = _ids(conn, uid(user), s, q)
    out: dict[str, Any] = {"itemRefs": [{"id": str(i)} for i in page]}
    if (nxt := _continuation(s, q, page)) is not None:
        out["continuation"] = nxt
    return JSONResponse(out)  # as it is: FastAPI's encoder costs more than the query here


@router.api_route(f"{API}/stream/items/contents", methods=["GET", "POST"])
@writes  # one item asked for is an open (feedback)
def stream_items_contents(p: SyncParams, request: Request, user: SyncReader,
                          conn: Conn) -> Response:
    wanted = list(dict.fromkeys(ids.item_id(i) for i in p.many("i")))
    if not wanted:
        raise BadRequest("missing parameter i (one or more item ids)")
    rows = sync.items(conn, uid(user), wanted)
    if len(wanted) == 1:
        opened(conn, uid(user), wanted)  # one item asked for: the reader opened it
    base = state(request).settings.public_url
    return JSONResponse(_contents("user/-/state/com.google/reading-list", "Items",
                                  [rows[i] for i in wanted if i in rows], base))


@router.get(API + "/stream/contents/{stream_id:path}")
def stream_contents(p: SyncParams, stream_id: str, request: Request, user: SyncReader,
                   conn: Conn) -> Response:
    s = ids.stream(stream_id or p.need("s"))
    q = _query(p, s, MAX_CONTENTS)
    page = _ids(conn, uid(user), s, q)
    rows = sync.items(conn, uid(user), page)
    out = _contents(stream_id, stream_id, [rows[i] for i in page if i in rows],
                    state(request).settings.public_url)
    if (nxt := _continuation(s, q, page)) is not None:
        out["continuation"] = nxt
    return JSONResponse(out)


def _contents(stream_id: str, title: str, rows: list[Any], base: str) -> dict[str, Any]:
    return {"direction": "ltr", "id": stream_id, "title": title,
            "self": [{"href": f"{base}{API}/stream/contents/{stream_id}"}],
            "updated": int(utcnow().timestamp()), "author": "",
            "items": [item_json(r) for r in rows]}


def categories(row: Any) -> list[str]:
    cats = [f"{STATE}reading-list"]
    if row.is_read:
        cats.append(f"{STATE}read")
    if row.is_starred:
        cats.append(f"{STATE}starred")
    if row.folder:
        cats.append(f"{LABEL}{row.folder}")
    if row.story_id:
        cats.append(f"{STORY_CATEGORY}{row.story_id}")
    return cats


def item_json(row: Any) -> dict[str, Any]:
    link = web_url(row.url) or web_url(row.canonical_url)
    published = row.published_at or row.fetched_at
    return {
        "id": ids.long_item_id(row.id), "categories": categories(row),
        "title": row.title, "author": row.byline,
        "crawlTimeMsec": str(ids.usec(row.fetched_at) // 1000),
        "timestampUsec": str(ids.usec(row.fetched_at)),
        "published": int(published.timestamp()), "updated": int(published.timestamp()),
        "canonical": [{"href": link}] if link else [],
        "alternate": [{"href": link, "type": "text/html"}] if link else [],
        "summary": {"direction": "ltr", "content": item_html(row)},
        "origin": {"streamId": f"feed/{row.source_id}", "title": row.source_name,
                   "htmlUrl": web_url(row.site_url)},
    }


def item_html(row: Any) -> str:
    """The sanitized reader HTML we stored; plain text, escaped, when there is none."""
    if row.html:
        return str(row.html)
    paragraphs = [p for p in str(row.text or "").split("\n") if p.strip()]
    return "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- Atom, for newsboat's `feedhq` source -----------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"
GR_SCHEME = "http://www.google.com/reader/"


@router.get("/reader/atom/{stream_id:path}")
def atom_stream(p: SyncParams, stream_id: str, user: SyncReader, conn: Conn) -> Response:
    s = ids.stream(stream_id)
    q = _query(p, s, MAX_CONTENTS)
    page = _ids(conn, uid(user), s, q)
    rows = sync.items(conn, uid(user), page)
    return Response(atom_document(stream_id, [rows[i] for i in page if i in rows]),
                    media_type="application/atom+xml; charset=utf-8")


def atom_document(stream_id: str, rows: list[Any]) -> bytes:
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = f"tag:google.com,2005:reader/{stream_id}"
    ET.SubElement(feed, "title").text = rows[0].source_name if rows else stream_id
    ET.SubElement(feed, "updated").text = utcnow().isoformat()
    for row in rows:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = ids.long_item_id(row.id)
        ET.SubElement(entry, "title").text = row.title
        when = (row.published_at or row.fetched_at).isoformat()
        ET.SubElement(entry, "published").text = when
        ET.SubElement(entry, "updated").text = when
        if link := web_url(row.url) or web_url(row.canonical_url):
            ET.SubElement(entry, "link", rel="alternate", href=link, type="text/html")
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = row.byline or ""
        # newsboat takes read state from these labels: "read", else "kept-unread"
        states = categories(row) + ([] if row.is_read else [f"{STATE}kept-unread"])
        for cat in states:
            label = cat.removeprefix(STATE) if cat.startswith(STATE) else cat
            ET.SubElement(entry, "category", term=cat, scheme=GR_SCHEME, label=label)
        ET.SubElement(entry, "content", type="html").text = item_html(row)
    return to_xml(feed)
