"""Feed autodiscovery: the feeds an HTML page advertises with <link rel="alternate">."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/feed+json", "application/json", "application/x.atom+xml",
    "application/x-atom+xml", "application/x-rss+xml", "text/xml", "application/xml",
})  # fmt: skip


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Not only <head>: some sites (YouTube) put their feed <link> inside <body>.
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "base" and values.get("href") and not self.base:
            self.base = values["href"]
        elif tag == "link" and _is_feed_link(values):
            self.hrefs.append(values["href"])


def _is_feed_link(values: dict[str, str]) -> bool:
    rels = values.get("rel", "").lower().split()
    kind = values.get("type", "").lower().split(";")[0].strip()
    return "alternate" in rels and kind in FEED_TYPES and bool(values.get("href"))


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Absolute feed URLs linked from the page, in page order, without duplicates."""
    collector = _LinkCollector()
    # Only markup matters here and it is ASCII; undecodable bytes in text are irrelevant.
    collector.feed(html.decode("utf-8", errors="replace"))
    collector.close()
    base = urljoin(base_url, collector.base) if collector.base else base_url
    found: list[str] = []
    for href in collector.hrefs:
        absolute = urljoin(base, href)
        if absolute.split(":", 1)[0].lower() in ("http", "https") and absolute not in found:
            found.append(absolute)
    return found
