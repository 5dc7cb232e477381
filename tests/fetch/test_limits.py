"""Hostile servers on loopback: huge bodies, gzip bombs, endless redirects, slow drips.

Each case must end with a clear FetchError, quickly and without reading everything.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import replace

import pytest

from tidings.fetch import BodyTooLarge, Fetcher, FetchError, FetchTimeout, TooManyRedirects

from .conftest import send

FIFTY_MB = 50 * 1024 * 1024
CHUNK = b"\0" * 65536


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """~100 MB of zeros compressed to ~100 KB, built in pieces to keep memory flat."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * 1_000_000
    parts = [packer.compress(block) for _ in range(100)]
    return b"".join([*parts, packer.flush()])


def _stream_zeros(h, total: int, sent: list[int], announce: bool) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    if announce:
        h.send_header("Content-Length", str(total))
    else:
        h.send_header("Connection", "close")
    h.end_headers()
    while sent[0] < total:
        h.wfile.write(CHUNK)
        sent[0] += len(CHUNK)


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "unannounced"])
def test_fifty_megabyte_body_is_cut_off_without_reading_it_all(server, settings, announce):
    sent = [0]

    @server.route("/big")
    def big(h):
        _stream_zeros(h, FIFTY_MB, sent, announce)

    with Fetcher(settings) as fetcher, pytest.raises(BodyTooLarge) as caught:
        fetcher.fetch(server.url("/big"))
    assert "1,000,000-byte limit" in str(caught.value)
    assert "TIDINGS_MAX_BODY_BYTES" in str(caught.value)
    # The client hung up: the server got nowhere near 50 MB out (socket buffers hold a few MB).
    assert sent[0] < FIFTY_MB / 4


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_is_stopped_at_the_decoded_cap(server, settings, gzip_bomb, encoding):
    body = gzip_bomb
    if encoding == "deflate":  # zlib-wrapped deflate, as RFC 9110 defines it
        packer = zlib.compressobj(9)
        body = b"".join(packer.compress(b"\0" * 1_000_000) for _ in range(50)) + packer.flush()
    assert len(body) < settings.max_body_bytes  # small on the wire, huge when inflated

    @server.route("/bomb")
    def bomb(h):
        send(h, 200, body, {"Content-Encoding": encoding, "Content-Type": "application/xml"})

    with Fetcher(settings) as fetcher, pytest.raises(BodyTooLarge, match="decompressed"):
        fetcher.fetch(server.url("/bomb"))


def test_endless_redirect_chain_stops_at_the_limit(server, settings):
    @server.route("/hop")
    def hop(h):
        n = int(h.path.split("n=")[1]) if "n=" in h.path else 0
        send(h, 302, headers={"Location": f"/hop?n={n + 1}"})

    with Fetcher(settings) as fetcher, pytest.raises(TooManyRedirects, match="more than 3"):
        fetcher.fetch(server.url("/hop"))
    assert len(server.requests) == settings.max_redirects + 1


def test_redirect_loop_is_named(server, settings):
    @server.route("/a")
    def a(h):
        send(h, 301, headers={"Location": "/b"})

    @server.route("/b")
    def b(h):
        send(h, 301, headers={"Location": "/a"})

    loose = replace(settings, max_redirects=10)
    with Fetcher(loose) as fetcher, pytest.raises(TooManyRedirects, match="redirect loop"):
        fetcher.fetch(server.url("/a"))
    assert len(server.requests) == 2


def test_redirects_within_the_limit_are_followed(server, settings):
    @server.route("/old")
    def old(h):
        send(h, 308, headers={"Location": "/new"})

    @server.route("/new")
    def new(h):
        send(h, 200, b"<rss/>")

    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(server.url("/old"))
    assert result.final_url == server.url("/new") and result.url == server.url("/old")


def _drip(h, head: bytes, stop: threading.Event) -> None:
    """Send `head` one byte per second (a slow-loris server) until the client leaves."""
    for byte in head:
        if stop.wait(1.0):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("phase", ["headers", "body"])
def test_slow_loris_server_fails_within_the_deadline(server, settings, phase):
    """Each byte arrives well within the per-read timeout; only a total deadline stops it."""
    stop = threading.Event()
    status_line = b"HTTP/1.1 200 OK\r\n"
    headers = b"Content-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"

    @server.route("/slow")
    def slow(h):
        if phase == "body":
            h.wfile.write(status_line + headers)
            _drip(h, b"<rss>" + b" " * 99995, stop)
        else:
            h.wfile.write(status_line)
            _drip(h, headers, stop)

    # Bounded by the deadline, not 100,000 seconds of dripping: the timeout mark fails a hang.
    try:
        with (
            Fetcher(settings, deadline_s=3.0) as fetcher,
            pytest.raises(FetchTimeout, match="time limit"),
        ):
            fetcher.fetch(server.url("/slow"))
    finally:
        stop.set()


def test_silent_server_times_out(server, settings):
    stop = threading.Event()

    @server.route("/silent")
    def silent(h):
        stop.wait(10)

    try:
        with Fetcher(settings) as fetcher, pytest.raises(FetchTimeout):
            fetcher.fetch(server.url("/silent"))
    finally:
        stop.set()


def test_connection_refused_is_a_clear_fetch_error(settings):
    with Fetcher(settings) as fetcher, pytest.raises(FetchError, match="could not connect"):
        fetcher.fetch("http://127.0.0.1:9/feed")  # the discard port: nothing listens
