"""parse_feed on small synthetic documents: formats, errors, identity."""

from __future__ import annotations

import pytest

from tidings.models import Entry
from tidings.sources import FeedError, entry_key, parse_feed


def test_json_feed_is_parsed_by_content_not_label():
    data = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J",'
        b' "home_page_url": "https://j.example/",'
        b' "items": [{"id": 7, "url": "/p/7?utm_source=x", "title": "Seven",'
        b' "content_text": "Hello", "date_published": "2024-02-03T04:05:06+01:00"}]}'
    )
    feed = parse_feed(data, url="https://j.example/feed.json", content_type="text/html")
    assert feed.format == "json11" and feed.title == "J"
    entry = feed.entries[0]
    assert entry.guid == "7" and entry.url == "https://j.example/p/7?utm_source=x"
    assert entry.published_at is not None
    assert entry.published_at.isoformat() == "2024-02-03T03:05:06+00:00"
    assert entry.content_html == "<p>Hello</p>"


def test_html_page_gets_a_clear_error():
    with pytest.raises(FeedError, match="is an HTML page, not a feed"):
        parse_feed(b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>",
                   url="https://site.example/")


def test_garbage_gets_a_clear_error():
    with pytest.raises(FeedError, match="not valid XML or JSON"):
        parse_feed(b"\x00\x01 this is not a feed <<<", url="https://site.example/f")


def test_entry_key_prefers_guid_then_canonical_url_then_hash():
    assert entry_key(Entry(guid="abc", url="https://x/")) == "guid:abc"
    assert entry_key(Entry(url="HTTPS://X.example/a?utm_medium=rss#top")) == "url:https://x.example/a"
    hashed = entry_key(Entry(title="t", content_html="c"))
    assert hashed.startswith("hash:") and hashed != entry_key(Entry(title="t", content_html="d"))


def test_a_declared_language_reaches_each_entry_as_a_tag():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           b"<language>de-AT</language><item><title>Regierung tagt</title>"
           b"<link>https://a.example/1</link></item></channel></rss>")
    assert [e.language for e in parse_feed(rss).entries] == ["de-at"]
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
            b"<title>T</title><entry><id>1</id><title>Le conseil vote</title>"
            b'<link href="https://a.example/1"/></entry><entry xml:lang="en-GB"><id>2</id>'
            b'<title>The council votes</title><link href="https://a.example/2"/></entry></feed>')
    assert [e.language for e in parse_feed(atom).entries] == ["fr", "en-gb"]  # its own first
    json_feed = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", '
                 b'"language": "es", "items": [{"id": "1", "title": "Hola"}, '
                 b'{"id": "2", "title": "Hi", "language": "en-US"}]}')
    assert [e.language for e in parse_feed(json_feed).entries] == ["es", "en-us"]


@pytest.mark.parametrize("declared", ["", "English", "x" * 5000, "12", "en-"])
def test_a_language_that_is_not_a_tag_is_ignored(declared):
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           f"<language>{declared}</language><item><title>A</title>"
           f"<link>https://a.example/1</link></item></channel></rss>").encode()
    assert parse_feed(rss).entries[0].language == ""
