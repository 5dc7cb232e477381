"""feedparser's 1,768-file conformance suite through parse_feed: no crash, no hang.

Each file either parses into a ParsedFeed or is refused with a FeedError that has a message;
anything else (an exception escaping, a wrong type) fails. Spot checks below map a few of the
suite's own `Expect:` lines onto our model.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tidings.models import ParsedFeed
from tidings.sources import FeedError, parse_feed

pytestmark = pytest.mark.shared

_EXPECT = re.compile(rb"Expect:\s*(.*?)\s*-->", re.S)
_SIMPLE = re.compile(
    r"^not bozo and (entries\[0\]|feed)\['(title|link|id|guid)'\] == "
    r"(u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\")$"
)
_FIELDS = {
    ("feed", "title"): "title", ("feed", "link"): "site_url", ("entries[0]", "title"): "title",
    ("entries[0]", "link"): "url", ("entries[0]", "id"): "guid", ("entries[0]", "guid"): "guid",
}
# Where we differ from feedparser on purpose. Titles are plain text to us, so escaped markup
# is decoded, and an unterminated comment hides the rest as a browser would; ids are
# resolved against the feed URL like every other URI feedparser resolves.
DELIBERATE = {
    "atom10/entry_title_inline_markup_2.xml": "plain-text title: &lt;blink&gt; decoded",
    "atom10/feed_title_inline_markup_2.xml": "plain-text title: &lt;blink&gt; decoded",
    "sanitize/xml_declaration_unexpected_character.xml": "plain-text title: &lt; decoded",
    "sanitize/xml_malicious_comment.xml": "text after an unclosed HTML comment is hidden",
    "atom10/entry_id_with_attributes.xml": "relative id resolved against the feed URL",
    "atom10/entry_id_no_normalization_4.xml": "id resolved against the feed URL (scheme case)",
}


def _suite(shared_dir: Path) -> Path:
    return shared_dir / "data/feeds/feedparser-conformance"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("part", ["wellformed", "illformed"])
def test_every_conformance_file_parses_or_is_refused_clearly(shared_dir, part):
    files = sorted((_suite(shared_dir) / part).rglob("*.xml"))
    assert len(files) > (1500 if part == "wellformed" else 10)
    outcomes = {"parsed": 0, "refused": 0}
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), url=f"http://conformance.example/{path.name}")
        except FeedError as exc:
            assert str(exc), path
            outcomes["refused"] += 1
            continue
        assert isinstance(feed, ParsedFeed), path
        for entry in feed.entries:
            assert entry.published_at is None or entry.published_at.tzinfo is UTC, path
        outcomes["parsed"] += 1
    # Nearly all of the suite is feeds; refusals are documents with no feed structure at all.
    assert outcomes["parsed"] > 0.9 * len(files), outcomes


def _expect(path: Path) -> str:
    match = _EXPECT.search(path.read_bytes())
    return match.group(1).decode("utf-8", "replace") if match else ""


@pytest.mark.parametrize(
    ("relative", "check"),
    [
        ("wellformed/rss/item_pubDate.xml",
         lambda f: f.entries[0].published_at == datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
        ("wellformed/rss/item_guid.xml",
         lambda f: f.entries[0].guid == "http://guid.example.com/"),
        ("wellformed/atom10/entry_title.xml",
         lambda f: f.entries[0].title == "Example Atom"),
        ("wellformed/rss/channel_title.xml",
         lambda f: f.title == "Example feed"),
    ],
)
def test_spot_checks_agree_with_the_suite(shared_dir, relative, check):
    path = _suite(shared_dir) / relative
    assert path.exists(), f"conformance file {relative} missing"
    feed = parse_feed(path.read_bytes())
    assert check(feed), f"{relative}: expected {_expect(path)!r}, got {feed.entries[:1]}"


def _simple_expectations(shared_dir: Path) -> list[tuple[str, str, str, str]]:
    """(file, where, key, expected) for every plain-text equality the suite states on the
    fields we carry; markup-valued expectations (feedparser keeps HTML titles as HTML) and
    the http/ cases (they need the suite's own HTTP headers) are left out."""
    root = _suite(shared_dir) / "wellformed"
    found = []
    for path in sorted(root.rglob("*.xml")):
        match = _SIMPLE.match(_expect(path))
        relative = str(path.relative_to(root))
        if not match or "/http_" in f"/{relative}" or relative.startswith("http/"):
            continue
        where, key, literal = match.groups()
        expected = ast.literal_eval(literal.lstrip("u"))
        if (where, key) in _FIELDS and "<" not in expected:
            found.append((relative, where, key, expected))
    return found


def test_plain_expectations_of_the_suite_hold(shared_dir):
    cases = _simple_expectations(shared_dir)
    assert len(cases) > 90
    wrong = []
    for relative, where, key, expected in cases:
        path = _suite(shared_dir) / "wellformed" / relative
        feed = parse_feed(path.read_bytes(), url=f"http://conformance.example/{path.name}")
        node = feed if where == "feed" else feed.entries[0]
        got = getattr(node, _FIELDS[(where, key)])
        if got != expected and relative not in DELIBERATE:
            wrong.append((relative, expected, got))
    assert wrong == []
