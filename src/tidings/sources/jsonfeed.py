"""JSON feeds, parsed by us (feedparser does not read them).

Two shapes exist in the wild: JSON Feed 1.0/1.1 (https://jsonfeed.org) and Dave Winer's
"RSS in JSON" (an RSS 2.0 document transliterated to JSON, `{"rss": {"channel": …}}`).
Both are read leniently: a missing `version`, numeric ids, relative URLs and
`content_text`-only items are all common.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from tidings.extract.sanitize import text_to_html
from tidings.extract.urls import web_url
from tidings.models import Entry, ParsedFeed
from tidings.sources.errors import FeedError
from tidings.sources.text import language_tag, parse_date, plain_text


def _str(value: Any) -> str:
    """A JSON scalar as text; ids may be numbers, anything else counts as absent."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _link(value: Any, base: str) -> str:
    text = _str(value)
    return web_url(urljoin(base, text) if text and base else text)


def _authors(obj: dict[str, Any]) -> str:
    people = obj.get("authors")
    if not isinstance(people, list) or not people:
        people = [obj.get("author")]  # JSON Feed 1.0 had a single author
    names = [_str(p.get("name")) for p in people if isinstance(p, dict)]
    return ", ".join(n for n in names if n)


def _jsonfeed_entry(item: dict[str, Any], base: str, feed_author: str,
                    feed_language: str = "") -> Entry:
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    url = _link(item.get("url"), base) or _link(item.get("external_url"), base)
    published = parse_date(_str(item.get("date_published"))) or parse_date(
        _str(item.get("date_modified"))
    )
    tags = item.get("tags")
    tags = tags if isinstance(tags, list) else []
    return Entry(
        title=plain_text(_str(item.get("title"))),
        url=url,
        guid=_str(item.get("id")),
        summary=summary,
        content_html=content_html or text_to_html(content_text) or summary,
        author=_authors(item) or feed_author,
        published_at=published,
        tags=[_str(t) for t in tags if _str(t)],
        language=language_tag(_str(item.get("language")), feed_language),  # JSON Feed 1.1
    )


def parse_jsonfeed(doc: dict[str, Any], url: str = "") -> ParsedFeed:
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError(f"{url or 'the document'} is JSON but has no 'items' list")
    home = _str(doc.get("home_page_url"))
    base = url or _str(doc.get("feed_url")) or home
    version = _str(doc.get("version"))
    author = _authors(doc)
    language = _str(doc.get("language"))
    entries = [_jsonfeed_entry(i, base, author, language) for i in items if isinstance(i, dict)]
    skipped = len(items) - len(entries)
    return ParsedFeed(
        title=plain_text(_str(doc.get("title"))),
        site_url=_link(home, base),
        entries=entries,
        format="json11" if version.endswith("1.1") else "json10",
        warning=f"{skipped} item(s) were not JSON objects and were skipped" if skipped else None,
    )


def _rss_json_entry(item: dict[str, Any], base: str) -> Entry:
    guid = item.get("guid")
    guid_text = _str(guid.get("#value") or guid.get("value")) if isinstance(guid, dict) else _str(
        guid
    )
    description = _str(item.get("description"))
    return Entry(
        title=plain_text(_str(item.get("title"))),
        url=_link(item.get("link"), base),
        guid=guid_text,
        summary=description,
        content_html=description,
        author=_str(item.get("author")),
        published_at=parse_date(_str(item.get("pubDate"))),
    )


def parse_rss_in_json(doc: dict[str, Any], url: str = "") -> ParsedFeed:
    channel = doc["rss"].get("channel") if isinstance(doc.get("rss"), dict) else None
    if not isinstance(channel, dict):
        raise FeedError(f"{url or 'the document'} is JSON with 'rss' but no 'channel' object")
    items = channel.get("item", [])
    items = [items] if isinstance(items, dict) else items if isinstance(items, list) else []
    base = url or _str(channel.get("link"))
    return ParsedFeed(
        title=plain_text(_str(channel.get("title"))),
        site_url=_link(channel.get("link"), base),
        entries=[_rss_json_entry(i, base) for i in items if isinstance(i, dict)],
        format="rss-in-json",
    )


def parse_json_document(doc: Any, url: str = "") -> ParsedFeed:
    """A decoded JSON value as a feed, or FeedError when it is JSON of another kind."""
    if isinstance(doc, dict) and "rss" in doc:
        return parse_rss_in_json(doc, url)
    if isinstance(doc, dict) and ("items" in doc or "jsonfeed.org" in _str(doc.get("version"))):
        return parse_jsonfeed(doc, url)
    raise FeedError(
        f"{url or 'the document'} is JSON but not a JSON Feed (no 'version'/'items');"
        " check that the URL is the site's feed"
    )
