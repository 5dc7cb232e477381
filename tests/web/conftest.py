"""A real Tidings server on 127.0.0.1 over the demo newsroom, once per module and database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine

from tests.accounts import PASSWORD, reader
from tests.conftest import fresh_database
from tidings import auth
from tidings.config import Settings, load_settings
from tidings.demo import load_demo
from tidings.store import accounts
from tidings.store.db import make_engine, migrate, transaction
from tidings.web.app import create_app


@dataclass
class LiveServer:
    base: str
    settings: Settings
    engine: Engine

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10, follow_redirects=False)

    def client(self, name: str = "", password: str = PASSWORD) -> httpx.Client:
        """A browser-like client signed in (session cookie) as `name` (the demo reader)."""
        with self.anonymous() as http:
            answer = http.post("/api/v1/session",
                               json={"name": name or self.settings.user, "password": password})
            assert answer.status_code == 200, answer.text
            cookies = httpx.Cookies(http.cookies)
        return httpx.Client(base_url=self.base, timeout=10, follow_redirects=False,
                            cookies=cookies)

    def add_reader(self, name: str) -> None:
        with transaction(self.engine) as conn:
            reader(conn, name)


@contextmanager
def _serve(settings: Settings, engine: Engine) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[LiveServer]:
    directory: Path = tmp_path_factory.mktemp("web")
    with fresh_database(request.param, directory) as url:
        settings = load_settings(env={}, data_dir=directory, database_url=url,
                                 allow_hosts="127.0.0.1", fetch_timeout_s=2.0,
                                 starter_feeds=False)
        engine = make_engine(url)
        migrate(engine)
        load_demo(engine, settings)
        with transaction(engine) as conn:
            demo_user = accounts.user_named(conn, settings.user)
            accounts.set_password_hash(conn, demo_user.id or 0, auth.hash_password(PASSWORD))
        with _serve(settings, engine) as base:
            yield LiveServer(base, settings, engine)
        engine.dispose()
