"""OPML subscription lists in and out.

Import reads `<outline xmlUrl=…>` at any depth; an outline without xmlUrl that holds others is
a folder, and nested folders become one name joined with " / " (Source has one folder field).
Export writes each folder as one outline holding its feeds, so import → export → import gives
the same sources. The XML parser never resolves entities or touches the network: an OPML file
is untrusted input (entity-expansion bombs, external entities).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from lxml import etree

from tidings.models import Source, SourceKind
from tidings.sources.errors import FeedError

FOLDER_SEPARATOR = " / "


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=recover
    )


def _root(data: bytes) -> Any:
    # libxml2 expands internal entities inside attribute values whatever the parser options
    # say; OPML never needs a DTD, so entity declarations (billion laughs) are refused outright.
    # NULs out first, so that UTF-16/32 files are checked too.
    if re.search(rb"<!ENTITY", data.replace(b"\x00", b""), re.IGNORECASE):
        raise FeedError(
            "the OPML file declares XML entities (<!ENTITY …>), which OPML never needs and"
            " which can be used to attack the parser; export it again from your old reader"
        )
    try:
        return etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as strict_error:
        # Hand-edited OPML often has a stray "&"; lxml's recovery keeps the rest readable.
        root = etree.fromstring(data, _parser(recover=True)) if data.strip() else None
        if root is None or not any(True for _ in root.iter("{*}outline", "outline")):
            raise FeedError(
                f"the OPML file is not valid XML ({strict_error}); export it again from your"
                " old reader"
            ) from strict_error
        return root


def _attr(element: Any, name: str) -> str:
    """An outline attribute, matched case-insensitively (xmlUrl, xmlurl, XMLURL all occur)."""
    lowered = name.lower()
    for key, value in element.attrib.items():
        if isinstance(key, str) and key.lower() == lowered:
            return str(value).strip()
    return ""


def _walk(element: Any, folders: list[str], out: list[Source], seen: set[str]) -> None:
    for child in element:
        if not isinstance(child.tag, str) or etree.QName(child).localname != "outline":
            continue
        name = _attr(child, "title") or _attr(child, "text")
        url = _attr(child, "xmlUrl")
        if url:
            if url not in seen:
                seen.add(url)
                out.append(_source(child, url, name, folders))
        else:
            _walk(child, [*folders, name] if name else folders, out, seen)


def _source(outline: Any, url: str, name: str, folders: list[str]) -> Source:
    return Source(
        url=url,
        kind=SourceKind.FEED,
        title=name,
        site_url=_attr(outline, "htmlUrl"),
        folder=FOLDER_SEPARATOR.join(folders),
    )


def parse_opml(data: bytes) -> list[Source]:
    """The feeds listed in an OPML file, in document order, first occurrence of each URL."""
    root = _root(data)
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise FeedError(
            f"the file is XML but not OPML (its root element is <{root.tag}>, not <opml>);"
            " export your subscriptions as OPML from your old reader"
        )
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    sources: list[Source] = []
    _walk(body if body is not None else root, [], sources, set())
    return sources


def _outline(parent: ET.Element, source: Source) -> None:
    attrs = {"type": "rss", "text": source.title or source.url, "xmlUrl": source.url}
    if source.title:
        attrs["title"] = source.title
    if source.site_url:
        attrs["htmlUrl"] = source.site_url
    ET.SubElement(parent, "outline", attrs)


def write_opml(sources: Sequence[Source], *, title: str = "Tidings subscriptions") -> str:
    """OPML 2.0 text for `sources`: feeds without a folder first, then one outline per folder."""
    root = ET.Element("opml", {"version": "2.0"})
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for source in sources:
        if not source.folder:
            _outline(body, source)
    for source in sources:
        if source.folder:
            if source.folder not in folders:
                folders[source.folder] = ET.SubElement(
                    body, "outline", {"text": source.folder, "title": source.folder}
                )
            _outline(folders[source.folder], source)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
