"""Bad input: each gets a clear error or a best-effort parse, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.extract.urls import canonical_url
from tidings.models import Entry
from tidings.sources import FeedError, entry_key, parse_feed


def _rss(items: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>T</title><link>https://site.example/</link>{extra}{items}</channel></rss>"
            ).encode()


def test_broken_xml_keeps_what_can_be_read_and_says_so():
    data = _rss("<item><title>Kept</title><link>https://site.example/a</link></item>"
                "<item><title>Broken & unescaped</title>")[:-len("</channel></rss>")]
    feed = parse_feed(data, url="https://site.example/feed")
    assert [e.title for e in feed.entries][:1] == ["Kept"]
    assert feed.warning and "errors" in feed.warning


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 30 Feb 2021 10:00:00 GMT", None),  # no 30 February
        ("yesterday-ish", None),
        ("0000-00-00T00:00:00Z", None),
        ("Mon, 01 Jan 1900 00:00:00 GMT", None),  # a placeholder, not a publication time
        ("2021-03-04T05:06:07+02:00", datetime(2021, 3, 4, 3, 6, 7, tzinfo=UTC)),
        ("Thu, 04 Mar 2021 05:06:07 PST", datetime(2021, 3, 4, 13, 6, 7, tzinfo=UTC)),
    ],
)
def test_invalid_dates_become_none_and_the_entry_is_kept(raw, expected):
    feed = parse_feed(_rss(f"<item><title>A</title><guid>g1</guid><pubDate>{raw}</pubDate></item>"))
    assert len(feed.entries) == 1
    assert feed.entries[0].published_at == expected


def test_entries_without_links_still_have_an_identity():
    feed = parse_feed(_rss(
        "<item><title>No link, guid</title><guid isPermaLink='false'>tag:x,1</guid></item>"
        "<item><title>No link, no guid</title><description>Body one</description></item>"
        "<item><title>No link, no guid</title><description>Body two</description></item>"
    ))
    assert [e.url for e in feed.entries] == ["", "", ""]
    keys = [entry_key(e) for e in feed.entries]
    assert keys[0] == "guid:tag:x,1"
    assert keys[1].startswith("hash:") and keys[2].startswith("hash:") and keys[1] != keys[2]


def test_permalink_guid_is_used_as_the_link_when_there_is_no_link():
    feed = parse_feed(_rss("<item><title>A</title><guid>https://site.example/p/1</guid></item>"))
    assert feed.entries[0].url == "https://site.example/p/1"


def test_relative_links_are_made_absolute_against_the_feed_url():
    feed = parse_feed(_rss("<item><title>A</title><link>/posts/a</link></item>"),
                      url="https://site.example/blog/feed.xml")
    assert feed.entries[0].url == "https://site.example/posts/a"


def test_content_html_is_the_fullest_content():
    feed = parse_feed(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b"<entry><id>urn:1</id><title>E</title><summary>Short.</summary>"
        b'<content type="html">&lt;p&gt;Short. And the whole story.&lt;/p&gt;</content></entry>'
        b"</feed>"
    )
    entry = feed.entries[0]
    assert entry.summary == "Short."
    assert entry.content_html == "<p>Short. And the whole story.</p>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (b"<html><body><p>Welcome</p></body></html>", "HTML page, not a feed"),
        (b"<!-- banner -->\n<!doctype html><title>x</title>", "HTML page, not a feed"),
        (b'{"name": "not a feed"}', "JSON but not a JSON Feed"),
        (b"[1, 2, 3]", "JSON but not a JSON Feed"),
        (b'{"items": [', "looks truncated"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not valid XML or JSON"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not valid XML or JSON"),
    ],
)
def test_not_a_feed_gets_a_clear_error_naming_the_url(data, message):
    with pytest.raises(FeedError, match=message) as caught:
        parse_feed(data, url="https://site.example/where")
    assert "https://site.example/where" in str(caught.value)


def test_mislabelled_atom_served_as_html_is_still_read():
    data = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            b"<entry><id>urn:1</id><title>E</title></entry></feed>")
    feed = parse_feed(data, content_type="text/html; charset=utf-8")
    assert feed.format == "atom10" and feed.entries[0].title == "E"


def test_legacy_encoding_from_the_xml_declaration():
    data = ('<?xml version="1.0" encoding="windows-1250"?><rss version="2.0"><channel>'
            "<title>Správy</title><item><title>Žltý kôň</title></item></channel></rss>"
            ).encode("windows-1250")
    for label in ("", "text/xml", "application/rss+xml", "text/xml; charset=utf-8"):
        feed = parse_feed(data, content_type=label)
        assert feed.title == "Správy" and feed.entries[0].title == "Žltý kôň"
        assert feed.warning is None, label  # a wrong label is not an error in the feed


def test_json_feed_oddities():
    data = (b'{"items": [{"id": 1, "title": "T &amp; U", "url": "p/1", "content_text": "a\\n\\nb"},'
            b' "not an object", {"id": "2", "external_url": "https://ext.example/x",'
            b' "date_modified": "2020-01-02T03:04:05Z", "tags": ["x", 3, null]}]}')
    feed = parse_feed(data, url="https://j.example/feed.json")
    first, second = feed.entries
    assert (first.guid, first.title, first.url) == ("1", "T & U", "https://j.example/p/1")
    assert first.content_html == "<p>a</p>\n<p>b</p>"
    assert second.url == "https://ext.example/x" and second.tags == ["x", "3"]
    assert second.published_at == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert feed.warning and "skipped" in feed.warning


def test_guid_rewrite_is_caught_by_the_canonical_url():
    """A CMS migration rewrites every guid; the link (give or take tracking) stays. The store
    de-duplicates on entry_key OR canonical_url, so the pair below is one article."""
    before = Entry(guid="?p=123", url="https://site.example/a-post/?utm_source=rss")
    after = Entry(guid="https://site.example/a-post/", url="https://Site.example/a-post/#more")
    assert entry_key(before) != entry_key(after)
    assert canonical_url(before.url) == canonical_url(after.url)


def test_entity_expansion_bomb_in_a_feed_is_not_expanded():
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    data = (f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
            "<title>&l9;</title><item><title>x</title></item></channel></rss>").encode()
    feed = parse_feed(data)
    assert len(feed.title) < 100  # a billion "lol"s would be 3 GB
    assert feed.warning


def test_links_that_are_not_web_addresses_are_dropped() -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
           b"<link>javascript:alert(1)</link>"
           b"<item><title>a</title><link>javascript:fetch('//evil.example/')</link></item>"
           b"<item><title>b</title><link>data:text/html,hi</link></item>"
           b"<item><title>c</title><link>https://ok.example/c</link></item>"
           b"</channel></rss>")
    feed = parse_feed(rss, url="https://ok.example/feed.xml")
    assert [e.url for e in feed.entries] == ["", "", "https://ok.example/c"]
    assert feed.site_url == ""
    doc = b'{"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": [' \
          b'{"id": "1", "url": "javascript:alert(1)", "content_text": "x"}]}'
    assert parse_feed(doc).entries[0].url == ""
