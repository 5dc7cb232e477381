"""Article metadata from the page's own declarations: JSON-LD, Open Graph and <meta> tags.

Publishers state title, byline, date, section and lead image for search engines and social
cards; those declarations beat guessing from the layout, so they come first and
trafilatura's heuristics fill the gaps (see page.py).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from dateutil import parser as date_parser
from lxml import html as lxml_html

from tidings.extract.signals import byline_of

ARTICLE_TYPES = re.compile(r"(?:News)?Article$|BlogPosting$|Report$|LiveBlogPosting$|"
                           r"AnalysisNewsArticle$|OpinionNewsArticle$", re.I)
_META_KEYS = {
    "title": ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title"),
    "date": ("article:published_time", "og:article:published_time", "datepublished",
             "publishdate", "pubdate", "publish-date", "dc.date.issued", "dc.date",
             "parsely-pub-date", "sailthru.date", "date", "dcterms.date", "article.published"),
    "byline": ("author", "article:author", "byl", "parsely-author", "sailthru.author",
               "dc.creator", "twitter:creator"),
    "section": ("article:section", "og:article:section", "parsely-section", "section",
                "category", "article.section"),
    "image": ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
              "twitter:image:src"),
}


@dataclass
class PageMeta:
    title: str = ""
    byline: str = ""
    published_at: datetime | None = None
    section: str = ""
    lead_image: str = ""


def read_metadata(tree: lxml_html.HtmlElement, url: str = "") -> PageMeta:
    """Declared metadata; JSON-LD first, then meta tags, each field independently."""
    meta = _meta_tags(tree)
    ld = _json_ld_article(tree)
    byline = _ld_author(ld.get("author")) or _meta_byline(meta)
    image = _ld_image(ld.get("image")) or _first(meta, "image")
    return PageMeta(
        title=_clean(ld.get("headline")) or _first(meta, "title"),
        byline=byline,
        published_at=to_utc(_clean(ld.get("datePublished")) or _first(meta, "date")),
        section=_section(ld.get("articleSection")) or _first(meta, "section"),
        lead_image=urljoin(url, image) if image else "",
    )


def _meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        value = (node.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _first(meta: dict[str, str], field: str) -> str:
    for key in _META_KEYS[field]:
        if meta.get(key):
            return _clean(meta[key])
    return ""


def _meta_byline(meta: dict[str, str]) -> str:
    value = _first(meta, "byline")
    if value.startswith(("http://", "https://", "@")):
        return ""  # a profile URL or handle, not a name
    return byline_of(value) or value


def _json_ld_article(tree: lxml_html.HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object typed as an article (inside @graph or lists too)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _walk_ld(data):
            types = item.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and ARTICLE_TYPES.search(t) for t in names):
                return item
    return {}


def _walk_ld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _walk_ld(data.get("@graph"), depth + 1)


def _ld_author(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    names = [_clean(item.get("name")) if isinstance(item, dict) else _clean(item)
             for item in items]
    names = [n for n in names if n and not n.startswith("http")]
    return ", ".join(dict.fromkeys(names))


def _ld_image(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or ""
    return _clean(value)


def _section(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return _clean(value)


def _clean(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def to_utc(value: str | datetime | None) -> datetime | None:
    """Parse a declared date; naive values are taken as UTC; nonsense gives None."""
    if not value:
        return None
    try:
        parsed = value if isinstance(value, datetime) else date_parser.isoparse(value)
    except (ValueError, OverflowError):
        with warnings.catch_warnings():
            # Zone names like "CET" are ambiguous; dateutil warns and we fall back to UTC.
            warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
            try:
                parsed = date_parser.parse(str(value))
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
