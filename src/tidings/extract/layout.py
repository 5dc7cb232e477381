"""Article parts that live in the page layout: captions, key points, related links.

Found through generic markup (`<figcaption>`, class and id words such as "caption",
"standfirst", "key-points", "related") that most publishing systems use, not per-site rules.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

from tidings.extract import signals as sig

_CAPTION_HINT = re.compile(r"(?:^|[\s_-])(?:caption|credit|image-?text|photo-?text|figcaption)"
                           r"(?:$|[\s_-])", re.I)
_KEY_POINT_HINT = re.compile(r"(?:^|[\s_-])(?:standfirst|key-?points?|highlights?|summary-list|"
                             r"article-?summary|story-?highlights|tldr|bullets)(?:$|[\s_-])",
                             re.I)
_RELATED_HINT = re.compile(r"(?:^|[\s_-])(?:related|more-?stories|read-?more|recommended|"
                           r"also-?read|see-?also|further-?reading|more-?on)(?:$|[\s_-])", re.I)
_ADDRESS = re.compile(r"@|https?://|www\.", re.I)
_NOT_CONTENT = {"script", "style", "noscript", "template", "svg"}
MAX_ITEMS = 12


def _hint(node: lxml_html.HtmlElement) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}"


def _text(node: lxml_html.HtmlElement) -> str:
    return " ".join(" ".join(node.itertext()).split())


def find_captions(tree: lxml_html.HtmlElement) -> list[str]:
    """Photo captions and credits, in page order, without duplicates."""
    found: list[str] = []
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in _NOT_CONTENT:
            continue
        if node.tag == "figcaption" or (_CAPTION_HINT.search(_hint(node))
                                        and node.find(".//figcaption") is None):
            text = _text(node)
            if 3 <= len(text) <= 600 and not any(text in seen for seen in found):
                found = [seen for seen in found if seen not in text]
                found.append(text)
    return found[:MAX_ITEMS]


def find_key_points(tree: lxml_html.HtmlElement) -> list[str]:
    """Bullets of the first key-points/standfirst box; a standfirst paragraph as one point."""
    for node in tree.iter():
        if not isinstance(node.tag, str) or not _KEY_POINT_HINT.search(_hint(node)):
            continue
        if _in_navigation(node) or len(_text(node)) > 1500:
            continue  # a menu or a whole section, not a box of points
        items = list(node.iter("li"))
        if len(items) > 8 or any(_link_share(li) > 0.5 for li in items):
            continue
        points = [_text(li) for li in items if sig.words(_text(li)) >= 3] or [_text(node)]
        points = [p for p in points if 3 <= sig.words(p) <= 80]
        if points:
            return points
    return []


def _in_navigation(node: lxml_html.HtmlElement) -> bool:
    return any(a.tag in {"nav", "header", "footer", "menu"} for a in node.iterancestors())


def _link_share(node: lxml_html.HtmlElement) -> float:
    """Share of a node's text that sits inside links."""
    total = len(_text(node))
    linked = sum(len(_text(a)) for a in node.iter("a"))
    return linked / total if total else 0.0


def find_related(tree: lxml_html.HtmlElement) -> list[str]:
    """Headlines of links inside related-story boxes."""
    found: list[str] = []
    for node in tree.iter():
        if not isinstance(node.tag, str) or not _RELATED_HINT.search(_hint(node)):
            continue
        for link in node.iter("a"):
            text = _text(link)
            if 4 <= sig.words(text) <= 30 and text not in found:
                found.append(text)
        if len(found) >= MAX_ITEMS:
            break
    return found[:MAX_ITEMS]


def linked_paragraphs(tree: lxml_html.HtmlElement, url: str = "") -> set[str]:
    """Paragraphs and headings that are (almost) all link text: teasers for other pages.

    Casefolded, whitespace-normalised texts of 3-30 words, at least 70 % inside links that
    stay on the page's site (a product or a source on another site is named, not teased;
    a link to an anchor of this page is a section heading).
    """
    found: set[str] = set()
    for node in tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        text = _text(node)
        if _ADDRESS.search(text) or not 3 <= sig.words(text) <= 30:
            continue  # a link spelled out as an address is the text's own reference
        links = list(node.iter("a"))
        if not links or not all(_same_site(a.get("href") or "", url) for a in links):
            continue
        if _link_share(node) >= 0.7:
            found.add(" ".join(text.casefold().split()))
    return found


def _same_site(href: str, page_url: str) -> bool:
    """A link to another page of this site (relative, or the same host); not an anchor."""
    if href.startswith("#"):
        return False
    host = urlsplit(href).hostname
    page_host = urlsplit(page_url).hostname
    if host is None or page_host is None:
        return True  # relative, or nothing to compare with
    return host.removeprefix("www.") == page_host.removeprefix("www.")
