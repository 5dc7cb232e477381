"""Atom we write is valid XML whatever a feed put in its titles: characters XML 1.0 cannot
carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF) are dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest
from lxml import etree

from tidings.models import Article, FeedItem, Story
from tidings.web.atom import ATOM, atom_document, to_xml, xml_text

FORBIDDEN = ([chr(c) for c in range(0x00, 0x09)] + ["\x0b", "\x0c"]
             + [chr(c) for c in range(0x0E, 0x20)] + ["\ud800", "\udfff", "\ufffe", "\uffff"])
TITLE = "Storm " + "".join(FORBIDDEN) + "closes\tthe\nferry \u00e9\U0001f30a"


def _item() -> FeedItem:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    story = Story(title=TITLE, first_seen=when, last_seen=when, id=7)
    lead = Article(url="https://news.example/a\x01b", title=TITLE,
                   text="Body \x0c text " * 5, key_points=["Point \x1f one"])
    return FeedItem(story=story, lead=lead, score=1.0, sources=["Outlet \x08 Name"],
                    why=["you follow \x02 ferries"])


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_each_forbidden_character_is_dropped(char: str) -> None:
    assert xml_text(f"a{char}b") == "ab"


def test_allowed_characters_stay() -> None:
    text = "tab\tnew\nreturn\r é 中 \U0001f30a \ud7ff \ue000 \ufffd"
    assert xml_text(text) == text


def test_the_personal_feed_parses_strictly_with_a_hostile_title() -> None:
    body = atom_document([_item()], title="Tidings for \x07you", base="https://tidings.example",
                         self_url="https://tidings.example/feeds/x.atom")
    root = etree.fromstring(body)  # lxml is strict: one stray control character fails it
    titles = [t.text for t in root.iter(f"{{{ATOM}}}title")]
    assert titles == ["Tidings for you", "Storm closes\tthe\nferry \u00e9\U0001f30a"]
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].title.startswith("Storm closes")
    assert parsed.entries[0].authors[0]["name"] == "Outlet  Name"


def test_attributes_are_cleaned_too() -> None:
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "link", href="https://news.example/\x0bpath")
    assert etree.fromstring(to_xml(root))[0].get("href") == "https://news.example/path"
