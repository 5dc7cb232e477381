"""Fixtures shared by the whole suite: ../shared data, databases, a loopback web server."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.config import Settings, load_settings
from tidings.store.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the checkout (real third-party data); skip when absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"needs ../shared beside the checkout ({SHARED} not found)")
    return SHARED


# --- databases: every store/pipeline test runs on SQLite and on PostgreSQL -----------------


PG_ENV = "TIDINGS_TEST_DATABASE_URL"


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tidings.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL run needs {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a test: its own data dir and database, loopback feeds allowed."""
    return load_settings(env={}, data_dir=tmp_path, database_url=db_url,
                         allow_hosts="127.0.0.1", fetch_timeout_s=2.0, starter_feeds=False)


# --- a loopback web server whose answers a test sets per path ------------------------------


class Route:
    def __init__(self, body: bytes = b"", status: int = 200,
                 headers: dict[str, str] | None = None, delay_s: float = 0.0) -> None:
        self.body, self.status, self.headers, self.delay_s = body, status, headers or {}, delay_s
        self.hits = 0


class LoopbackSite:
    """`site.routes["/feed.xml"] = Route(...)`; `site.url("/feed.xml")` is its address."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with site.lock:
                    route = site.routes.get(self.path) or Route(b"not here", 404)
                    route.hits += 1
                if route.delay_s:
                    threading.Event().wait(route.delay_s)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    s = LoopbackSite()
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()
