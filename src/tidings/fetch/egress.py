"""The egress guard: every URL Tidings fetches must point at the public internet.

Server-side fetching is a classic SSRF hole (Miniflux, CommaFeed and Stringer all shipped
fixes): a subscriber could point a "feed" at the cloud metadata service or an admin page on
the private network. So every hop is checked twice: `check_url` before the request (for a
clear message), and `checked_addresses` again at connect time on the addresses actually
connected to, so a DNS answer that changes between the two (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tidings.extract.urls import mangled_host
from tidings.fetch.errors import EgressRefused

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
GetAddrInfo = Callable[..., Sequence[tuple[Any, ...]]]

ALLOWED_SCHEMES = ("http", "https")

# Our own table, not `ipaddress.is_global`: the standard library calls several forms that
# reach loopback or the private network "global" (IPv4-compatible ::127.0.0.1, translated
# ::ffff:0:127.0.0.1, local-use NAT64, site-local fec0::/10). Checked in order; the label
# goes into the error message.
_REFUSED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' (0.0.0.0/8)"),
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("169.254.0.0/16", "link-local / cloud metadata"),
    ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "IPv6 loopback"),
    ("::/96", "IPv4-compatible IPv6 (deprecated)"),
    ("::ffff:0:0/96", "IPv4-mapped IPv6"),
    ("::ffff:0:0:0/96", "IPv4-translated IPv6"),
    ("100::/64", "IPv6 discard-only"),
    ("2001:2::/48", "IPv6 benchmarking"),
    ("2001:10::/28", "IPv6 ORCHID"),
    ("2001:20::/28", "IPv6 ORCHIDv2"),
    ("2001:db8::/32", "IPv6 documentation"),
    ("3fff::/20", "IPv6 documentation"),
    ("5f00::/16", "IPv6 segment routing (SRv6)"),
    ("fc00::/7", "IPv6 unique local (ULA)"),
    ("fe80::/10", "IPv6 link-local"),
    ("fec0::/10", "IPv6 site-local (deprecated)"),
    ("ff00::/8", "IPv6 multicast"),
)
_REFUSED_NETS = tuple((ipaddress.ip_network(net), label) for net, label in _REFUSED)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# RFC 6052: where the IPv4 address sits in a NAT64 address, by prefix length. Bits 64-71 (the
# "u" octet) are skipped. A local-use prefix may have any of these lengths, so all are tried.
_RFC6052_PREFIXES = (96, 64, 56, 48, 40, 32)


def refusal_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched from, or None when it is a public address."""
    for net, label in _REFUSED_NETS:
        if ip.version == net.version and ip in net:
            return label
    if isinstance(ip, ipaddress.IPv4Address):
        return None if ip.is_global else "non-public (special-purpose)"
    for embedded in _embedded_ipv4(ip):
        if refusal_reason(embedded):
            return f"IPv6 wrapping a refused IPv4 address ({embedded})"
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return None  # translated to the public IPv4 address checked just above
    if ip not in _GLOBAL_UNICAST:
        return "non-public IPv6 (outside global unicast 2000::/3)"
    if ip in _TEREDO:
        return None  # both embedded addresses were public
    return None if ip.is_global else "non-public (special-purpose)"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: NAT64 (both prefixes), 6to4, Teredo."""
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip in _NAT64_LOCAL:
        return [_rfc6052(int(ip), length) for length in _RFC6052_PREFIXES if length >= 48]
    if ip in _SIXTOFOUR:
        return [ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)]
    if ip in _TEREDO:
        server = ipaddress.IPv4Address((int(ip) >> 64) & 0xFFFFFFFF)
        client = ipaddress.IPv4Address(~int(ip) & 0xFFFFFFFF)
        return [server, client]
    return []


def _rfc6052(value: int, prefix: int) -> ipaddress.IPv4Address:
    """The IPv4 address at RFC 6052's position for a NAT64 prefix of `prefix` bits."""
    bits = f"{value:0128b}"
    suffix = (bits[prefix:64] + bits[72:]) if prefix < 64 else bits[prefix:]
    return ipaddress.IPv4Address(int(suffix[:32], 2))


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
    """All addresses `host` resolves to (IP literals resolve to themselves), without duplicates.

    Raises OSError or UnicodeError when the name does not resolve (the caller words the error).
    """
    infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _refused_name(url: str, host: str) -> EgressRefused:
    """One message whether the name does not resolve or resolves somewhere private: anything
    more would let a subscriber map which internal names exist (a DNS oracle)."""
    return EgressRefused(
        f"refused {url or host}: {host} is not a host on the public internet (it does not"
        " resolve, or resolves to a private, loopback or otherwise non-public address); check"
        f" the URL's spelling. If this is your own local feed, add {host} to"
        " TIDINGS_ALLOW_HOSTS.",
        url=url,
    )


def checked_addresses(
    host: str,
    port: int,
    allow_hosts: Sequence[str] = (),
    getaddrinfo: GetAddrInfo = socket.getaddrinfo,
    url: str = "",
) -> list[IPAddress]:
    """Resolve `host` and return its addresses, refusing if ANY of them is not public.

    Refusing on any (not all) address matters: an attacker's name can answer with one public
    and one private address and let the client pick. For an IP literal the error names the
    address class (the user typed it); for a name it does not say which failure it was.
    """
    host = host.strip("[]").lower().rstrip(".")
    literal = _literal(host)
    try:
        addresses = resolve(host, port, getaddrinfo)
    except (OSError, UnicodeError, ValueError) as exc:
        log.info("egress: %s does not resolve (%s)", host, exc)
        raise _refused_name(url, host) from exc
    if not addresses:
        raise _refused_name(url, host)
    for ip in addresses:
        reason = refusal_reason(ip)
        if reason and not _allowed_by_list(host, ip, allow_hosts):
            log.info("egress: refused %s: %s is %s", host, ip, reason)
            if literal is None:
                raise _refused_name(url, host)
            raise EgressRefused(
                f"refused {url or host}: {ip} is a {reason} address; Tidings only fetches from"
                f" the public internet. If this is your own local feed, add {host} to"
                " TIDINGS_ALLOW_HOSTS.",
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
    if mangled_host(parts.netloc):
        raise EgressRefused(f"refused {url!r}: the host name is malformed", url=url)
    default_port = 443 if parts.scheme.lower() == "https" else 80
    checked_addresses(parts.hostname, port or default_port, allow_hosts, getaddrinfo, url)
