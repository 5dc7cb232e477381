"""The egress guard: every refused address class, directly, via a redirect hop and via a
hostname that resolves to it; and an allow-listed loopback feed admitted.

Hostnames are resolved by an injected getaddrinfo (a fake DNS table), so no test needs
internet or /etc/hosts entries; the HTTP in the redirect cases is real, on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import replace

import pytest

from tidings.fetch import EgressRefused, Fetcher, check_url
from tidings.fetch.egress import refusal_reason

from .conftest import send

# address class → one address of it (the label must appear in the error message)
REFUSED = {
    "loopback": "127.0.0.1",
    "loopback-other": "127.10.20.30",
    "rfc1918-10": "10.1.2.3",
    "rfc1918-172": "172.20.0.5",
    "rfc1918-192": "192.168.1.10",
    "link-local": "169.254.10.1",
    "metadata": "169.254.169.254",
    "cgnat": "100.64.0.1",
    "multicast": "224.0.0.251",
    "this-network": "0.0.0.0",
    "reserved": "240.0.0.1",
    "broadcast": "255.255.255.255",
    "ipv6-loopback": "::1",
    "ipv6-unspecified": "::",
    "ipv6-ula": "fd12:3456::1",
    "ipv6-link-local": "fe80::1",
    "ipv6-multicast": "ff02::1",
    "ipv4-mapped-loopback": "::ffff:127.0.0.1",
    "ipv4-mapped-metadata": "::ffff:169.254.169.254",
    "nat64-private": "64:ff9b::a00:1",
    "6to4-private": "2002:c0a8:0101::1",
}
PUBLIC = ["93.184.216.34", "2606:4700:4700::1111"]


def fake_dns(table: dict[str, list[str]]):
    """A getaddrinfo that answers from `table` and resolves IP literals to themselves."""

    def getaddrinfo(host, port, *args, **kwargs):
        addresses = table.get(host)
        if addresses is None:
            try:
                socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            except OSError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            addresses = [host]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return getaddrinfo


def literal(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


@pytest.mark.parametrize("ip", REFUSED.values(), ids=REFUSED.keys())
def test_refused_directly(ip):
    with pytest.raises(EgressRefused) as caught:
        check_url(f"http://{literal(ip)}/feed.xml", getaddrinfo=fake_dns({}))
    message = str(caught.value)
    assert "refused" in message and "TIDINGS_ALLOW_HOSTS" in message


@pytest.mark.parametrize("ip", REFUSED.values(), ids=REFUSED.keys())
def test_refused_through_a_hostname_that_resolves_to_it(ip):
    dns = fake_dns({"feeds.evil.test": [ip]})
    with pytest.raises(EgressRefused, match=r"feeds\.evil\.test is not a host on the public") as e:
        check_url("https://feeds.evil.test/rss", getaddrinfo=dns)
    assert ip not in str(e.value)  # the message must not tell where an internal name points


def test_refused_when_any_resolved_address_is_private():
    dns = fake_dns({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(EgressRefused, match=re.escape("mixed.test is not a host on the public")):
        check_url("http://mixed.test/", getaddrinfo=dns)


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_pass(ip):
    assert refusal_reason(ipaddress.ip_address(ip)) is None
    check_url(f"https://{literal(ip)}/feed", getaddrinfo=fake_dns({}))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "javascript:alert(1)",
            "http:///nohost", "http://[::1/"],
)
def test_only_http_and_https_with_a_host(url):
    with pytest.raises(EgressRefused, match="refused"):
        check_url(url, getaddrinfo=fake_dns({}))


def test_unresolvable_host_is_a_clear_error():
    with pytest.raises(EgressRefused, match=re.escape("nowhere.test is not a host on the publ")):
        check_url("http://nowhere.test/", getaddrinfo=fake_dns({}))


def test_errors_do_not_tell_which_internal_names_exist():
    """A name that does not resolve and one that resolves to a private address get the same
    message, so the guard cannot be used to map the internal network."""
    dns = fake_dns({"intranet.corp.test": ["10.1.2.3"]})
    messages = []
    for host in ("intranet.corp.test", "nothing.corp.test"):
        with pytest.raises(EgressRefused) as caught:
            check_url(f"http://{host}/", getaddrinfo=dns)
        messages.append(str(caught.value).replace(host, "HOST"))
    assert messages[0] == messages[1]


def test_obfuscated_ipv4_spellings_are_refused_after_resolution():
    # The real resolver turns these into 127.0.0.1; the guard judges the resolved address.
    for url in ("http://2130706433/", "http://0x7f.1/", "http://127.1/"):
        with pytest.raises(EgressRefused, match="not a host on the public internet"):
            check_url(url)


@pytest.mark.parametrize(
    "allow", [("127.0.0.1",), ("127.0.0.0/8",), ("localhost",)], ids=["ip", "cidr", "name"]
)
def test_allow_list_admits_a_local_feed(server, settings, allow):
    @server.route("/feed")
    def feed(h):
        send(h, 200, b"<rss version='2.0'><channel><title>L</title></channel></rss>")

    url = server.url("/feed").replace("127.0.0.1", "localhost") if allow == ("localhost",) else (
        server.url("/feed")
    )
    dns = fake_dns({"localhost": ["127.0.0.1"]})
    with Fetcher(replace(settings, allow_hosts=allow), getaddrinfo=dns) as fetcher:
        assert fetcher.fetch(url).status == 200


def test_allow_list_is_exact_not_a_blanket_pass():
    with pytest.raises(EgressRefused, match="RFC 1918"):
        check_url("http://10.0.0.1/", allow_hosts=("127.0.0.0/8", "localhost"))


# The test server itself is on allow-listed 127.0.0.1, so the loopback class is represented
# here by another loopback address (127.10.20.30), which the allow-list does not cover.
REDIRECT_TARGETS = {k: v for k, v in REFUSED.items() if v != "127.0.0.1"}


@pytest.mark.parametrize("ip", REDIRECT_TARGETS.values(), ids=REDIRECT_TARGETS.keys())
def test_refused_through_a_redirect_hop(server, settings, ip):
    """The first hop is the allow-listed loopback server; it redirects to a refused address,
    directly and through a hostname, and the second hop must never be requested."""

    @server.route("/ip")
    def to_ip(h):
        send(h, 302, headers={"Location": f"http://{literal(ip)}/internal"})

    @server.route("/name")
    def to_name(h):
        send(h, 301, headers={"Location": "http://hop.evil.test/internal"})

    dns = fake_dns({"hop.evil.test": [ip]})
    with Fetcher(replace(settings, allow_hosts=("127.0.0.1",)), getaddrinfo=dns) as fetcher:
        for path in ("/ip", "/name"):
            with pytest.raises(EgressRefused, match="refused"):
                fetcher.fetch(server.url(path))
    assert [p for p, _ in server.requests] == ["/ip", "/name"]


def test_dns_rebinding_between_check_and_connect_is_refused(server, settings):
    """The name resolves to a public address for the pre-check, then to loopback: the
    connection is refused because the guard checks the addresses it actually connects to."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    real = fake_dns({})

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            return real(next(answers)[0], port)
        return real(host, port)

    with Fetcher(replace(settings, allow_hosts=()), getaddrinfo=rebinding) as fetcher:
        url = server.url("/feed").replace("127.0.0.1", "rebind.test")
        with pytest.raises(EgressRefused, match=re.escape("rebind.test is not a host on the")):
            fetcher.fetch(url)
    assert server.requests == []


def test_connects_to_the_checked_address_not_a_fresh_lookup(server, settings):
    """A name that only our resolver knows reaches the server: proof that the socket goes to
    the address the guard checked, not to a second lookup by the HTTP library."""

    @server.route("/feed")
    def feed(h):
        send(h, 200, b"ok")

    dns = fake_dns({"pinned.test": ["127.0.0.1"]})
    with Fetcher(replace(settings, allow_hosts=("127.0.0.1",)), getaddrinfo=dns) as fetcher:
        result = fetcher.fetch(server.url("/feed").replace("127.0.0.1", "pinned.test"))
    assert result.content == b"ok"
    assert server.requests[0][1]["host"].startswith("pinned.test")
