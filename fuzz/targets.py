"""One function per fuzz target: bytes in, and an exception out only when Tidings has a bug.

Each boundary has one error type it may raise for bad input (FeedError for feeds and OPML,
ExtractError for pages, EgressRefused for URLs); anything else escaping is a crash. The URL
target also checks the guard's answers against what must hold (no refused address admitted,
IPv6 literals not mangled), so a wrong "yes" is found, not only an exception.

Used by `fuzz/run.py` (atheris) and replayed by `tests/test_fuzz_corpus.py` on every seed and
every regression file, so a crash once found stays fixed.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from tidings.extract import ExtractError, extract_document
from tidings.extract.urls import canonical_url, web_url
from tidings.fetch import EgressRefused, check_url
from tidings.fetch.egress import refusal_reason
from tidings.sources import FeedError, parse_feed, parse_opml

# What a fuzzed host name resolves to: picked by a hash of the name, public and not.
ANSWERS = ["93.184.216.34", "10.0.0.1", "127.0.0.1", "2606:4700:4700::1111", "::ffff:0:a00:1",
           "64:ff9b::7f00:1", "fec0::1", "2002:a00:1::1", "169.254.169.254"]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TEREDO = ipaddress.ip_network("2001::/32")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def reachable(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An oracle written apart from the guard: may Tidings connect to `ip`? Public IPv4; IPv6
    only in global unicast, and wherever an IPv6 address leads to an IPv4 one, that one too."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.is_global and not ip.is_multicast
    if ip in _NAT64:
        return reachable(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _TEREDO:
        server, client = ip.teredo or (None, None)
        return bool(server and client and reachable(server) and reachable(client))
    if ip in _SIXTOFOUR:
        return ip.sixtofour is not None and reachable(ip.sixtofour)
    return ip in _GLOBAL_UNICAST and ip.is_global and ip not in _SITE_LOCAL


def feed(data: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(data, url="https://feeds.example.org/rss")


def opml(data: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_opml(data)


def html(data: bytes) -> None:
    with contextlib.suppress(ExtractError):
        extract_document(data, url="https://news.example.org/a/1", content_type="text/html")


def _resolver(host: str, port: int, *_args: object, **_kwargs: object) -> list[tuple]:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
        answers = [str(ip)]
    except ValueError:
        if not host or len(host) > 253:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        digest = hashlib.sha256(host.encode("utf-8", "surrogatepass")).digest()
        answers = [ANSWERS[digest[0] % len(ANSWERS)]]
    family = socket.AF_INET6 if ":" in answers[0] else socket.AF_INET
    return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers]


def _address(data: bytes) -> None:
    """A raw 4- or 16-byte address: whatever the guard admits, the oracle must admit."""
    if len(data) not in (4, 16):
        return
    ip = ipaddress.ip_address(data)
    assert refusal_reason(ip) is not None or reachable(ip), f"{ip} admitted by the guard"


def url(data: bytes) -> None:
    _address(data[:16])
    text = data.decode("utf-8", "surrogateescape")
    web = web_url(text)
    canon = canonical_url(text)
    try:
        parts = urlsplit(text.strip())
        host = parts.hostname
    except ValueError:
        host = None
    if web and host and canon != text.strip():
        out = urlsplit(canon)
        bracketed = "[" in parts.netloc.rpartition("@")[2]
        assert out.hostname == (host.rstrip(".") or host), f"{text!r} became {canon!r}"
        assert ("[" in out.netloc.rpartition("@")[2]) == bracketed, f"{canon!r}"
    try:
        check_url(text, getaddrinfo=_resolver)
    except EgressRefused:
        return
    assert host is not None, f"{text!r} admitted without a host"
    for info in _resolver(host.strip("[]").lower().rstrip("."), 80):  # as the guard resolves
        ip = ipaddress.ip_address(info[4][0])
        assert reachable(ip), f"{text!r} admitted, resolving to {ip}"


TARGETS: dict[str, Callable[[bytes], None]] = {"feed": feed, "opml": opml, "html": html,
                                               "url": url}
