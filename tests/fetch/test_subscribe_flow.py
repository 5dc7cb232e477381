"""The subscribe path over real HTTP: a site URL (an HTML page) where a feed was expected."""

from __future__ import annotations

import pytest

from tidings.fetch import Fetcher
from tidings.sources import FeedError, discover_feeds, parse_feed

from .conftest import send

PAGE = b"""<!doctype html><html><head><title>Site</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><p>Welcome</p></body></html>"""
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Site feed</title>
<item><title>No link here</title><guid isPermaLink="false">a1</guid>
<pubDate>not a date at all</pubDate></item></channel></rss>"""


def test_site_url_leads_to_its_feed(server, settings):
    @server.route("/")
    def home(h):
        send(h, 200, PAGE, {"Content-Type": "text/html; charset=utf-8"})

    @server.route("/feed.xml")
    def feed(h):
        send(h, 200, FEED, {"Content-Type": "application/rss+xml"})

    with Fetcher(settings) as fetcher:
        page = fetcher.fetch(server.url("/"))
        with pytest.raises(FeedError, match="is an HTML page, not a feed"):
            parse_feed(page.content, url=page.final_url, content_type=page.content_type)
        [feed_url] = discover_feeds(page.content, page.final_url)
        assert feed_url == server.url("/feed.xml")
        result = fetcher.fetch(feed_url)
    parsed = parse_feed(result.content, url=result.final_url, content_type=result.content_type)
    [entry] = parsed.entries
    assert (entry.title, entry.url, entry.guid) == ("No link here", "", "a1")
    assert entry.published_at is None
