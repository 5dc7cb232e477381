"""Canonical URLs: one spelling per article, so the same story linked two ways is one row.

Only changes that cannot alter which page a server returns: scheme and host case, default
ports, the fragment, and query parameters that exist purely for tracking. Paths, trailing
slashes and the order of the remaining parameters are kept as the publisher wrote them.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "__hs", "_hs", "hsa_", "vero_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "mc_cid", "mc_eid", "mkt_tok", "igshid", "igsh", "_ga", "_gl",
    "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "wickedid", "ncid", "cmpid",
    "ocid", "spm", "sr_share", "ref_src", "ref_url",
})  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def mangled_host(netloc: str) -> bool:
    """A host that URL parsers read differently: text before an IPv6 literal's "[" (which
    urlsplit silently drops) or control characters and spaces."""
    host = netloc.rpartition("@")[2]
    stray = ("[" in host or "]" in host) and not host.startswith("[")
    return stray or any(ord(c) <= 32 for c in host)


def web_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL, else "": links from feeds and pages are shown
    to readers, so `javascript:`, `data:` and the like never get that far."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _DEFAULT_PORTS or mangled_host(parts.netloc):
        return ""
    return text if parts.hostname else ""


def canonical_url(url: str) -> str:
    """`url` with tracking parameters and the fragment removed and scheme/host normalised.

    Returns the input stripped of whitespace when it is not an absolute http(s) URL, so the
    function is safe on anything a feed puts in a link.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or mangled_host(parts.netloc):
        return text
    host = parts.hostname.rstrip(".") or parts.hostname  # urlsplit lower-cases the host
    if ":" in host or parts.netloc.rpartition("@")[2].startswith("["):  # an IP literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:  # keep credentials exactly; rare, but they select content
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _clean_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking_param(k)]
    if len(kept) == len(pairs):
        return query  # untouched: re-encoding could change how the server reads it
    try:
        return urlencode(kept)
    except UnicodeEncodeError:  # a lone surrogate: not text a server could be sent anyway
        return query
