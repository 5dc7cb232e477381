"""The Fetcher against real loopback servers: success, conditional GET, status errors."""

from __future__ import annotations

import gzip
from dataclasses import replace

import pytest

from tidings.fetch import EgressRefused, Fetcher, HTTPStatusError
from tidings.sources import parse_feed

from .conftest import send

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>'
    b"<link>http://example.org/</link><item><title>One</title><link>/one</link>"
    b"<guid>id-1</guid></item></channel></rss>"
)


def test_fetch_returns_body_headers_and_feeds_the_parser(server, settings):
    @server.route("/feed")
    def feed(h):
        send(h, 200, RSS, {"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(server.url("/feed"))
    assert result.status == 200 and result.content == RSS and result.etag == '"v1"'
    assert server.requests[0][1]["user-agent"] == settings.user_agent
    parsed = parse_feed(result.content, url=result.final_url, content_type=result.content_type)
    assert [e.title for e in parsed.entries] == ["One"]
    assert parsed.entries[0].url == server.url("/one")


def test_conditional_get_gets_304_not_modified(server, settings):
    @server.route("/feed")
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            send(h, 304, headers={"ETag": '"v1"'})
        else:
            send(h, 200, RSS, {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    with Fetcher(settings) as fetcher:
        first = fetcher.fetch(server.url("/feed"))
        second = fetcher.fetch(
            server.url("/feed"), etag=first.etag, last_modified=first.last_modified
        )
    assert not first.not_modified
    assert second.not_modified and second.status == 304 and second.content == b""
    assert second.last_modified == first.last_modified  # kept though the 304 did not repeat it
    assert server.requests[1][1]["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_gzip_body_is_decoded(server, settings):
    @server.route("/gz")
    def gz(h):
        send(h, 200, gzip.compress(RSS), {"Content-Encoding": "gzip"})

    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(server.url("/gz")).content == RSS


def test_429_carries_retry_after(server, settings):
    @server.route("/busy")
    def busy(h):
        send(h, 429, b"slow down", {"Retry-After": "120"})

    with Fetcher(settings) as fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(server.url("/busy"))
    assert caught.value.status == 429 and caught.value.retry_after_s == 120
    assert "429" in str(caught.value) and server.url("/busy") in str(caught.value)


def test_loopback_refused_without_allow_list(server, settings):
    with Fetcher(replace(settings, allow_hosts=())) as fetcher, pytest.raises(EgressRefused) as c:
        fetcher.fetch(server.url("/feed"))
    assert "loopback" in str(c.value) and "TIDINGS_ALLOW_HOSTS" in str(c.value)
    assert server.requests == []
