"""In-body images: put the page's pictures back into the reader HTML.

trafilatura runs with images off (turning them on changes which blocks it keeps, for the
worse), so its body has text only. Here the source page is walked once in document order:
each of its blocks whose words equal a body block's marks a place, and every `<img>` met
after that place (alone or in a `<figure>`, with its caption) is put back after that body
block. Only images inside the article (the smallest element holding every matched block)
and between its first and last matched blocks count: the lead image above the text, author
portraits and the teaser thumbnails below it stay out. The text is not touched, so
extraction scores cannot move. The sanitizer then keeps http(s) sources only and drops
tracking pixels.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree

from tidings.extract.sanitize import is_tracking_image

# Source elements whose words are compared with the body's blocks.
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
                     "dl", "table"})
# A lazy-loading page keeps a placeholder in src and the picture in one of these.
_SOURCES = ("src", "data-src", "data-original", "data-lazy-src", "data-url")
MIN_MATCH_CHARS = 20  # shorter blocks ("Share", "Photo") repeat around a page
MAX_IMAGES = 40
MAX_SCANNED = 5_000  # <img> elements looked at; a page of thousands is not an article
# The HTML parser lets control characters through (`&#5;` in a caption); an XML element
# cannot hold them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class _Figure:
    after: int  # index of the body block it follows
    position: int  # document order in the source
    images: list[tuple[str, str, str, str]] = field(default_factory=list)  # src alt w h
    caption: str = ""


def _key(text: str) -> str:
    """Words without whitespace or case: markup splits and joins words differently."""
    return "".join(text.split()).casefold()


def _text(node: etree._Element) -> str:
    return "".join(node.itertext())


def _xml(value: str) -> str:
    return _NOT_XML.sub("", value)


def _source(img: etree._Element) -> str:
    for name in _SOURCES:
        value = (img.get(name) or "").strip()
        if value and not value.lower().startswith("data:"):
            return value
    return ""


def _size(value: str | None) -> str:
    value = (value or "").strip().removesuffix("px")
    return value if value.isdigit() and len(value) <= 5 else ""


def _figure_of(img: etree._Element) -> etree._Element | None:
    for parent in img.iterancestors():
        if parent.tag == "figure":
            return parent
        if parent.tag in _BLOCKS or parent.tag in {"article", "main", "section", "body"}:
            return None
    return None


def _caption(figure: etree._Element | None) -> str:
    if figure is None:
        return ""
    found = figure.find(".//figcaption")
    return _xml(" ".join(_text(found).split())) if found is not None else ""


def _common_ancestor(nodes: list[etree._Element]) -> etree._Element:
    first = [nodes[0], *nodes[0].iterancestors()]
    shared = set(first)
    for node in nodes[1:]:
        shared &= {node, *node.iterancestors()}
    return next(n for n in first if n in shared)


def _places(body: etree._Element) -> dict[str, list[int]]:
    """Body blocks by their words (long enough to be told apart), in body order."""
    places: dict[str, list[int]] = {}
    for index, block in enumerate(body):
        key = _key(_text(block))
        if len(key) >= MIN_MATCH_CHARS:
            places.setdefault(key, []).append(index)
    return places


def _scan(tree: etree._Element, places: dict[str, list[int]]
          ) -> tuple[list[tuple[int, etree._Element]], list[tuple[int, int, etree._Element]]]:
    """One walk in document order: the source blocks matched to body blocks (position,
    element) and the images met after the first match (position, body block, element)."""
    matched: list[tuple[int, etree._Element]] = []
    images: list[tuple[int, int, etree._Element]] = []
    after = -1
    for position, node in enumerate(tree.iter()):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCKS:
            later = [i for i in places.get(_key(_text(node)), ()) if i > after]
            if later:
                after = later[0]
                matched.append((position, node))
        elif tag == "img" and after >= 0 and len(images) < MAX_SCANNED:
            images.append((position, after, node))
    return matched, images


def find_figures(tree: etree._Element, body: etree._Element) -> list[_Figure]:
    """The pictures of `tree` that sit among the article's text, each placed after a block
    of trafilatura's `body`, in order."""
    places = _places(body)
    matched, images = _scan(tree, places) if places else ([], [])
    if not matched or not images:
        return []
    container = _common_ancestor([node for _, node in matched])
    last_position, last = matched[-1]
    span = range(matched[0][0] + 1, last_position + sum(1 for _ in last.iter()))
    inside = set(container.iter("img"))
    figures: list[_Figure] = []
    by_figure: dict[etree._Element, _Figure] = {}
    seen: set[str] = set()
    for position, place, img in images:
        src = _source(img)
        width, height = _size(img.get("width")), _size(img.get("height"))
        if (position not in span or img not in inside or src in seen
                or is_tracking_image(src, width, height)):
            continue
        seen.add(src)
        holder = _figure_of(img)
        figure = by_figure.get(holder) if holder is not None else None
        if figure is None:
            figure = _Figure(after=place, position=position, caption=_caption(holder))
            figures.append(figure)
            if holder is not None:
                by_figure[holder] = figure
        figure.images.append((_xml(src), _xml(img.get("alt") or "").strip(), width, height))
        if len(seen) >= MAX_IMAGES:
            break
    return figures


def with_images(body: etree._Element, tree: etree._Element) -> etree._Element:
    """A copy of trafilatura's `body` with the page's in-article pictures put back, as
    `<figure>` elements of `<graphic>` (reader_html renders them `<img>`) and a
    `<figcaption>` when the page gave one that the body does not already hold as text."""
    figures = find_figures(tree, body)
    if not figures:
        return body
    copy = deepcopy(body)  # not a serialise-and-parse: odd attribute names do not parse
    blocks = list(copy)
    texts = {_key(_text(block)) for block in blocks}
    for figure in reversed(figures):
        element = etree.Element("figure")
        for src, alt, width, height in figure.images:
            graphic = etree.SubElement(element, "graphic", src=src, alt=alt)
            if width:
                graphic.set("width", width)
            if height:
                graphic.set("height", height)
        if figure.caption and _key(figure.caption) not in texts:
            etree.SubElement(element, "figcaption").text = figure.caption
        blocks[figure.after].addnext(element)
        element.tail = None
    return copy
