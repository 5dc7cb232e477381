"""The one HTML allow-list: everything a Tidings page shows from elsewhere passes through here.

nh3 (ammonia) does the parsing and cleaning; this module only fixes the policy: a small set
of reading tags, no scripts, styles, frames, forms or event handlers, http(s)/mailto links
only, every link `rel="noopener noreferrer nofollow"`, relative URLs made absolute so an
article shown on our site never points at our own paths. Images stay when they are http(s),
load lazily and send no referrer; tracking pixels (1×1 or a known beacon) are dropped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "sub", "sup", "strong", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
# Their content is dropped too, not just the tags: a script's text is not article text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "object", "embed",
                                  "template", "svg", "math", "form", "select", "textarea",
                                  "button"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
LINK_REL = "noopener noreferrer nofollow"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
IMAGE_SCHEMES = frozenset({"http", "https"})
IMAGE_DEFAULTS = {"loading": "lazy", "referrerpolicy": "no-referrer", "decoding": "async"}
# Hosts and paths of counting pixels that feeds embed; their images are never content.
BEACON_HOSTS = ("feeds.feedburner.com", "feedproxy.google.com", "pixel.wp.com",
                "stats.wordpress.com", "www.google-analytics.com", "google-analytics.com",
                "pixel.quantserve.com", "sb.scorecardresearch.com", "b.scorecardresearch.com",
                "ad.doubleclick.net", "pubads.g.doubleclick.net", "www.facebook.com",
                "pixel.mathtag.com", "feeds.feedblitz.com", "pixel.tapad.com")
BEACON_PATHS = re.compile(r"/(?:~r|~ff|pixel|beacon|tracking|track|open)(?:[/._?]|$)"
                          r"|/(?:1x1|spacer|blank|transparent)\.(?:gif|png)\b", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')
# What is left of a figure whose only image was a pixel or an unsafe source.
_EMPTY_FIGURE = re.compile(r"<figure>\s*(?:<figcaption>[^<]*</figcaption>\s*)?</figure>")


def _absolute(value: str, base_url: str) -> str | None:
    """Resolve against base_url; drop what cannot become an http(s)/mailto URL."""
    value = value.strip()
    if not value:
        return None
    if _SCHEME.match(value) or value.startswith("//"):
        target = urljoin(base_url or "https://invalid.example/", value)
        scheme = urlsplit(target).scheme.lower()
        return target if scheme in URL_SCHEMES else None
    if not base_url:
        return None  # a relative URL with nothing to resolve it against would point at us
    return urljoin(base_url, value)


def sanitize_html(html_text: str, *, base_url: str = "") -> str:
    """Clean untrusted HTML with the project's single allow-list (see module docstring)."""
    if not html_text:
        return ""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            target = _absolute(value, base_url)
            return target if target and urlsplit(target).scheme in IMAGE_SCHEMES else None
        if attribute in URL_ATTRIBUTES:
            return _absolute(value, base_url)
        return value

    cleaned = nh3.clean(
        html_text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=keep_attribute,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        set_tag_attribute_values={"img": dict(IMAGE_DEFAULTS)},
        strip_comments=True,
    )
    return _EMPTY_FIGURE.sub("", _IMG.sub(_keep_image, cleaned)).strip()


def is_tracking_image(src: str, width: str = "", height: str = "") -> bool:
    """A counting pixel: no usable source, 1×1 (or smaller), or a known beacon host/path."""
    if not src or width.strip() in {"0", "1"} or height.strip() in {"0", "1"}:
        return True
    parts = urlsplit(html.unescape(src))
    host = (parts.hostname or "").lower()
    return host in BEACON_HOSTS or bool(BEACON_PATHS.search(parts.path))


def _keep_image(match: re.Match[str]) -> str:
    """nh3 writes attributes as name="value": read them back to drop tracking pixels."""
    found = dict(_ATTR.findall(match.group(0)))
    keep = not is_tracking_image(found.get("src", ""), found.get("width", ""),
                                 found.get("height", ""))
    return match.group(0) if keep else ""


def text_to_html(text: str) -> str:
    """Plain text to escaped paragraphs: blank lines split paragraphs, single newlines break."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "\n".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
