"""Bytes → ParsedFeed, whatever the server called them.

The format is decided by the content, not by the label: servers send Atom as `.rss`, RSS as
`text/html`, JSON Feed as `text/plain`. JSON goes to our own parser; everything else to
feedparser, which copes with RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF, broken XML and legacy
encodings. When nothing feed-like comes out, the error says what the bytes were instead.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from tidings.extract.urls import web_url
from tidings.models import Entry, ParsedFeed
from tidings.sources.errors import FeedError
from tidings.sources.jsonfeed import parse_json_document
from tidings.sources.text import (
    detail_text,
    from_struct,
    language_tag,
    parse_numeric_date,
    plain_text,
)

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.I | re.S)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|channel)[\s>]", re.I)
# feedparser flags a charset or media type that disagrees with the document even when it then
# reads the document correctly; that is the server's label, not a problem with the feed.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

log = logging.getLogger(__name__)


def _looks_like_json(data: bytes) -> bool:
    head = data[:64]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    return head.lstrip()[:1] in (b"{", b"[")


def looks_like_html(data: bytes) -> bool:
    """An HTML page rather than a feed: starts like HTML and has no feed root element."""
    head = data[:4096]
    return bool(_HTML_START.match(head)) and not _FEED_ROOT.search(head)


def _name(url: str) -> str:
    return url or "the document"


def _json_hint(exc: json.JSONDecodeError) -> str:
    at_end = exc.pos >= len(exc.doc.rstrip()) - 1
    return "it looks truncated" if at_end or exc.msg.startswith("Unterminated") else "malformed"


def _parse_json(data: bytes, url: str) -> ParsedFeed:
    try:
        # strict=False: raw control characters inside strings are common in real JSON feeds.
        doc = json.loads(data.decode("utf-8-sig"), strict=False)
    except UnicodeDecodeError as exc:
        raise FeedError(f"{_name(url)} looks like JSON but is not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"{_name(url)} looks like JSON but is not valid JSON ({exc.msg}, character"
            f" {exc.pos}; {_json_hint(exc)}); no entries were read, Tidings will try again"
            " next refresh"
        ) from exc
    return parse_json_document(doc, url)


def parse_feed(data: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse feed bytes (RSS, Atom, RDF, JSON Feed, RSS-in-JSON) into a ParsedFeed.

    `url` (the final URL after redirects) resolves relative links; `content_type` is only a
    hint for the character encoding. Raises FeedError when the bytes are not a feed, and on
    anything else that goes wrong inside the parsers: feed bytes come from strangers, and
    feedparser has crashes of its own on a few dozen hostile bytes.
    """
    if not data.strip():
        raise FeedError(f"{_name(url)} is empty, not a feed; check the URL")
    try:
        if _looks_like_json(data):
            return _parse_json(data, url)
        return _parse_xml(data, url, content_type)
    except FeedError:
        raise
    except Exception as exc:  # a parser bug on odd bytes is still bad input
        log.info("feed parser failed on %s: %r", _name(url), exc)
        raise FeedError(
            f"{_name(url)} could not be read as a feed (the parser gave up: "
            f"{type(exc).__name__}); check that the URL is a feed, Tidings will try again next"
            " refresh"
        ) from exc


def _parse_xml(data: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url} if url else {}
    if content_type and "html" not in content_type.lower():
        headers["content-type"] = content_type  # "text/html" would only mislead the sniffing
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    feed = _from_feedparser(parsed, url)
    # Broken markup can leave feedparser with "entries" that hold nothing at all.
    if not (parsed.version or any(map(_has_content, feed.entries)) or feed.title
            or feed.site_url):
        raise _not_a_feed(data, url, parsed)
    return feed


def _has_content(entry: Entry) -> bool:
    return any((entry.title, entry.url, entry.guid, entry.summary, entry.content_html,
                entry.author, entry.published_at, entry.tags))


def _str(node: Any, key: str) -> str:
    """A text field of a feedparser node; broken markup can leave None (or a non-string)."""
    value = node.get(key) if hasattr(node, "get") else None
    return value if isinstance(value, str) else ""


def _list(node: Any, key: str) -> list[Any]:
    value = node.get(key) if hasattr(node, "get") else None
    return [v for v in value if hasattr(v, "get")] if isinstance(value, list) else []


def _not_a_feed(data: bytes, url: str, parsed: Any) -> FeedError:
    if looks_like_html(data):
        return FeedError(
            f"{_name(url)} is an HTML page, not a feed; try the site's feed URL"
            " (`tidings add` with the page URL finds the feeds it links to)"
        )
    reason = parsed.get("bozo_exception") or "no RSS, Atom, RDF or JSON Feed structure found"
    return FeedError(
        f"{_name(url)} is not valid XML or JSON feed data ({reason}); check that the URL is a feed"
    )


def _from_feedparser(parsed: Any, url: str) -> ParsedFeed:
    feed = parsed.feed
    site_url = _str(feed, "link")
    base = url or site_url
    warning = None
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), _HARMLESS):
        warning = f"the feed has errors but was read anyway: {parsed.get('bozo_exception')}"
    return ParsedFeed(
        title=_title(feed),
        site_url=web_url(urljoin(url, site_url) if url and site_url else site_url),
        entries=[_entry(e, base, _str(feed, "language")) for e in parsed.entries
                 if hasattr(e, "get")],
        format=parsed.version or "unknown",
        warning=warning,
    )


def _title(node: Any) -> str:
    detail = node.get("title_detail")
    mime = _str(detail, "type") or "text/html"
    return detail_text(_str(node, "title"), mime)


def _fullest_content(item: Any) -> str:
    contents = [_str(c, "value") for c in _list(item, "content")]
    summary = _str(item, "summary")
    return max([*contents, summary], key=len)


def _entry_link(item: Any, base: str) -> str:
    link = _str(item, "link")
    if not link:  # Atom entries sometimes carry only rel="enclosure"/"related" links
        hrefs = [_str(lnk, "href") for lnk in _list(item, "links") if _str(lnk, "href")]
        link = hrefs[0] if hrefs else ""
    if not link and item.get("guidislink"):
        link = _str(item, "id")
    return web_url(urljoin(base, link.strip()) if base and link else link)


def _date(item: Any, key: str) -> datetime | None:
    """Numeric dates we read ourselves (feedparser gets "2020/1/10" wrong); the many textual
    formats (RFC 822 with odd zones, W3CDTF variants, localised months) we leave to it.

    dict.get, not item.get: FeedParserDict maps a missing `updated` to `published` with a
    DeprecationWarning; we want each key as the feed wrote it.
    """
    raw = dict.get(item, key)
    ours = parse_numeric_date(raw) if isinstance(raw, str) else None
    return ours or from_struct(dict.get(item, f"{key}_parsed"))


def _entry(item: Any, base: str, feed_language: str = "") -> Entry:
    """`feed_language`: the channel's <language> or the feed's xml:lang; an entry's own
    xml:lang (feedparser keeps it on the title) comes first."""
    published = _date(item, "published") or _date(item, "updated")
    return Entry(
        title=_title(item),
        url=_entry_link(item, base),
        guid=_str(item, "id").strip(),
        summary=_str(item, "summary"),
        content_html=_fullest_content(item),
        author=plain_text(_str(item, "author")),
        published_at=published,
        tags=[_str(t, "term") for t in _list(item, "tags") if _str(t, "term")],
        language=language_tag(_str(item.get("title_detail"), "language"), feed_language),
    )
