"""The personalised Atom feed: a user's ranked stories for any feed reader, at a secret URL."""

from __future__ import annotations

import re
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from tidings import auth
from tidings.extract.urls import web_url
from tidings.models import FeedItem, TokenKind, utcnow
from tidings.rank.feed import feed_for_user
from tidings.store import accounts
from tidings.web.deps import db, state

router = APIRouter(include_in_schema=False)
Conn = Annotated[Connection, Depends(db, scope="function")]
ATOM = "http://www.w3.org/2005/Atom"
# What XML 1.0 cannot carry at all (not even escaped): C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF. A feed reader refuses the whole
# document over one of them, so they are dropped from every text and attribute we write.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def to_xml(root: ET.Element) -> bytes:
    """The document as UTF-8 bytes with its declaration, every text and attribute cleaned
    of characters XML 1.0 cannot carry (a title with a stray \\x0b from a feed, say)."""
    for node in root.iter():
        if node.text:
            node.text = xml_text(node.text)
        if node.tail:
            node.tail = xml_text(node.tail)
        for name, value in node.attrib.items():
            node.set(name, xml_text(value))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, item: FeedItem, base: str) -> None:
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = f"{base}/stories/{item.story.id}"
    ET.SubElement(entry, "title").text = item.lead.title or item.story.title
    ET.SubElement(entry, "updated").text = item.story.last_seen.isoformat()
    ET.SubElement(entry, "link", href=f"{base}/stories/{item.story.id}")
    if web_url(item.lead.url):
        ET.SubElement(entry, "link", rel="via", href=web_url(item.lead.url))
    for name in item.sources:
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = name
    points = " ".join(item.lead.key_points) or item.lead.text[:400]
    why = "; ".join(item.why)
    ET.SubElement(entry, "summary").text = f"{points}\n\nWhy: {why}" if why else points


def atom_document(items: list[FeedItem], *, title: str, base: str, self_url: str) -> bytes:
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = self_url
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "updated").text = (
        max((i.story.last_seen for i in items), default=utcnow()).isoformat())
    ET.SubElement(feed, "link", rel="self", href=self_url)
    ET.SubElement(feed, "generator").text = "Tidings"
    for item in items:
        _entry(feed, item, base)
    return to_xml(feed)


@router.get("/feeds/{token}.atom")
def personal_feed(token: str, request: Request, conn: Conn) -> Response:
    """A reader's ranked feed at a secret address (only a hash of it is stored)."""
    user = None
    if len(token) <= 200:
        user = accounts.token_user(conn, auth.secret_hash(token), (TokenKind.FEED,))
    if user is None:
        raise HTTPException(status_code=404, detail="no feed at this address")
    items = feed_for_user(conn, user.id or 0, limit=50)
    base = state(request).settings.public_url  # ids stay the same however we are reached
    body = atom_document(items, title=f"Tidings for {user.name}", base=base,
                         self_url=f"{base}/feeds/{token}.atom")
    return Response(body, media_type="application/atom+xml; charset=utf-8")
