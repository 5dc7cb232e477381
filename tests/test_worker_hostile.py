"""The worker under a hostile full-text feed: twenty links to 30 MB pages beside a normal
source. Each big page is cut at the body limit while it streams (the server writes it
lazily, so nobody holds 30 MB), its item keeps the feed's text with the reason shown on the
source (not "ok"), and the normal source is fetched in the same run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tidings.config import Settings
from tidings.models import Source
from tidings.store import sources as source_store
from tidings.store.db import transaction
from tidings.store.schema import articles
from tidings.worker import run_worker

PAGE_BYTES = 30 * 1024 * 1024
CHUNK = b"<p>" + b"filler words for a page that never ends " * 1600 + b"</p>\n"
BIG_ITEMS = 20


class BigPages:
    """Serves /big/N as a 30 MB HTML page written chunk by chunk, with no Content-Length
    (the client must count), and records how many bytes each answer got out."""

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        self.active = 0
        self.idle = threading.Condition()
        pages = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the body ends when the connection closes

            def do_GET(self) -> None:
                with pages.idle:
                    pages.active += 1
                    pages.sent[self.path] = 0
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        for chunk in pages.body():
                            self.wfile.write(chunk)
                            pages.sent[self.path] += len(chunk)
                finally:
                    with pages.idle:
                        pages.active -= 1
                        pages.idle.notify_all()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def body() -> Iterator[bytes]:
        yield b"<!DOCTYPE html><html><head><title>Endless</title></head><body><article>"
        written = 0
        while written < PAGE_BYTES:
            yield CHUNK
            written += len(CHUNK)
        yield b"</article></body></html>"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait_idle(self) -> bool:
        """Every answer finished (written whole, or cut by the client hanging up)."""
        with self.idle:
            return self.idle.wait_for(lambda: self.active == 0, timeout=60)


@pytest.fixture
def big_pages() -> Iterator[BigPages]:
    pages = BigPages()
    pages.thread.start()
    yield pages
    pages.server.shutdown()
    pages.server.server_close()


def _hostile_feed(pages: BigPages) -> bytes:
    items = [(f"big-{n}", f"Endless page number {n}", f"Teaser {n} of a page with no end.")
             for n in range(BIG_ITEMS)]
    feed = rss("Endless pages", items)
    for n in range(BIG_ITEMS):
        feed = feed.replace(f"https://news.example.com/big-{n}?utm_source=rss".encode(),
                            pages.url(f"/big/{n}").encode())
    return feed


def _texts(engine: Engine, source_id: int) -> list[str]:
    with engine.connect() as conn:
        return [str(t) for t in conn.execute(
            sa.select(articles.c.text).where(articles.c.source_id == source_id)).scalars()]


@pytest.mark.timeout(300)  # the run itself: generous, and no other timing is asserted
def test_twenty_huge_pages_are_cut_and_the_other_source_is_still_fetched(
        engine: Engine, settings: Settings, site: LoopbackSite, big_pages: BigPages) -> None:
    site.routes["/endless.xml"] = Route(_hostile_feed(big_pages),
                                        headers={"Content-Type": "application/rss+xml"})
    normal = Route(rss("Town news", [
        ("t1", "Market square reopens", "The market square reopened on Friday after repaving."),
        ("t2", "School wins chess final", "The secondary school won the regional chess final."),
    ]), headers={"Content-Type": "application/rss+xml"})
    site.routes["/town.xml"] = normal
    with transaction(engine) as conn:
        hostile, _ = source_store.add_source(conn, Source(
            url=site.url("/endless.xml"), title="Endless pages", full_text=True))
        town, _ = source_store.add_source(conn, Source(url=site.url("/town.xml"),
                                                       title="Town news"))
        subscribe(conn, hostile.id or 0, full_text=True)
        subscribe(conn, town.id or 0)

    stats = run_worker(engine, settings, concurrency=2, drain=True)

    assert stats.failed == 0 and stats.done >= 2
    assert normal.hits == 1
    assert len(_texts(engine, town.id or 0)) == 2
    with transaction(engine) as conn:
        town_row = source_store.get_source(conn, town.id or 0)
        hostile_row = source_store.get_source(conn, hostile.id or 0)
    assert town_row.last_checked_at is not None and town_row.last_error is None
    # every big page was asked for once and cut: nobody sent or read the whole 30 MB
    assert big_pages.wait_idle()
    assert sorted(big_pages.sent) == sorted(f"/big/{n}" for n in range(BIG_ITEMS))
    assert all(sent < PAGE_BYTES for sent in big_pages.sent.values()), big_pages.sent
    stored = _texts(engine, hostile.id or 0)
    assert len(stored) == BIG_ITEMS  # each item kept, with the feed's own text
    assert all(len(text) < 1000 and text.startswith("Teaser") for text in stored)
    # the source says what happened to its items, and is not "ok"
    note = hostile_row.last_error or ""
    assert hostile_row.last_checked_at is not None and hostile_row.error_count == 0
    assert f"{BIG_ITEMS} kept only the feed's text" in note, note
    assert "10,000,000-byte limit" in note and big_pages.url("/big/") in note
    assert f"and {BIG_ITEMS - 3} more" in note
