"""The egress guard's own table of non-public address forms, IPv6 spellings first.

Several of these the standard library calls global (`ipaddress.ip_address(...).is_global`
is True for ::127.0.0.1, ::ffff:0:127.0.0.1, 64:ff9b:1::7f00:1 and fec0::1 on Python 3.11);
the guard must refuse them whatever it says. Each form is tried as a URL literal and as the
answer for a hostname.
"""

from __future__ import annotations

import ipaddress

import pytest

from tidings.extract.urls import canonical_url
from tidings.fetch import EgressRefused, check_url
from tidings.fetch.egress import refusal_reason

from .test_egress import fake_dns, literal

# The four forms that passed before, named in the hostile-input campaign.
CAMPAIGN = ["::127.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b:1::7f00:1", "fec0::1"]

REFUSED_FORMS = [
    *CAMPAIGN,
    # IPv4-compatible (deprecated), any embedded address
    "::10.0.0.1", "::169.254.169.254", "::8.8.8.8", "::0.0.0.1",
    # IPv4-mapped and IPv4-translated
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:0:169.254.169.254",
    "::ffff:0:8.8.8.8",
    # NAT64 well-known prefix with a refused embedded address
    "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::192.168.0.1", "64:ff9b::100.64.0.1",
    # NAT64 local-use prefix, embedded at the /96 and at the /48 position
    "64:ff9b:1::a00:1", "64:ff9b:1:7f00:0:100::", "64:ff9b:1:ffff::a9fe:a9fe",
    # 6to4 wrapping loopback, RFC 1918, metadata
    "2002:7f00:1::1", "2002:a00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::1",
    # Teredo with a private server or a private (obfuscated) client
    "2001:0:a00:1::f7f7:f7f7", "2001:0:808:808::80ff:fefe", "2001:0:808:808::f5ff:fffe",
    # site-local, unique local, link-local (also with a zone), multicast, loopback, unspecified
    "fec0:1::2", "feff::1", "fc00::1", "fd00:abcd::1", "fe80::1", "fe80::1%25eth0",
    "ff02::1", "ff05::2", "::1", "::",
    # documentation, benchmarking, discard, ORCHID, SRv6, outside global unicast
    "2001:db8::1", "3fff::1", "2001:2::1", "100::1", "2001:10::1", "2001:20::1", "5f00::1",
    "4000::1", "1::1",
    # IPv4
    "127.0.0.1", "10.0.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1",
    "192.88.99.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
]

PUBLIC_FORMS = [
    "93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888",
    "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:0:808:808::f7f7:f7f7",
]


def test_the_table_covers_the_campaign_forms_and_forty_more():
    assert set(CAMPAIGN) <= set(REFUSED_FORMS)
    assert len(set(REFUSED_FORMS) - set(CAMPAIGN)) >= 40


@pytest.mark.parametrize("form", REFUSED_FORMS)
def test_every_non_public_form_is_refused_as_a_literal(form):
    url = f"http://{literal(form)}/feed"
    with pytest.raises(EgressRefused, match="refused") as caught:
        check_url(url, getaddrinfo=fake_dns({}))
    assert "TIDINGS_ALLOW_HOSTS" in str(caught.value)


@pytest.mark.parametrize("form", [f for f in REFUSED_FORMS if "%" not in f])
def test_every_non_public_form_is_refused_behind_a_name(form):
    assert refusal_reason(ipaddress.ip_address(form)) is not None
    dns = fake_dns({"news.attacker.test": [form]})
    with pytest.raises(EgressRefused, match="not a host on the public internet"):
        check_url("https://news.attacker.test/", getaddrinfo=dns)


@pytest.mark.parametrize("form", PUBLIC_FORMS)
def test_public_forms_still_pass(form):
    assert refusal_reason(ipaddress.ip_address(form)) is None
    check_url(f"https://{literal(form)}/feed", getaddrinfo=fake_dns({}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("HTTP://[::FFFF:7F00:1]/", "http://[::ffff:7f00:1]/"),
        ("http://[v1.x]/a", "http://[v1.x]/a"),
        ("http://[2001:db8::1]", "http://[2001:db8::1]/"),
    ],
)
def test_ipv6_literals_keep_their_brackets_through_url_handling(url, expected):
    assert canonical_url(url) == expected
