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


# libxml2 stops at 256 levels (without XML_PARSE_HUGE) and, recovering, silently drops what
# lies deeper; no reader exports folders that deep, so both limits are refused with a message.
MAX_DEPTH = 256
MAX_OUTLINES = 50_000


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=recover
    )


def _invalid(reason: object) -> FeedError:
    return FeedError(
        f"the OPML file is not valid XML ({reason}); export it again from your old reader"
    )


def _too_deep(error_log: Any) -> bool:
    return any("Excessive depth" in str(entry.message) for entry in error_log)


def _root(data: bytes) -> Any:
    # libxml2 expands internal entities inside attribute values whatever the parser options
    # say; OPML never needs a DTD, so entity declarations (billion laughs) are refused outright.
    # NULs out first, so that UTF-16/32 files are checked too.
    if re.search(rb"<!ENTITY", data.replace(b"\x00", b""), re.IGNORECASE):
        raise FeedError(
            "the OPML file declares XML entities (<!ENTITY …>), which OPML never needs and"
            " which can be used to attack the parser; export it again from your old reader"
        )
    if not data.replace(b"\x00", b"").strip():
        raise FeedError("the OPML file is empty; export it again from your old reader")
    strict = _parser(recover=False)
    try:
        return etree.fromstring(data, strict)
    except etree.XMLSyntaxError as strict_error:
        if _too_deep(strict.error_log):
            raise _nested_too_deep() from strict_error
        return _recovered(data, strict_error)


def _recovered(data: bytes, strict_error: Exception) -> Any:
    """Hand-edited OPML often has a stray "&"; lxml's recovery keeps the rest readable."""
    lenient = _parser(recover=True)
    try:
        root = etree.fromstring(data, lenient)
    except etree.XMLSyntaxError:
        root = None
    if _too_deep(lenient.error_log):
        raise _nested_too_deep() from strict_error
    if root is None or not any(_attr(o, "xmlUrl") for o in root.iter("{*}outline", "outline")):
        raise _invalid(strict_error) from strict_error  # nothing usable survived the recovery
    return root


def _nested_too_deep() -> FeedError:
    return FeedError(
        f"the OPML file nests outlines more than {MAX_DEPTH} levels deep, which no reader"
        " exports; nothing was imported. Flatten the folders and try again"
    )


def _localname(element: Any) -> str:
    """The tag without its namespace; '' for comments and processing instructions."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element: Any, name: str) -> str:
    """An outline attribute, matched case-insensitively (xmlUrl, xmlurl, XMLURL all occur)."""
    lowered = name.lower()
    for key, value in element.attrib.items():
        if isinstance(key, str) and key.lower() == lowered:
            return str(value).strip()
    return ""


def _walk(element: Any, folders: list[str], out: list[Source], seen: set[str]) -> None:
    for child in element:
        if _localname(child) != "outline":
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
    """The feeds listed in an OPML file, in document order, first occurrence of each URL.

    Raises FeedError, with what was wrong, for anything that is not a usable OPML file.
    """
    try:
        return _feeds(_root(data))
    except FeedError:
        raise
    except Exception as exc:  # lxml on hostile bytes: still a bad file, never a traceback
        raise _invalid(f"{type(exc).__name__}: {exc}") from exc


def _feeds(root: Any) -> list[Source]:
    if _localname(root).lower() != "opml":
        shown = _localname(root) or type(root).__name__
        raise FeedError(
            f"the file is XML but not OPML (its root element is <{shown}>, not <opml>);"
            " export your subscriptions as OPML from your old reader"
        )
    outlines = sum(1 for _ in root.iter("{*}outline", "outline"))
    if outlines > MAX_OUTLINES:
        raise FeedError(
            f"the OPML file has {outlines:,} outlines, more than the {MAX_OUTLINES:,} Tidings"
            " imports at once; nothing was imported. Split the file and import the parts"
        )
    body = next((c for c in root if _localname(c).lower() == "body"), None)
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
