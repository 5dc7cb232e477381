"""Sync API speed at 100k articles: what an app's sync costs beside the floor, the same rows read
with one plain indexed SELECT, in the same run and on the same database.

Measured over real HTTP on 127.0.0.1 (a uvicorn thread, as the tests serve): `stream/items/ids`
with n=10000 on the reading list (unread only, as apps ask), and `stream/items/contents` with
250 ids. The floor for the first is `SELECT id FROM articles WHERE source_id IN (…) ORDER BY id
DESC LIMIT 10000`; for the second `SELECT * FROM articles WHERE id IN (250 ids)`. SQLite
always; PostgreSQL when TIDINGS_TEST_DATABASE_URL (or TIDINGS_BENCH_DATABASE_URL) is set.

Usage: python -m bench.sync [--articles N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import Engine

from tidings import auth
from tidings.config import Settings, load_settings
from tidings.models import TokenKind, utcnow
from tidings.store import accounts, sync
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import articles, read_state, sources, subscriptions
from tidings.web.app import create_app

SOURCES = 20
CHUNK = 5000


def build(engine: Engine, n: int) -> tuple[str, str]:
    """n articles over SOURCES feeds, one reader subscribed to all, a tenth read; returns
    (user name, app password)."""
    secret, at = auth.new_secret(), utcnow()
    with transaction(engine) as conn:
        user = accounts.create_user(conn, "bench", None)
        accounts.add_token(conn, user.id or 0, TokenKind.APP, auth.secret_hash(secret))
        conn.execute(sa.insert(sources), [{"url": f"https://bench.example/{s}.xml",
                                           "title": f"Outlet {s}", "created_at": at}
                                          for s in range(SOURCES)])
        source_ids = list(conn.execute(sa.select(sources.c.id)).scalars())
        conn.execute(sa.insert(subscriptions), [
            {"user_id": user.id, "source_id": s, "folder": f"F{s % 4}", "created_at": at}
            for s in source_ids])
    body = "<p>" + "Sample sentence for the sync benchmark. " * 25 + "</p>"
    for start in range(0, n, CHUNK):
        rows = [{"source_id": source_ids[i % SOURCES], "entry_key": f"e{i}",
                 "url": f"https://bench.example/a/{i}", "title": f"Article {i}",
                 "fetched_at": at - timedelta(seconds=n - i), "topics": [], "key_points": [],
                 "captions": [], "related": [], "html": body}
                for i in range(start, min(n, start + CHUNK))]
        with transaction(engine) as conn:
            conn.execute(sa.insert(articles), rows)
    with transaction(engine) as conn:
        ids = list(conn.execute(sa.select(articles.c.id)).scalars())
        read = random.Random(7).sample(ids, len(ids) // 10)
        for start in range(0, len(read), CHUNK):
            conn.execute(sa.insert(read_state), [{"user_id": user.id, "article_id": i,
                                                  "read": True}
                                                 for i in read[start:start + CHUNK]])
    return "bench", secret


@contextmanager
def _serve(settings: Settings, engine: Engine) -> Iterator[str]:
    """The real app on an ephemeral loopback port, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm caches and the connection pool
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def run(engine: Engine, url: str, directory: Path, n: int, repeat: int) -> None:
    migrate(engine)
    started = time.perf_counter()
    name, secret = build(engine, n)
    print(f"  built {n} articles in {time.perf_counter() - started:.1f} s")
    settings = load_settings(env={}, data_dir=directory, database_url=url)
    with _serve(settings, engine) as base, httpx.Client(base_url=base, timeout=120) as http:
        login = http.post("/accounts/ClientLogin", data={"Email": name, "Passwd": secret})
        http.headers["Authorization"] = "GoogleLogin auth=" + login.text.split("Auth=")[1].strip()
        with transaction(engine) as conn:
            uid = accounts.user_named(conn, name).id or 0
            sample = random.Random(3).sample(sync.all_ids(conn, uid), 250)
        ids_params = {"s": "user/-/state/com.google/reading-list", "n": "10000",
                      "xt": "user/-/state/com.google/read"}
        cases = {
            "stream/items/ids n=10000": (
                lambda: _ok(http.get("/reader/api/0/stream/items/ids", params=ids_params)),
                lambda: _floor_ids(engine)),
            "stream/items/contents 250": (
                lambda: _ok(http.post("/reader/api/0/stream/items/contents",
                                      data={"i": [str(i) for i in sample]})),
                lambda: _floor_rows(engine, sample)),
        }
        for label, (api, floor) in cases.items():
            ours, base_ms = timed(api, repeat), timed(floor, repeat)
            print(f"  {label:<28} p95 {p95(ours):7.1f} ms   floor (plain SELECT) p95 "
                  f"{p95(base_ms):6.1f} ms   ratio {p95(ours) / p95(base_ms):5.1f}x   "
                  f"(p50 {statistics.median(ours):.1f} / {statistics.median(base_ms):.1f})")


def _ok(answer: httpx.Response) -> int:
    answer.raise_for_status()
    return len(answer.content)


def _floor_ids(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(sa.select(articles.c.id).where(articles.c.source_id.in_(
            sa.select(subscriptions.c.source_id))).order_by(articles.c.id.desc())
            .limit(10_000)).all())


def _floor_rows(engine: Engine, ids: list[int]) -> int:
    with engine.connect() as conn:
        return len(conn.execute(sa.select(articles).where(articles.c.id.in_(ids))).all())


def databases(directory: Path) -> Iterator[tuple[str, str]]:
    """SQLite, then PostgreSQL in a schema of its own (dropped afterwards) when configured."""
    yield "SQLite", f"sqlite:///{directory / 'bench.db'}"
    base = os.environ.get("TIDINGS_BENCH_DATABASE_URL") or os.environ.get(
        "TIDINGS_TEST_DATABASE_URL")
    if not base:
        print("\nPostgreSQL: skipped (set TIDINGS_TEST_DATABASE_URL)")
        return
    schema, admin = f"bench_{uuid.uuid4().hex[:10]}", make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base else "?"
        yield "PostgreSQL", f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in databases(Path(tmp)):
            print(f"\n{label}: {args.articles} articles, {args.repeat} requests each")
            engine = make_engine(url)
            try:
                run(engine, url, Path(tmp), args.articles, args.repeat)
            finally:
                engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
