"""A saved search as an Atom feed at its own secret address (only a hash of it is stored)."""

from __future__ import annotations

from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from tidings import auth
from tidings.extract.urls import web_url
from tidings.models import utcnow
from tidings.search import parse
from tidings.search.snippet import to_text
from tidings.store import search as search_store
from tidings.store.saved_searches import saved_search_by_feed
from tidings.web.atom import ATOM, to_xml
from tidings.web.deps import db, state

router = APIRouter(include_in_schema=False)
Conn = Annotated[Connection, Depends(db)]


def _entry(feed: ET.Element, hit: search_store.Hit, base: str) -> None:
    a = hit.article
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = f"{base}/articles/{a.id}"
    ET.SubElement(entry, "title").text = a.title or "(untitled)"
    ET.SubElement(entry, "updated").text = (a.published_at or a.fetched_at or utcnow()).isoformat()
    ET.SubElement(entry, "link", href=f"{base}/articles/{a.id}")
    if web_url(a.url):
        ET.SubElement(entry, "link", rel="via", href=web_url(a.url))
    if a.byline:
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = a.byline
    ET.SubElement(entry, "summary").text = to_text(hit.snippet)


@router.get("/feeds/search/{token}.atom")
def saved_search_feed(token: str, request: Request, conn: Conn) -> Response:
    found = saved_search_by_feed(conn, auth.secret_hash(token)) if len(token) <= 200 else None
    if found is None:
        raise HTTPException(status_code=404, detail="no feed at this address")
    page = search_store.search(conn, found.user_id, parse(found.query, now=utcnow()), limit=50)
    base = state(request).settings.public_url
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = f"{base}/feeds/search/{token}.atom"
    ET.SubElement(feed, "title").text = f"Tidings search: {found.name}"
    when = max((h.article.fetched_at or utcnow() for h in page.hits), default=utcnow())
    ET.SubElement(feed, "updated").text = when.isoformat()
    ET.SubElement(feed, "link", rel="self", href=f"{base}/feeds/search/{token}.atom")
    ET.SubElement(feed, "generator").text = "Tidings"
    for hit in page.hits:
        _entry(feed, hit, base)
    return Response(to_xml(feed),
                    media_type="application/atom+xml; charset=utf-8")
