"""The fast feed end to end: features kept at ingest through the real pipeline on a loopback
feed, and `GET /api/v1/feed` served from a read-only transaction that a writer cannot block."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import _serve
from tidings import auth, pipeline
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.models import Source, TokenKind
from tidings.rank.feed import feed_for_user
from tidings.store import accounts
from tidings.store import sources as source_store
from tidings.store.db import flush_later, read_transaction, transaction
from tidings.store.schema import articles, story_features, story_sources
from tidings.web.api import reading as reading_api

RSS = {"Content-Type": "application/rss+xml"}
EXTRA = [("h9", "Harbour bridge repairs run a week late",
          "Repairs to the old harbour bridge in Port Elnor will take a week longer than "
          "planned, the city works department said on Friday.")]


def _ingest(engine: Engine, settings: Settings, site: LoopbackSite, items: Any) -> int:
    site.routes["/feed.xml"] = Route(rss("Harbour Post", items), headers=RSS)
    with transaction(engine) as conn:
        source_id = source_store.add_source(conn, Source(url=site.url("/feed.xml"),
                                                         title="Harbour Post"))[0].id or 0
        user = subscribe(conn, source_id)
    with Fetcher(settings) as fetcher:
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert report.error is None and not report.failed
    return user.id or 0


def _features_match_articles(engine: Engine) -> None:
    with engine.connect() as conn:
        counts = dict(conn.execute(sa.select(articles.c.story_id, sa.func.count())
                                   .group_by(articles.c.story_id)).all())
        feats = {r.story_id: r for r in conn.execute(sa.select(story_features))}
        per_source = dict(conn.execute(
            sa.select(story_sources.c.story_id, sa.func.sum(story_sources.c.article_count))
            .group_by(story_sources.c.story_id)).all())
    assert set(feats) == set(counts)  # every story with articles, and no other
    assert {s: f.article_count for s, f in feats.items()} == counts
    assert {s: int(n) for s, n in per_source.items()} == counts


def test_ingest_keeps_story_features_in_step(engine: Engine, settings: Settings,
                                             site: LoopbackSite) -> None:
    user_id = _ingest(engine, settings, site, HARBOUR)
    _features_match_articles(engine)
    site.routes["/feed.xml"] = Route(rss("Harbour Post", EXTRA + HARBOUR), headers=RSS)
    with transaction(engine) as conn:
        source_id = source_store.get_source_by_url(conn, site.url("/feed.xml")).id
    with Fetcher(settings) as fetcher:
        pipeline.refresh_source(engine, fetcher, source_id or 0, settings=settings)
    _features_match_articles(engine)
    with read_transaction(engine) as conn:
        items = feed_for_user(conn, user_id)
        titles = set(conn.execute(sa.select(articles.c.title)).scalars())
        newest = dict(conn.execute(sa.select(story_sources.c.story_id,
                                             story_sources.c.headline)).all())
    assert items and all(i.why for i in items)
    assert {i.lead.title for i in items} <= titles
    assert all(i.lead.title == newest[i.story.id] for i in items)  # the newest headline leads
    assert "Harbour bridge repairs run a week late" in {i.lead.title for i in items}


def test_a_write_in_a_read_transaction_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.DBAPIError), read_transaction(engine) as conn:
        conn.execute(sa.text("INSERT INTO entities (key, kind, name, aliases) "
                             "VALUES ('x', 'person', 'X', '[]')"))
    with transaction(engine) as conn:  # and the pooled connection writes again afterwards
        conn.execute(sa.text("INSERT INTO entities (key, kind, name, aliases) "
                             "VALUES ('x', 'person', 'X', '[]')"))


def test_feed_get_reads_only_and_a_writer_does_not_block_it(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    user_id = _ingest(engine, settings, site, HARBOUR)
    with transaction(engine) as conn:
        accounts.add_token(conn, user_id, TokenKind.API, auth.secret_hash("feed-secret"))
    statements: list[str] = []
    writer = engine.connect()  # another process's write transaction, held open

    def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if conn is not writer:
            statements.append(statement.lstrip().split(None, 1)[0].upper())

    headers = {"Authorization": "Bearer feed-secret", "Accept": "application/json"}
    with _serve(settings, engine) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/api/v1/feed", headers=headers).status_code == 200  # stamps the token
        flush_later()  # that stamp's UPDATE, now rather than during the GET below
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            writer.execute(sa.text("UPDATE sources SET error_count = error_count + 1"))
            answer = http.get("/api/v1/feed", headers=headers)
        finally:
            writer.rollback()
            writer.close()
            sa.event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"]
    assert "SELECT" in statements
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    if engine.dialect.name == "sqlite":
        assert "BEGIN" in statements  # deferred: a reader never takes the write lock


def test_a_client_that_goes_away_stops_its_feed_request(
        engine: Engine, settings: Settings, site: LoopbackSite,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The client hangs up while its feed is being ranked: the answer is never encoded, and
    the next reader is served as usual."""
    user_id = _ingest(engine, settings, site, HARBOUR)
    with transaction(engine) as conn:
        accounts.add_token(conn, user_id, TokenKind.API, auth.secret_hash("feed-secret"))
    hung_up, ranking, ranked, encoded = threading.Event(), [], [], []
    real_rank, real_item = reading_api.feed_for_user, reading_api.item_json

    def rank_after_hang_up(*args: Any, **kwargs: Any) -> Any:
        ranking.append(1)
        assert hung_up.wait(10)
        time.sleep(0.3)  # the server has seen the connection close
        out = real_rank(*args, **kwargs)
        ranked.append(1)
        return out

    def item_json(item: Any, *args: Any) -> Any:
        encoded.append(1)
        return real_item(item, *args)

    monkeypatch.setattr(reading_api, "feed_for_user", rank_after_hang_up)
    monkeypatch.setattr(reading_api, "item_json", item_json)
    with _serve(settings, engine) as base:
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as raw:
            raw.sendall(b"GET /api/v1/feed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Authorization: Bearer feed-secret\r\n\r\n")
            _wait(lambda: bool(ranking))
        hung_up.set()
        _wait(lambda: bool(ranked))
        time.sleep(0.3)
        abandoned = len(encoded)
        answer = httpx.get(f"{base}/api/v1/feed", timeout=10,
                           headers={"Authorization": "Bearer feed-secret"})
    assert answer.status_code == 200 and answer.json()["items"]
    assert abandoned == 0
    assert len(encoded) == len(answer.json()["items"])


def _wait(check: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_feed_requests_beyond_rank_threads_wait_their_turn(
        engine: Engine, settings: Settings, site: LoopbackSite,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Six readers ask at once of a server with `rank_threads=2`: two rank at a time, the
    others wait in the event loop, and every one is answered."""
    user_id = _ingest(engine, settings, site, HARBOUR)
    with transaction(engine) as conn:
        accounts.add_token(conn, user_id, TokenKind.API, auth.secret_hash("feed-secret"))
    lock, running, most = threading.Lock(), [0], [0]
    real_rank = reading_api.feed_for_user

    def slow_rank(*args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for every request to have arrived meanwhile
            return real_rank(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(reading_api, "feed_for_user", slow_rank)
    two = replace(settings, rank_threads=2)
    answers: list[int] = []

    def ask(base: str) -> None:
        answers.append(httpx.get(f"{base}/api/v1/feed", timeout=20, headers={
            "Authorization": "Bearer feed-secret"}).status_code)

    with _serve(two, engine) as base:
        askers = [threading.Thread(target=ask, args=(base,)) for _ in range(6)]
        for t in askers:
            t.start()
        for t in askers:
            t.join(30)
    assert answers == [200] * 6
    assert most[0] == 2
