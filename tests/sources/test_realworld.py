"""Every real-world file from NetNewsWire's parser tests goes through our parsers.

XML feeds are checked against feedparser's own parse (`feedparser-reference.json`), which we
verified by hand is right for these files (item counts match a raw count of <item>/<entry>).
feedparser does not read JSON feeds, so for those the table below is our own, from reading
the files: what a careful reader sees (HTML entities in titles decoded; untitled items "").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tidings.sources import FeedError, discover_feeds, entry_key, parse_feed, parse_opml, write_opml
from tidings.sources.text import parse_date

pytestmark = pytest.mark.shared

REALWORLD = Path(__file__).resolve().parents[2].parent / "shared/data/feeds/realworld"

# file → (format, item count, first title, first item URL)
JSON_FEEDS = {
    "3960.json": ("json11", 20, "Lecker, lecker",
                  "https://journal.3960.org/posts/2020-02-21-lecker-lecker/"),
    "DaringFireball.json": ("json10", 48, "The Talk Show: ‘I Do Like Throwing a Baby’",
                            "https://daringfireball.net/linked/2017/06/26/the-talk-show-195"),
    "ScriptingNews.json": ("rss-in-json", 50, "", "http://scripting.com/2017/06/26.html#a080605"),
    "allthis.json": ("json10", 12, "Last thoughts on modifier keys",
                     "http://leancrew.com/all-this/2017/11/last-thoughts-on-modifier-keys/"),
    "authors.json": ("json11", 4, "", ""),
    "curt.json": ("json10", 26, "Twitter Quitter", "http://www.curtclifton.net/twitter-quitter"),
    "inessential.json": (
        "json10", 20, "James Dempsey and the Breakpoints Benefit App Camp for Girls",
        "http://inessential.com/2017/06/02/james_dempsey_and_the_breakpoints_benefi"),
    "jsonfeed-extension.json": ("json11", 3, "", ""),
    "pxlnv.json": ("json10", 20, "Uber Lost $4.5 Billion in 2017",
                   "https://pxlnv.com/linklog/uber-losses-2017/"),
    "rose.json": ("json10", 84, "Workflow: Add Task & Sub Tasks To OmniFocus",
                  "https://www.rosemaryorchard.com/blog/workflow-add-task-sub-tasks-to-omnifocus"),
}
# Scripting News reuses an anchor as the guid of two different posts, twice: as in
# NetNewsWire (which also keys on the guid), each pair is one item to the store.
GUID_COLLISIONS = {"scriptingNews.rss": 2, "ScriptingNews.json": 2}
# Truncated mid-string: a clear error, not a crash and not a half-read feed.
BROKEN = {"allthis-partial.json": "truncated"}
# page → feeds it advertises (base URL https://site.example/blog/)
HTML_PAGES = {
    "DaringFireball.html": ["https://site.example/feeds/main"],
    "YouTubeTheVolvoRocks.html": [
        "https://www.youtube.com/feeds/videos.xml?channel_id=UCct7QF2jcWRY6dhXWMSq9LQ"
    ],
    "coco.html": ["https://site.example/feed/all/", "https://site.example/feed/best-of/"],
    "furbo.html": ["http://furbo.org/feed/"],
    "inessential.html": ["http://inessential.com/xml/rss.xml"],
    "sixcolors.html": ["http://feedpress.me/sixcolors"],
}


def _reference(shared_dir: Path) -> dict[str, dict]:
    data = json.loads((shared_dir / "data/feeds/realworld/feedparser-reference.json").read_text())
    return {row["file"]: row for row in data["feeds"]}


def _files(kind: str) -> list[str]:
    path = REALWORLD / "feedparser-reference.json"
    if not path.exists():
        return []
    return [r["file"] for r in json.loads(path.read_text())["feeds"]
            if r["kind"] == kind and not r["file"].endswith(".json")]


@pytest.mark.parametrize("name", _files("feed"))
def test_xml_feed_matches_reference(shared_dir, name):
    ref = _reference(shared_dir)[name]
    feed = parse_feed((shared_dir / "data/feeds/realworld/feeds" / name).read_bytes(),
                      url=f"https://origin.example/{name}")
    assert feed.format == ref["version"]
    assert feed.title == ref["feed_title"]
    assert len(feed.entries) == ref["n_entries"]
    first = feed.entries[0]
    assert first.title == (ref["first_entry_title"] or "")
    assert first.url == ref["first_entry_link"]
    if ref["first_entry_published"]:
        assert first.published_at == parse_date(ref["first_entry_published"])
    assert first.published_at is not None and first.published_at.utcoffset().total_seconds() == 0
    keys = [entry_key(e) for e in feed.entries]
    assert len(set(keys)) == len(keys) - GUID_COLLISIONS.get(name, 0)


@pytest.mark.parametrize("name", sorted(JSON_FEEDS))
def test_json_feed_as_a_careful_reader_sees_it(shared_dir, name):
    fmt, count, first_title, first_url = JSON_FEEDS[name]
    feed = parse_feed((shared_dir / "data/feeds/realworld/feeds" / name).read_bytes(),
                      content_type="application/json")
    assert (feed.format, len(feed.entries)) == (fmt, count)
    assert feed.entries[0].title == first_title
    assert feed.entries[0].url == first_url
    keys = [entry_key(e) for e in feed.entries]
    assert len(set(keys)) == len(keys) - GUID_COLLISIONS.get(name, 0)
    assert all(e.published_at is None or e.published_at.tzinfo is not None for e in feed.entries)


def test_json_feed_dates_and_authors(shared_dir):
    feeds = shared_dir / "data/feeds/realworld/feeds"
    curt = parse_feed((feeds / "curt.json").read_bytes())
    assert curt.entries[0].published_at is not None  # "2018-01-06T08:00": no zone, read as UTC
    assert curt.entries[0].published_at.isoformat() == "2018-01-06T08:00:00+00:00"
    authors = parse_feed((feeds / "authors.json").read_bytes())
    # Items without authors inherit the feed's (JSON Feed 1.1 `authors` beats legacy `author`).
    assert authors.entries[0].author == "Root Author 1, Root Author 2"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_json_gets_a_clear_error(shared_dir, name):
    with pytest.raises(FeedError, match=BROKEN[name]):
        parse_feed((shared_dir / "data/feeds/realworld/feeds" / name).read_bytes(), url=name)


@pytest.mark.parametrize("name", sorted(HTML_PAGES))
def test_html_page_is_not_a_feed_but_names_its_feeds(shared_dir, name):
    page = (shared_dir / "data/feeds/realworld/feeds" / name).read_bytes()
    with pytest.raises(FeedError, match="is an HTML page, not a feed"):
        parse_feed(page, url="https://site.example/blog/", content_type="text/html")
    assert discover_feeds(page, "https://site.example/blog/") == HTML_PAGES[name]


@pytest.mark.parametrize("name", ["Subs.opml", "SubsNoTitleAttributes.opml"])
def test_opml_subscriptions_and_round_trip(shared_dir, name):
    sources = parse_opml((shared_dir / "data/feeds/realworld/feeds" / name).read_bytes())
    assert len(sources) == 207
    first = sources[0]
    assert (first.title, first.url, first.site_url, first.folder) == (
        "Daring Fireball", "http://daringfireball.net/feeds/main", "http://daringfireball.net/", "")
    assert any(s.title == "chat & code" for s in sources)  # &amp; decoded
    assert {s.folder for s in sources} >= {"", "Writers"}
    assert parse_opml(write_opml(sources).encode()) == sources


def test_every_realworld_file_goes_through_without_crashing(shared_dir):
    """Whatever the file is, the answer is a feed, a list of sources, or a FeedError."""
    for path in sorted((shared_dir / "data/feeds/realworld/feeds").iterdir()):
        data = path.read_bytes()
        parser = parse_opml if path.suffix == ".opml" else parse_feed
        try:
            parser(data)
        except FeedError as exc:
            assert str(exc), path.name
