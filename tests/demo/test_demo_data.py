"""The bundled sample newsroom (`tidings demo`) is well-formed, consistent and believable.

These tests read the shipped files with independent parsers (feedparser, json, ElementTree), so
a hand edit that breaks a feed, a date, an id or the event ground truth fails here first.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import feedparser
import pytest

import tidings

DATA = Path(tidings.__file__).resolve().parent / "demo" / "data"
EXPECTED_ENTRIES = {
    "harbour-gazette.rss": 6,
    "ledger-and-line.rss": 6,
    "open-field.atom": 5,
    "sidewalk-wire.json": 8,
}
FIRST_DAY = datetime(2026, 11, 24, tzinfo=UTC)
LAST_DAY_END = datetime(2026, 11, 30, tzinfo=UTC)
NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
EXAMPLE_HOST = re.compile(r"(^|\.)example\.(com|org|net)$")


def _manifest() -> dict[str, Any]:
    return json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _paragraphs(fragment: str) -> list[str]:
    return [_text(p).strip() for p in re.findall(r"<p>(.*?)</p>", fragment, flags=re.S)]


def _from_feedparser(name: str) -> list[dict[str, Any]]:
    parsed = feedparser.parse((DATA / name).read_bytes())
    assert not parsed.bozo, f"{name}: {parsed.get('bozo_exception')}"
    return [
        {
            "id": e.id,
            "link": e.link,
            "title": e.title,
            "author": e.get("author", ""),
            "published": datetime(*e.published_parsed[:6], tzinfo=UTC),
            "tags": [t.term for t in e.get("tags", [])],
            "html": e.content[0].value,
        }
        for e in parsed.entries
    ]


def _from_json_feed(name: str) -> list[dict[str, Any]]:
    doc = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    return [
        {
            "id": item["id"],
            "link": item["url"],
            "title": item["title"],
            "author": item["authors"][0]["name"],
            "published": datetime.fromisoformat(item["date_published"]),
            "tags": item["tags"],
            "html": item["content_html"],
        }
        for item in doc["items"]
    ]


def _articles(name: str) -> list[dict[str, Any]]:
    loader = _from_json_feed if name.endswith(".json") else _from_feedparser
    return [dict(a, outlet=name) for a in loader(name)]


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    return [a for outlet in _manifest()["outlets"] for a in _articles(outlet["file"])]


def test_manifest_files_exist_and_outlets_are_marked_as_samples() -> None:
    manifest = _manifest()
    assert {o["file"] for o in manifest["outlets"]} == set(EXPECTED_ENTRIES)
    for outlet in manifest["outlets"]:
        assert (DATA / outlet["file"]).is_file(), outlet["file"]
        assert "sample" in outlet["title"].lower()
        assert outlet["folder"] == "Sample newsroom"
        site, feed = urlparse(outlet["site_url"]), urlparse(outlet["feed_url"])
        assert EXAMPLE_HOST.search(site.hostname or ""), outlet["site_url"]
        assert feed.hostname == site.hostname
    for capture in manifest["captures"]:
        assert (DATA / capture["file"]).is_file(), capture["file"]
        assert EXAMPLE_HOST.search(urlparse(capture["url"]).hostname or "")


@pytest.mark.parametrize("name", sorted(EXPECTED_ENTRIES))
def test_feed_parses_with_expected_entries(name: str) -> None:
    found = _articles(name)
    assert len(found) == EXPECTED_ENTRIES[name]
    site = next(o["site_url"] for o in _manifest()["outlets"] if o["file"] == name)
    for a in found:
        assert a["link"].startswith(site), a["link"]
        assert a["author"] and a["tags"] and a["title"]


def test_feed_descriptions_say_demo_data() -> None:
    for name in EXPECTED_ENTRIES:
        raw = (DATA / name).read_text(encoding="utf-8")
        assert "Sample outlet — demo data for Tidings" in raw, name


@pytest.mark.parametrize("name", ["harbour-gazette.rss", "ledger-and-line.rss"])
def test_rss_items_carry_the_required_elements(name: str) -> None:
    root = ET.parse(DATA / name).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    for item in root.iter("item"):
        for path in ("guid", "pubDate", "category", "dc:creator", "content:encoded", "link"):
            found = item.find(path, NS)
            assert found is not None and (found.text or "").strip(), path


def test_atom_entries_carry_the_required_elements() -> None:
    root = ET.parse(DATA / "open-field.atom").getroot()
    entries = root.findall("atom:entry", NS)
    assert entries
    for entry in entries:
        assert entry.find("atom:content", NS).get("type") == "html"
        assert entry.find("atom:author/atom:name", NS).text
        for path in ("atom:updated", "atom:published", "atom:id"):
            assert entry.find(path, NS).text
        assert entry.find("atom:category", NS).get("term")


def test_dates_parse_and_fall_in_the_sample_week(articles: list[dict[str, Any]]) -> None:
    for a in articles:
        assert FIRST_DAY <= a["published"] < LAST_DAY_END, (a["id"], a["published"])


def test_ids_and_links_are_unique(articles: list[dict[str, Any]]) -> None:
    assert 24 <= len(articles) <= 30
    ids = Counter(a["id"] for a in articles)
    links = Counter(a["link"] for a in articles)
    assert ids.most_common(1)[0][1] == 1, ids.most_common(3)
    assert links.most_common(1)[0][1] == 1, links.most_common(3)


def test_articles_have_length_quotes_and_bylines(articles: list[dict[str, Any]]) -> None:
    for a in articles:
        paras = _paragraphs(a["html"])
        words = sum(len(p.split()) for p in paras)
        assert 4 <= len(paras) <= 8, (a["id"], len(paras))
        assert 150 <= words <= 450, (a["id"], words)
        body = " ".join(paras)
        assert re.search(r"[“\"][^”\"]{15,}[”\"]", body), f"{a['id']}: no direct quote"
        assert " said" in body, f"{a['id']}: no attributed speech"


def test_no_paragraph_is_repeated_across_articles(articles: list[dict[str, Any]]) -> None:
    paras = Counter(p for a in articles for p in _paragraphs(a["html"]))
    assert paras.most_common(1)[0][1] == 1, paras.most_common(1)


def test_events_reference_real_articles_across_outlets(articles: list[dict[str, Any]]) -> None:
    manifest = _manifest()
    by_id = {a["id"]: a for a in articles}
    captures = {c["url"]: c for c in manifest["captures"]}
    seen: set[str] = set()
    assert len(manifest["events"]) == 6
    for event in manifest["events"]:
        ids = event["articles"]
        assert not seen & set(ids), f"{event['id']}: article listed in two events"
        seen |= set(ids)
        missing = [i for i in ids if i not in by_id and i not in captures]
        assert not missing, f"{event['id']}: unknown ids {missing}"
        outlets = {by_id[i]["outlet"] if i in by_id else urlparse(i).hostname for i in ids}
        assert len(outlets) >= 2, event["id"]
        assert len(outlets) == len(ids), f"{event['id']}: one outlet twice"
        times = [by_id[i]["published"] for i in ids if i in by_id]
        assert max(times) - min(times) <= timedelta(hours=12), event["id"]
    singles = [a for a in articles if a["id"] not in seen]
    assert len(singles) >= 6


def test_follows_and_mutes_point_at_things_in_the_data(articles: list[dict[str, Any]]) -> None:
    user = _manifest()["user"]
    corpus = " ".join(_text(a["html"]) + " " + a["title"] for a in articles).lower()
    tags = {t.lower() for a in articles for t in a["tags"]}
    assert 3 <= len(user["follows"]) <= 4 and len(user["mutes"]) == 1
    for rule in user["follows"] + user["mutes"]:
        assert rule["kind"] in {"topic", "entity", "keyword"}
        target = rule["target"].lower()
        assert (target in tags) if rule["kind"] == "topic" else (target in corpus), target


def test_capture_has_the_shape_of_a_copied_page() -> None:
    capture = _manifest()["captures"][0]
    lines = (DATA / capture["file"]).read_text(encoding="utf-8").splitlines()
    assert capture["title"] in lines
    assert sum(line.startswith("  • ") for line in lines) == 2
    stamp = next(i for i, line in enumerate(lines) if re.fullmatch(r"\d\d:\d\d", line))
    titles = [line for line in lines[stamp + 1 : stamp + 5] if line]
    assert len(titles) == 2 and titles[0] == titles[1], "video title should appear twice"
    assert sum("Picture:" in line for line in lines) == 2, "two captions with credits"
    assert [line for line in lines if line.strip()][-1].isdigit(), "lone counter at the end"
    body = [line for line in lines if len(line.split()) > 25]
    assert len(body) >= 8 and any("said" in line for line in body)


def test_starter_opml_parses_into_folders_of_feeds() -> None:
    root = ET.parse(DATA / "starter.opml").getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    folders = root.find("body").findall("outline")
    assert 2 <= len(folders) <= 3
    feeds = [o for f in folders for o in f.findall("outline")]
    assert 6 <= len(feeds) <= 12
    for folder in folders:
        assert folder.get("text") and folder.get("title")
    for feed in feeds:
        assert feed.get("type") == "rss" and feed.get("text") and feed.get("title")
        assert feed.get("xmlUrl", "").startswith("https://")
        assert feed.get("htmlUrl", "").startswith("https://")
    assert len({f.get("xmlUrl") for f in feeds}) == len(feeds)
