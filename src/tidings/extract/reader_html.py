"""trafilatura's XML body → reader HTML (then through the one sanitizer)."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

from tidings.extract.sanitize import sanitize_html

_RENAME = {"p": "p", "list": "ul", "item": "li", "quote": "blockquote", "lb": "br",
           "table": "table", "row": "tr", "cell": "td", "graphic": "img", "code": "code",
           "del": "del", "ref": "a", "div": "div", "label": "strong", "figure": "figure",
           "figcaption": "figcaption"}
_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_KEEP_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan"}}


def _html_tag(node: etree._Element) -> str:
    rend = node.get("rend") or ""
    if node.tag == "head":
        return rend if rend in {"h2", "h3", "h4", "h5", "h6"} else "h2"
    if node.tag == "hi":
        return _HI.get(rend, "em")
    if node.tag == "list":
        return "ol" if rend == "ol" else "ul"
    if node.tag == "cell" and node.get("role") == "head":
        return "th"
    return _RENAME.get(str(node.tag), "span")


def body_to_html(body: etree._Element, base_url: str = "") -> str:
    """Sanitized HTML for trafilatura's body element."""
    body = deepcopy(body)
    for node in body.iter():
        if not isinstance(node.tag, str) or node is body:
            continue
        if node.tag == "ref" and node.get("target"):
            node.set("href", node.get("target", ""))
        tag = _html_tag(node)
        allowed = _KEEP_ATTRIBUTES.get(tag, set())
        kept = {name: value for name, value in node.attrib.items() if name in allowed}
        # clear, not del: lxml refuses to look up a name the HTML parser let through with a
        # control character in it (`<item r\x19pt>`), but it can drop them all at once
        node.attrib.clear()
        node.attrib.update(kept)
        node.tag = tag
    parts = [etree.tostring(child, encoding="unicode", method="html") for child in body]
    prefix = body.text or ""
    return sanitize_html(prefix + "".join(parts), base_url=base_url)
