"""OPML import/export and feed autodiscovery on synthetic documents."""

from __future__ import annotations

import pytest

from tidings.models import Source
from tidings.sources import FeedError, discover_feeds, parse_opml, write_opml

NESTED = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="Loose" xmlUrl="https://loose.example/feed" htmlUrl="https://loose.example/"/>
  <outline text="News">
    <outline text="World">
      <outline text="Deep" title="Deep Title" xmlUrl="https://deep.example/rss"/>
    </outline>
    <outline text="Local" type="rss" xmlURL="https://local.example/atom"/>
  </outline>
  <outline text="Duplicate" xmlUrl="https://loose.example/feed"/>
  <outline text="Just a link" type="link" url="https://not-a-feed.example/"/>
</body></opml>"""


def test_nested_folders_titles_and_case_insensitive_attributes():
    sources = parse_opml(NESTED)
    assert [(s.url, s.title, s.folder) for s in sources] == [
        ("https://loose.example/feed", "Loose", ""),
        ("https://deep.example/rss", "Deep Title", "News / World"),
        ("https://local.example/atom", "Local", "News"),
    ]
    assert sources[0].site_url == "https://loose.example/"


def test_round_trip_keeps_everything_and_escapes():
    sources = [
        Source(url="https://a.example/feed?x=1&y=2", title='Ampersand & "quotes" <tags>',
               site_url="https://a.example/?q=1&r=2", folder="Tech & Science"),
        Source(url="https://b.example/rss", title="Zürich café 日本", folder=""),
        Source(url="https://c.example/rss", title="", site_url="", folder="News / World"),
        Source(url="https://d.example/rss", title="Line\nbreak", folder="Tech & Science"),
    ]
    text = write_opml(sources, title="Export <test>")
    assert "&amp;" in text and "<tags>" not in text
    again = parse_opml(text.encode("utf-8"))
    # Feeds without a folder come first in the export; within a folder, order is kept.
    by_url = {s.url: s for s in again}
    for original in sources:
        copy = by_url[original.url]
        assert (copy.title or copy.url, copy.site_url, copy.folder) == (
            original.title or original.url, original.site_url, original.folder)
    assert parse_opml(write_opml(again).encode()) == again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"<html><body>hi</body></html>", "not OPML"),
        (b"just text", "not valid XML"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "not OPML"),
    ],
)
def test_non_opml_is_a_clear_error(data, message):
    with pytest.raises(FeedError, match=message):
        parse_opml(data)


def test_hand_edited_opml_with_a_stray_ampersand_is_recovered():
    data = b'<opml version="1.0"><body><outline text="A & B" xmlUrl="https://ab.example/f"/></body></opml>'
    sources = parse_opml(data)
    assert [s.url for s in sources] == ["https://ab.example/f"]


def test_entity_tricks_are_not_expanded_or_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<opml version="2.0"><body><outline text="&x;&c;" xmlUrl="https://x.example/f"/></body></opml>
""".encode()
    with pytest.raises(FeedError, match="declares XML entities") as caught:
        parse_opml(data)
    assert "TOP-SECRET" not in str(caught.value)


def test_discovery_in_page_order_with_base_and_rel_tokens():
    page = b"""<!doctype html><html><head>
<base href="https://cdn.example/sub/">
<link rel="stylesheet" type="text/css" href="style.css">
<link rel="alternate" type="application/atom+xml" href="atom.xml" title="Atom">
<link rel="Alternate Home" type="application/rss+xml; charset=utf-8" href="/rss">
<link rel="alternate" type="application/feed+json" href="https://j.example/feed.json">
<link rel="alternate" hreflang="de" href="/de/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
</head><body><link rel="alternate" type="application/rss+xml" href="/late.xml"></body></html>"""
    assert discover_feeds(page, "https://site.example/page") == [
        "https://cdn.example/sub/atom.xml",
        "https://cdn.example/rss",
        "https://j.example/feed.json",
        "https://cdn.example/late.xml",
    ]


def test_discovery_on_a_page_without_feeds_and_on_garbage():
    assert discover_feeds(b"<html><head><title>x</title></head></html>", "https://s.example/") == []
    assert discover_feeds(b"\xff\xfe\x00<<link rel=alternate", "https://s.example/") == []
