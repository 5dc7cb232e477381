"""The egress guard: every URL Tidings fetches must point at the public internet.

Server-side fetching is a classic SSRF hole (Miniflux, CommaFeed and Stringer all shipped
fixes): a subscriber could point a "feed" at the cloud metadata service or an admin page on
the private network. So every hop is checked twice: `check_url` before the request (for a
clear message), and `checked_addresses` again at connect time on the addresses actually
connected to, so a DNS answer that changes between the two (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tidings.fetch.errors import EgressRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
GetAddrInfo = Callable[..., Sequence[tuple[Any, ...]]]

ALLOWED_SCHEMES = ("http", "https")

# Checked in order; the label goes into the error message.
_REFUSED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' (0.0.0.0/8)"),
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("169.254.0.0/16", "link-local / cloud metadata"),
    ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "IPv6 loopback"),
    ("::ffff:0:0/96", "IPv4-mapped IPv6"),
    ("fc00::/7", "IPv6 unique local (ULA)"),
    ("fe80::/10", "IPv6 link-local"),
    ("ff00::/8", "IPv6 multicast"),
)
_REFUSED_NETS = tuple((ipaddress.ip_network(net), label) for net, label in _REFUSED)


def refusal_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched from, or None when it is a public address."""
    for net, label in _REFUSED_NETS:
        if ip.version == net.version and ip in net:
            return label
    if isinstance(ip, ipaddress.IPv6Address):
        # NAT64 and 6to4 carry an IPv4 address inside; judge the one they lead to.
        embedded = ip.sixtofour or _nat64_embedded(ip)
        if embedded is not None and refusal_reason(embedded):
            return f"IPv6 wrapping a refused IPv4 address ({embedded})"
    if not ip.is_global:
        return "non-public (special-purpose)"
    return None


def _nat64_embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _allowed_by_list(host: str, ip: IPAddress | None, allow_hosts: Sequence[str]) -> bool:
    for raw in allow_hosts:
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == host:
            return True
        if ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:  # a hostname entry, already compared above
                continue
    return False


def resolve(host: str, port: int, getaddrinfo: GetAddrInfo = socket.getaddrinfo) -> list[IPAddress]:
    """All addresses `host` resolves to (IP literals resolve to themselves), without duplicates."""
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise EgressRefused(
            f"cannot resolve host {host!r} ({exc}); check the URL's spelling", url=host
        ) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def checked_addresses(
    host: str,
    port: int,
    allow_hosts: Sequence[str] = (),
    getaddrinfo: GetAddrInfo = socket.getaddrinfo,
    url: str = "",
) -> list[IPAddress]:
    """Resolve `host` and return its addresses, refusing if ANY of them is not public.

    Refusing on any (not all) address matters: an attacker's name can answer with one public
    and one private address and let the client pick.
    """
    host = host.strip("[]").lower().rstrip(".")
    addresses = resolve(host, port, getaddrinfo)
    if not addresses:
        raise EgressRefused(f"refused {url or host}: {host!r} resolves to no address", url=url)
    for ip in addresses:
        reason = refusal_reason(ip)
        if reason and not _allowed_by_list(host, ip, allow_hosts):
            raise EgressRefused(
                f"refused {url or host}: {host} resolves to {ip}, a {reason} address; Tidings"
                " only fetches from the public internet. If this is your own local feed, add"
                f" {host} to TIDINGS_ALLOW_HOSTS.",
                url=url,
            )
    return addresses


def check_url(
    url: str, allow_hosts: Sequence[str] = (), getaddrinfo: GetAddrInfo = socket.getaddrinfo
) -> None:
    """Raise EgressRefused unless `url` is http(s) and its host resolves only to public addresses
    (or is admitted by `allow_hosts`: hostnames, IPs or CIDR networks)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise EgressRefused(f"refused {url!r}: not a valid URL ({exc})", url=url) from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise EgressRefused(
            f"refused {url!r}: only http:// and https:// URLs can be fetched", url=url
        )
    if not parts.hostname:
        raise EgressRefused(f"refused {url!r}: the URL has no host name", url=url)
    default_port = 443 if parts.scheme.lower() == "https" else 80
    checked_addresses(parts.hostname, port or default_port, allow_hosts, getaddrinfo, url)
